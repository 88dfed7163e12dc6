// CSV import of tenants (#/tenants/import): the file goes to POST /api/v1/tenants/import as text/csv through
// XMLHttpRequest, whose upload.onprogress drives the bar; the API answers once every row is done (it reports no
// progress while it works), then each row's result is shown: created, updated, or failed with the reason in words.
import { h, problemText, state, view } from "../core.js";
import { can, guard, reasons } from "../permissions.js";

const Columns = "orgKey, orgName, orgType, orgStatus, instanceName, parentOrg, contactEmail, agentUrl, agentUsername, agentPassword, "
  + "packageVersionId, hasRestrictionEnabled, windowTimeZone, windowDays, windowStart, windowEnd";

function setProgress(bar, label, percent, text) {
  bar.value = percent;
  bar.setAttribute("aria-valuenow", String(Math.round(percent)));
  bar.dataset.progress = String(Math.round(percent));
  label.textContent = text;
}

/** Sends the file; resolves with {status, body} once the server has answered. */
function upload(file, allOrNone, bar, label) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/tenants/import${allOrNone ? "?allOrNone=true" : ""}`);
    request.setRequestHeader("Authorization", `Bearer ${state.token}`);
    request.setRequestHeader("Content-Type", "text/csv");
    request.upload.onprogress = event => {
      if (event.lengthComputable) setProgress(bar, label, (90 * event.loaded) / event.total, `Uploading: ${Math.round((100 * event.loaded) / event.total)} % of ${file.size.toLocaleString()} bytes`);
    };
    request.upload.onload = () => setProgress(bar, label, 90, "Uploaded. The server is importing the rows (it answers when all are done)…");
    request.onerror = () => reject(new Error("The upload failed: the server could not be reached."));
    request.onload = () => {
      let body = request.responseText;
      try { body = JSON.parse(body); } catch { /* a text answer */ }
      resolve({ status: request.status, statusText: request.statusText, body });
    };
    request.send(file);
  });
}

function outcomeText(row) {
  if (row.outcome === "Created") return "Created";
  if (row.outcome === "Updated") return "Updated";
  if (row.outcome === "NotImported") return "Not imported (another row failed and all-or-none was asked)";
  return "Error";
}

function results(answer) {
  const rows = answer.rows.map(r => h("tr", { "data-row": r.row, "data-outcome": r.outcome, class: r.outcome === "Failed" ? "failed" : "" },
    h("td", {}, String(r.row)), h("td", {}, r.orgKey ?? ""), h("td", { class: `status ${r.outcome === "Failed" ? "Failed" : "Succeeded"}` }, outcomeText(r)),
    h("td", { class: "row-message" }, (r.errors || []).map(e => (e.field ? `${e.field}: ${e.message}` : e.message)).join(" "))));
  return h("div", { class: "card", id: "import-results" },
    h("h3", {}, "Results"),
    h("p", { id: "import-summary" }, `${answer.total} rows: ${answer.created} created, ${answer.updated} updated, ${answer.failed} failed.`),
    h("table", {}, h("thead", {}, h("tr", {}, ["Row", "Org id", "Result", "Message"].map(t => h("th", { scope: "col" }, t)))), h("tbody", {}, rows)));
}

export function tenantImportView() {
  const page = state.page;
  const bar = h("progress", { id: "import-progress", max: 100, value: 0, "aria-label": "Import progress", "aria-valuemin": 0, "aria-valuemax": 100 });
  const label = h("span", { id: "import-progress-text", class: "muted", role: "status" }, "Choose a CSV file.");
  const output = h("div", { id: "import-output" });
  const error = h("p", { class: "error", id: "import-error", role: "alert" });
  const form = h("form", { id: "import-form", class: "card" },
    h("label", {}, "CSV file ", h("input", { type: "file", name: "file", id: "import-file", accept: ".csv,text/csv", required: true })),
    h("p", { class: "muted" }, `A header row naming any of ${Columns}, then a row per tenant (at most 100,000). A row with an org id that exists updates it.`),
    h("label", {}, h("input", { type: "checkbox", name: "allOrNone", id: "import-all-or-none" }), " All or none: import nothing if any row fails"),
    h("button", guard("Admin", { type: "submit", id: "import-submit" }), "Import"),
    h("div", { class: "row" }, bar, label), error);
  view.replaceChildren(h("p", {}, h("a", { href: "#/tenants" }, "← Tenants")), h("h2", {}, "Import tenants from CSV"),
    can("Admin") ? "" : h("p", { class: "notice" }, reasons.Admin), form, output);

  form.addEventListener("submit", async event => {
    event.preventDefault();
    if (!can("Admin")) return;
    const file = document.getElementById("import-file").files[0];
    if (!file) return;
    error.textContent = "";
    output.replaceChildren();
    setProgress(bar, label, 0, "Uploading…");
    const button = document.getElementById("import-submit");
    button.disabled = true;
    try {
      const answer = await upload(file, document.getElementById("import-all-or-none").checked, bar, label);
      if (page !== state.page) return;
      if (answer.status === 401) { state.onSignedOut(); return; }
      if (answer.status < 200 || answer.status >= 300) {
        setProgress(bar, label, 0, "Not imported.");
        error.textContent = problemText(answer.body, answer);
        return;
      }
      setProgress(bar, label, 100, `Done: ${answer.body.total} rows processed.`);
      output.replaceChildren(results(answer.body));
    } catch (e) {
      error.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
}
