// The audit log (#/settings/audit, Admin): GET /api/v1/audit, newest first, 50 a page, filtered by what the API
// allows: an action prefix (e.g. "POST /api/v1/webhooks" or "login."), a username, and a time range.
import { api, h, showError, state, time } from "../core.js";
import { settingsFrame } from "./settings-frame.js";

const PageSize = 50;
const filters = { action: "", user: "", since: "", until: "" };

export async function auditView() {
  const page = state.page;
  const body = settingsFrame("#/settings/audit");
  const afters = [null];
  const field = (name, label, type = "text") => h("label", {}, `${label} `, h("input", { name, id: `audit-${name}`, type, value: filters[name] }));
  const form = h("form", { id: "audit-filter", class: "row card" },
    field("action", "Action starts with"), field("user", "User"), field("since", "Since", "datetime-local"), field("until", "Until", "datetime-local"),
    h("button", { type: "submit", id: "audit-apply" }, "Filter"));
  const results = h("div", { class: "card", id: "audit-results" });
  body.replaceChildren(form, results);

  const render = async () => {
    const query = new URLSearchParams({ limit: String(PageSize) });
    for (const name of ["action", "user"]) if (filters[name]) query.set(name, filters[name]);
    for (const name of ["since", "until"]) if (filters[name]) query.set(name, new Date(filters[name]).toISOString());
    if (afters[afters.length - 1]) query.set("after", afters[afters.length - 1]);
    const answer = await api(`/api/v1/audit?${query}`);
    if (page !== state.page) return;
    const rows = answer.records.map(e => h("tr", { "data-action": e.action },
      h("td", {}, time(e.occurredAt)), h("td", {}, e.username ?? ""), h("td", { class: "action" }, e.action),
      h("td", {}, e.statusCode == null ? "" : String(e.statusCode)), h("td", {}, e.target ?? ""), h("td", {}, e.detail ?? ""), h("td", {}, e.clientAddress ?? "")));
    results.replaceChildren(
      h("table", { id: "audit-list" }, h("caption", {}, "Newest first"),
        h("thead", {}, h("tr", {}, ["When", "User", "Action", "Status", "Target", "Detail", "From"].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 7 }, "No entries match.")))),
      h("div", { class: "row actions" },
        h("button", { type: "button", id: "audit-newer", disabled: afters.length === 1, onclick: () => { afters.pop(); render().catch(showError); } }, "Newer"),
        h("span", { class: "muted" }, `Page ${afters.length}`),
        h("button", { type: "button", id: "audit-older", disabled: !answer.nextAfter, onclick: () => { afters.push(answer.nextAfter); render().catch(showError); } }, "Older")));
  };

  form.addEventListener("submit", event => {
    event.preventDefault();
    const data = new FormData(form);
    for (const name of Object.keys(filters)) filters[name] = String(data.get(name) || "");
    afters.length = 1;
    render().catch(showError);
  });
  await render();
}
