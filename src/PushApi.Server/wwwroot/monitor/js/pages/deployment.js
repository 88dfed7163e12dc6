// A deployment's page: its status card (status.js), failures with the CSV export, and its jobs paged
// by status. It updates live by polling every 2 seconds, the page of jobs shown included (server-sent
// events are not used yet).
import { api, clearError, h, refreshEvery, showError, state, time, view } from "../core.js";
import * as actions from "./actions.js";
import { approvalCard, summaryCard, wavesTable } from "./status.js";

const windowSample = 200;

export async function detailView(id) {
  const page = state.page;
  let status = "";
  let after = null; // the next page's cursor
  let shown = null; // the cursor of the page shown (null: the first), re-read on every update
  let approvalShown = null;
  view.replaceChildren(
    h("p", {}, h("a", { href: "#/" }, "← all deployments")),
    h("div", { class: "card", id: "summary" }),
    h("div", { class: "card", id: "approval", hidden: true }),
    h("div", { class: "card", id: "waves-card", hidden: true }),
    h("div", { class: "card" }, h("h3", {}, "Failures"), h("div", { id: "failures" })),
    h("div", { class: "card" },
      h("h3", {}, "Jobs"),
      h("p", { id: "window-waiting", class: "muted", hidden: true }),
      h("div", { class: "row" },
        h("label", {}, "Status ", h("select", { id: "job-status", onchange: e => { status = e.target.value; after = null; jobs().catch(showError); } },
          ["", "Created", "Pending", "In Progress", "Succeeded", "Failed", "Canceled"].map(s => h("option", { value: s }, s || "all")))),
        h("button", { type: "button", id: "jobs-more", onclick: () => jobs(true).catch(showError) }, "Next page")),
      h("div", { id: "jobs" })));

  const act = async (action, ...args) => {
    try {
      clearError();
      if (await actions[action](id, ...args)) await render();
    } catch (error) {
      showError(error);
    }
  };

  const approval = a => {
    const card = document.getElementById("approval");
    const key = a ? `${a.awaiting}/${a.decision}` : "";
    if (key === approvalShown) return;
    approvalShown = key;
    card.hidden = !a;
    card.replaceChildren(...approvalCard(a, (decision, comment) => act(decision, comment)));
  };

  const waiting = async d => {
    const line = document.getElementById("window-waiting");
    if (d.jobs.remaining === 0 || d.status === "AwaitingApproval") { line.hidden = true; return; }
    const page = await api(`/api/v1/deployments/${id}/jobs?status=Pending&limit=${windowSample}`);
    const count = page.items.filter(j => j.waitingFor === "window").length;
    line.hidden = false;
    line.textContent = page.next
      ? `${count} of the first ${windowSample} pending jobs wait for their tenant's maintenance window.`
      : `${count} pending ${count === 1 ? "job waits" : "jobs wait"} for their tenant's maintenance window.`;
    line.dataset.count = String(count);
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
        h("p", {}, h("button", { type: "button", id: "export-csv", onclick: () => actions.exportCsv(id, state.token).catch(showError) }, "Export CSV"))));
  };

  const jobs = async (next, again) => {
    const query = new URLSearchParams({ limit: "100" });
    if (status) query.set("status", status);
    if (!again) shown = next ? after : null;
    if (shown) query.set("after", shown);
    const page = await api(`/api/v1/deployments/${id}/jobs?${query}`);
    after = page.next;
    document.getElementById("jobs-more").disabled = !page.next;
    document.getElementById("jobs").replaceChildren(h("table", { id: "job-list" },
      h("thead", {}, h("tr", {}, ["Job", "Org", "Name", "Status", "Started", "Ended"].map(t => h("th", {}, t)))),
      h("tbody", {}, page.items.map(j => h("tr", {}, h("td", {}, j.id), h("td", {}, j.orgKey),
        h("td", {}, h("a", { href: `#/deployments/${id}/jobs/${j.id}`, class: "job-tenant", "data-org": j.orgKey, title: "The job, its errors and the install plan" }, j.orgName || j.orgKey)),
        h("td", { class: `status ${j.status.replace(" ", "")}` }, j.waitingFor === "window" ? `${j.status} (window${j.waitingUntil ? ` until ${time(j.waitingUntil)}` : ""})` : j.status),
        h("td", {}, time(j.startTime)), h("td", {}, time(j.endTime)))))));
  };

  const render = async () => {
    const d = await api(`/api/v1/deployments/${id}`);
    document.getElementById("summary").replaceChildren(...summaryCard(d, act));
    approval(d.approval);
    const waves = document.getElementById("waves-card");
    waves.hidden = !d.waves || !d.waves.length;
    waves.replaceChildren(wavesTable(d.waves));
    if (d.jobs.failed > 0) await failures(); else document.getElementById("failures").replaceChildren(h("p", { class: "muted" }, "No failures."));
    await waiting(d);
    await jobs(false, true);
    return d;
  };
  await render();
  refreshEvery(2000, render, page);
}
