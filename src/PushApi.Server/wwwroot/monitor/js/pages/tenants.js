// The tenant list (#/tenants): searched on the server by a part of the name or an exact org id, 50 a page
// (keyset: GET /api/v1/tenants?search=&after=&limit=50), each tenant with its packages, window, opt-out and exclusions.
import { api, h, showError, state, view } from "../core.js";
import { guard } from "../permissions.js";

const PageSize = 50;
// The search and the pages seen, kept while the console stays open so that Back from a tenant returns to the same page.
const list = { search: "", afters: [null] };

/** "Mon Tue 02:00–04:00 Europe/Paris", or "Any time" for a tenant without a window. */
export function windowText(window) {
  if (!window) return "Any time";
  const week = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
  const days = window.days && window.days.length ? week.filter(d => window.days.includes(d)).map(d => d.slice(0, 3)).join(" ") : "Every day";
  return `${days} ${window.start}–${window.end} ${window.timeZone}`;
}

/** "Pushed App 2.0" for each package the tenant has; an uninstalled one says so. */
export function packagesText(packages) {
  if (!packages.length) return "None";
  return packages.map(p => `${p.packageName} ${p.versionNumber}${p.installedStatus === "Installed" ? "" : " (uninstalled)"}`).join(", ");
}

/** The live exclusions, each naming its package (by name when the tenant has it) or "All packages", with the reason. */
export function exclusionsText(exclusions, packages = []) {
  if (!exclusions.length) return "No";
  const name = id => packages.find(p => p.packageId === id)?.packageName ?? `Package ${id}`;
  return exclusions.map(e => `${e.packageId ? name(e.packageId) : "All packages"}: ${e.reason}${e.expiresAt ? ` (until ${new Date(e.expiresAt).toLocaleString()})` : ""}`).join("; ");
}

function row(t) {
  return h("tr", { "data-org": t.orgKey },
    h("td", {}, h("a", { href: `#/tenants/${t.orgKey}` }, t.orgKey)),
    h("td", {}, t.orgName),
    h("td", {}, t.orgType),
    h("td", { class: `status ${t.orgStatus}` }, t.orgStatus),
    h("td", { class: "packages" }, packagesText(t.installedPackages)),
    h("td", {}, windowText(t.maintenanceWindow)),
    h("td", { class: "opt-out" }, t.hasRestrictionEnabled ? "Opted out" : "No"),
    h("td", { class: "excluded" }, exclusionsText(t.exclusions, t.installedPackages)));
}

export async function tenantsView() {
  const page = state.page;
  const input = h("input", { id: "tenant-search", type: "search", name: "search", value: list.search, placeholder: "Acme, or 00D…", autocomplete: "off" });
  const form = h("form", { id: "tenant-search-form", class: "row", role: "search" },
    h("label", { for: "tenant-search" }, "Search by a part of the name or an exact org id "), input,
    h("button", { type: "submit", id: "tenant-search-button" }, "Search"));
  const results = h("div", { id: "tenant-results", class: "card" });
  view.replaceChildren(
    h("div", { class: "row page-head" }, h("h2", {}, "Tenants"),
      h("button", guard("Admin", { type: "button", id: "open-import", onclick: () => { location.hash = "#/tenants/import"; } }), "Import CSV…")),
    form, results);

  const render = async () => {
    const after = list.afters[list.afters.length - 1];
    const query = new URLSearchParams({ limit: String(PageSize) });
    if (list.search) query.set("search", list.search);
    if (after) query.set("after", after);
    const answer = await api(`/api/v1/tenants?${query}`);
    if (page !== state.page) return;
    const number = list.afters.length;
    const previous = h("button", { type: "button", id: "tenants-previous", disabled: number === 1, onclick: () => { list.afters.pop(); render().catch(showError); } }, "Previous page");
    const next = h("button", { type: "button", id: "tenants-next", disabled: !answer.nextAfter, onclick: () => { list.afters.push(answer.nextAfter); render().catch(showError); } }, "Next page");
    results.replaceChildren(
      h("table", { id: "tenant-list" },
        h("caption", {}, list.search ? `Tenants matching “${list.search}”` : "All tenants, by org id"),
        h("thead", {}, h("tr", {}, ["Org id", "Name", "Type", "Status", "Installed packages", "Maintenance window", "Opt-out", "Excluded"].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, answer.records.length ? answer.records.map(row) : h("tr", {}, h("td", { colspan: 8 }, list.search ? "No tenant matches." : "No tenants yet.")))),
      h("div", { class: "row actions" }, previous, h("span", { id: "tenants-page", class: "muted" }, `Page ${number} · ${answer.records.length} tenants${answer.nextAfter ? " · more after" : ""}`), next));
  };

  form.addEventListener("submit", event => {
    event.preventDefault();
    list.search = input.value.trim();
    list.afters = [null];
    render().catch(showError);
  });
  await render();
}
