// PushApi push monitor: plain browser JavaScript, no build step. It signs in with the service's
// token endpoint and reads /api/v1 (deployments, jobs, failures, packages, settings) with the bearer token.
"use strict";

const state = { token: sessionStorage.getItem("pushapi.token"), user: sessionStorage.getItem("pushapi.user"), timer: null };
const view = document.getElementById("view");

function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "style") element.style.cssText = value; // CSSOM, which the page's CSP allows (style attributes it does not)
    else if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) element.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  return element;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: `Bearer ${state.token}`, ...(options.body ? { "Content-Type": "application/json" } : {}), ...(options.headers || {}) },
  });
  if (response.status === 401) { signOut(); throw new Error("Your session ended; sign in again."); }
  const text = await response.text();
  const body = text && (response.headers.get("Content-Type") || "").includes("json") ? JSON.parse(text) : text;
  if (!response.ok) {
    const error = new Error(problemText(body) || `${response.status} ${response.statusText}`);
    error.body = body;
    throw error;
  }
  return body;
}

function problemText(body) {
  if (!body || typeof body !== "object") return body;
  const details = body.errors ? Object.entries(body.errors).map(([field, messages]) => `${field}: ${messages.join(" ")}`).join("; ") : "";
  return [body.detail || body.title, details].filter(Boolean).join(" — ");
}

const time = value => (value ? new Date(value).toLocaleString() : "");

function progressBar(jobs) {
  const percent = n => (jobs.total ? (100 * n) / jobs.total : 0);
  const done = jobs.total ? Math.round((100 * (jobs.succeeded + jobs.failed + jobs.canceled)) / jobs.total) : 100;
  return h("div", { class: "row" },
    h("div", { class: "bar", role: "progressbar", "aria-valuenow": done, "aria-valuemin": 0, "aria-valuemax": 100, "data-progress": done },
      h("span", { class: "ok", style: `width:${percent(jobs.succeeded)}%` }),
      h("span", { class: "bad", style: `width:${percent(jobs.failed)}%` }),
      h("span", { class: "off", style: `width:${percent(jobs.canceled)}%` })),
    h("span", { class: "muted" }, `${done}% · ${jobs.succeeded} ok · ${jobs.failed} failed · ${jobs.canceled} canceled · ${jobs.remaining} to go`));
}

function refreshEvery(ms, render) {
  clearInterval(state.timer);
  state.timer = setInterval(() => render().catch(showError), ms);
}

// Mass deployment is a feature switch, off on a new installation: the monitor says so instead of failing.
const massDeploymentOff = "Mass deployment is turned off on this installation, so nothing can be deployed from here. " +
  "An administrator turns it on with PATCH /api/v1/settings {\"massDeploymentEnabled\": true}, " +
  "or by setting PushApi__Features__MassDeployment=true in the service's environment and restarting it.";

function featureOffNotice(text) {
  return h("p", { class: "notice", id: "feature-off", role: "status" }, text);
}

function showError(error) {
  if (error.body && error.body.errorCode === "FEATURE_DISABLED") {
    clearInterval(state.timer);
    view.replaceChildren(featureOffNotice(error.body.detail));
    return;
  }
  let box = document.getElementById("error");
  if (!box) { box = h("p", { id: "error", class: "error", role: "alert" }); view.prepend(box); }
  box.textContent = error.message;
}

async function cancel(id) {
  if (!confirm(`Cancel deployment ${id}?`)) return;
  await api(`/api/v1/deployments/${id}/cancel`, { method: "POST" });
  route();
}

async function listView() {
  view.replaceChildren(h("h2", {}, "Deployments"), h("p", { class: "muted" }, "Updates every 2 seconds."), h("div", { id: "list" }));
  const render = async () => {
    const page = await api("/api/v1/deployments?limit=50");
    const rows = page.items.map(d => h("tr", { "data-id": d.id },
      h("td", {}, h("a", { href: `#/deployments/${d.id}` }, d.id)),
      h("td", {}, d.packageVersionName || d.packageVersionId),
      h("td", { class: `status ${d.status.replace(" ", "")}`, "data-status": d.status }, d.status),
      h("td", {}, time(d.scheduledStartTime)),
      h("td", {}, time(d.startTime)),
      h("td", {}, time(d.endTime)),
      h("td", {}, progressBar(d.jobs)),
      h("td", {}, d.cancelable ? h("button", { type: "button", class: "cancel", onclick: () => cancel(d.id).catch(showError) }, "Cancel") : "")));
    document.getElementById("list").replaceChildren(h("table", {},
      h("thead", {}, h("tr", {}, ["Deployment", "Version", "Status", "Scheduled", "Started", "Ended", "Progress", ""].map(t => h("th", {}, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 8 }, "No deployments yet.")))));
  };
  await render();
  refreshEvery(2000, render);
}

async function detailView(id) {
  let status = "";
  let after = null;
  view.replaceChildren(
    h("p", {}, h("a", { href: "#/" }, "← all deployments")),
    h("div", { class: "card", id: "summary" }),
    h("div", { class: "card" }, h("h3", {}, "Failures"), h("div", { id: "failures" })),
    h("div", { class: "card" },
      h("h3", {}, "Jobs"),
      h("div", { class: "row" },
        h("label", {}, "Status ", h("select", { id: "job-status", onchange: e => { status = e.target.value; after = null; jobs().catch(showError); } },
          ["", "Created", "Pending", "In Progress", "Succeeded", "Failed", "Canceled"].map(s => h("option", { value: s }, s || "all")))),
        h("button", { type: "button", id: "jobs-more", onclick: () => jobs(true).catch(showError) }, "Next page")),
      h("div", { id: "jobs" })));

  const summary = async () => {
    const d = await api(`/api/v1/deployments/${id}`);
    document.getElementById("summary").replaceChildren(
      h("h2", {}, `Deployment ${d.id}`),
      h("p", {}, h("span", { class: `status ${d.status.replace(" ", "")}`, id: "detail-status", "data-status": d.status }, d.status), ` · ${d.packageVersionName}`,
        d.retryOf ? h("span", {}, " · retries ", h("a", { href: `#/deployments/${d.retryOf}` }, d.retryOf)) : ""),
      h("p", { class: "muted" }, `Scheduled ${time(d.scheduledStartTime) || "now"} · started ${time(d.startTime) || "—"} · ended ${time(d.endTime) || "—"}`),
      progressBar(d.jobs),
      h("div", { class: "row" },
        d.cancelable ? h("button", { type: "button", id: "detail-cancel", onclick: () => cancel(d.id).catch(showError) }, "Cancel") : "",
        d.jobs.failed > 0 && !d.cancelable && d.jobs.remaining === 0
          ? h("button", { type: "button", id: "retry", onclick: () => retry(d.id).catch(showError) }, "Retry failed") : ""));
    return d;
  };

  const failures = async () => {
    const f = await api(`/api/v1/deployments/${id}/failures?limit=100`);
    document.getElementById("failures").replaceChildren(
      f.total === 0 ? h("p", { class: "muted" }, "No failures.") : h("div", {},
        h("table", { id: "failure-groups" },
          h("thead", {}, h("tr", {}, ["Error type", "Title", "Tenants"].map(t => h("th", {}, t)))),
          h("tbody", {}, f.groups.map(g => h("tr", {}, h("td", {}, g.errorType || "—"), h("td", {}, g.errorTitle || "—"), h("td", {}, String(g.count)))))),
        h("table", { id: "failure-list" },
          h("thead", {}, h("tr", {}, ["Org", "Name", "Type", "Title", "Message"].map(t => h("th", {}, t)))),
          h("tbody", {}, f.failures.map(x => h("tr", {}, h("td", {}, x.orgKey), h("td", {}, x.orgName || ""), h("td", {}, x.errorType || ""), h("td", {}, x.errorTitle || ""), h("td", {}, x.errorMessage || ""))))),
        h("p", {}, h("button", { type: "button", id: "export-csv", onclick: () => exportCsv(id).catch(showError) }, "Export CSV"))));
  };

  const jobs = async (next) => {
    const query = new URLSearchParams({ limit: "100" });
    if (status) query.set("status", status);
    if (next && after) query.set("after", after);
    const page = await api(`/api/v1/deployments/${id}/jobs?${query}`);
    after = page.next;
    document.getElementById("jobs-more").disabled = !page.next;
    document.getElementById("jobs").replaceChildren(h("table", { id: "job-list" },
      h("thead", {}, h("tr", {}, ["Job", "Org", "Name", "Status", "Started", "Ended"].map(t => h("th", {}, t)))),
      h("tbody", {}, page.items.map(j => h("tr", {}, h("td", {}, j.id), h("td", {}, j.orgKey), h("td", {}, j.orgName || ""),
        h("td", { class: `status ${j.status.replace(" ", "")}` }, j.status), h("td", {}, time(j.startTime)), h("td", {}, time(j.endTime)))))));
  };

  const render = async () => {
    const d = await summary();
    if (d.jobs.failed > 0) await failures(); else document.getElementById("failures").replaceChildren(h("p", { class: "muted" }, "No failures."));
    return d;
  };
  await render();
  await jobs();
  refreshEvery(2000, render);
}

async function retry(id) {
  const preview = await api(`/api/v1/deployments/${id}/retry`, { method: "POST", body: JSON.stringify({ dryRun: true }) });
  if (!confirm(`Retry ${preview.report.eligible} failed tenants (${preview.report.targeted - preview.report.eligible} are no longer eligible)?`)) return;
  const created = await api(`/api/v1/deployments/${id}/retry`, { method: "POST", body: JSON.stringify({}) });
  location.hash = `#/deployments/${created.id}`;
}

async function exportCsv(id) {
  const response = await fetch(`/api/v1/deployments/${id}/failures?format=csv`, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) throw new Error(`Export failed: ${response.status}`);
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: `deployment-${id}-failures.csv`, id: "csv-link" }, "download");
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

async function deployView() {
  clearInterval(state.timer);
  const off = !(await api("/api/v1/settings")).massDeploymentEnabled;
  const packages = await api("/api/v1/packages");
  const options = [];
  for (const p of packages) {
    for (const v of await api(`/api/v1/packages/${p.id}/versions`)) {
      if (v.releaseState === "Released" && !v.isDeprecated) options.push(h("option", { value: v.id }, `${p.name} ${v.majorVersion}.${v.minorVersion}.${v.patchVersion ?? 0} (${v.id})`));
    }
  }
  const form = h("form", { id: "deploy-form" },
    h("label", {}, "Version ", h("select", { name: "version", id: "deploy-version", required: true }, options)),
    h("fieldset", {}, h("legend", {}, "Tenants"),
      h("label", {}, h("input", { type: "radio", name: "targets", value: "all", checked: true }), " All tenants of the package"),
      h("label", {}, h("input", { type: "radio", name: "targets", value: "orgKeys", id: "targets-selective" }), " Selective tenants (one org key per line)"),
      h("textarea", { name: "orgKeys", id: "deploy-org-keys", placeholder: "00D…" }),
      h("label", {}, h("input", { type: "radio", name: "targets", value: "where", id: "targets-filter" }), " Filter (SOQL condition on PackageSubscriber)"),
      h("input", { name: "where", id: "deploy-where", placeholder: "OrgType = 'Sandbox'", style: "width:100%" })),
    h("fieldset", {}, h("legend", {}, "When"),
      h("label", {}, h("input", { type: "radio", name: "when", value: "now", checked: true }), " Immediately"),
      h("label", {}, h("input", { type: "radio", name: "when", value: "later", id: "when-later" }), " At ", h("input", { type: "datetime-local", name: "at", id: "deploy-at" }))),
    h("label", {}, h("input", { type: "checkbox", name: "notify", id: "deploy-notify" }), " E-mail each upgraded tenant"),
    h("button", { type: "submit", id: "preview", disabled: off, title: off ? "Mass deployment is turned off" : undefined }, "Preview"),
    h("p", { class: "error", id: "deploy-error", role: "alert" }));
  const report = h("div", { id: "report" });
  view.replaceChildren(h("h2", {}, "Deploy a version"), off ? featureOffNotice(massDeploymentOff) : "", form, report);

  const input = dryRun => {
    const data = new FormData(form);
    const kind = data.get("targets");
    const targets = kind === "all" ? { all: true }
      : kind === "orgKeys" ? { orgKeys: String(data.get("orgKeys")).split(/[\s,]+/).filter(Boolean) }
      : { where: String(data.get("where")) };
    const at = data.get("when") === "later" && data.get("at") ? new Date(String(data.get("at"))).toISOString() : undefined;
    return { packageVersionId: data.get("version"), targets, scheduledStartTime: at, notifyTenants: data.get("notify") === "on", dryRun };
  };

  form.addEventListener("submit", async event => {
    event.preventDefault();
    if (off) return;
    document.getElementById("deploy-error").textContent = "";
    try {
      const preview = await api("/api/v1/deployments", { method: "POST", body: JSON.stringify(input(true)) });
      const r = preview.report;
      report.replaceChildren(h("div", { class: "card", id: "preview-report" },
        h("h3", {}, "Preview"),
        h("p", {}, h("strong", { id: "eligible-count" }, String(r.eligible)), ` of ${r.targeted} targeted tenants will be upgraded; `,
          h("strong", { id: "left-out-count" }, String(r.targeted - r.eligible)), " left out."),
        h("ul", {}, Object.entries(r.leftOutByReason).map(([reason, count]) => h("li", { "data-reason": reason }, `${reason}: ${count}`))),
        r.leftOut.length ? h("table", { id: "left-out" },
          h("thead", {}, h("tr", {}, h("th", {}, "Org"), h("th", {}, "Reason"), h("th", {}, "Why"))),
          h("tbody", {}, r.leftOut.slice(0, 200).map(o => h("tr", {}, h("td", {}, o.orgKey), h("td", {}, o.reason), h("td", {}, o.message))))) : "",
        r.eligible > 0 ? h("button", { type: "button", id: "confirm-deploy", onclick: () => confirmDeploy().catch(e => { document.getElementById("deploy-error").textContent = e.message; }) }, `Deploy to ${r.eligible} tenants`) : ""));
    } catch (error) {
      document.getElementById("deploy-error").textContent = error.message;
    }
  });

  async function confirmDeploy() {
    const created = await api("/api/v1/deployments", { method: "POST", body: JSON.stringify(input(false)) });
    location.hash = `#/deployments/${created.id}`;
  }
}

function signOut() {
  sessionStorage.clear();
  state.token = null;
  clearInterval(state.timer);
  route();
}

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/services/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "password", username: form.get("username"), password: form.get("password") }),
  });
  const body = await response.json();
  if (!response.ok) {
    document.getElementById("sign-in-error").textContent = body.error_description || "Sign-in failed.";
    return;
  }
  state.token = body.access_token;
  state.user = String(form.get("username"));
  sessionStorage.setItem("pushapi.token", state.token);
  sessionStorage.setItem("pushapi.user", state.user);
  route();
}

async function route() {
  clearInterval(state.timer);
  const signedIn = Boolean(state.token);
  document.getElementById("sign-in").hidden = signedIn;
  document.getElementById("nav").hidden = !signedIn;
  if (!signedIn) { view.replaceChildren(); return; }
  document.getElementById("who").textContent = state.user || "";
  const hash = location.hash || "#/";
  try {
    const detail = hash.match(/^#\/deployments\/(0DV\w+)$/);
    if (detail) await detailView(detail[1]);
    else if (hash === "#/deploy") await deployView();
    else await listView();
  } catch (error) {
    showError(error);
  }
}

document.getElementById("sign-in-form").addEventListener("submit", event => signIn(event).catch(e => { document.getElementById("sign-in-error").textContent = e.message; }));
document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", route);
route();
