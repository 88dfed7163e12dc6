// Schedule Push Upgrades: the target table. The eligible tenants of the chosen version (GET
// /api/v1/deployments/candidates), filtered by a search (partial name or exact org id), org type and installed
// version, 50 a page with Next/Previous, the hidden ones counted by reason. The selection is either a set of
// org keys picked by hand, or Select All: "every org the filter matches, minus the ones deselected", which a
// deployment takes as targets.filter + exceptOrgKeys, so it spans all pages without loading them.
import { api, h } from "../core.js";

const pageSize = 50;
const reasonWords = {
  AlreadyCurrent: "already on this version or newer", AlreadyScheduled: "in another push", Inactive: "inactive",
  Blocked: "opted out of pushes", Excluded: "on the exclusion list", Uninstalled: "uninstalled the package", NotInstalled: "without the package",
};

export function targetTable(versions, onChange) {
  const filter = { search: "", orgType: "All", installedVersionId: "" };
  let versionId = "", installMode = "upgrade";
  let all = false; // Select All: the filter's orgs minus `except`
  let picked = new Set(); // the orgs picked by hand, or (with all) the ones deselected
  let total = 0, cursors = [null], pageIndex = 0, next = null, items = [];
  let typing = null, loaded = 0;

  const search = h("input", { id: "target-search", type: "search", placeholder: "Name or org id", "aria-describedby": "target-search-help" });
  const orgType = h("select", { id: "target-org-type" }, ["All", "Production", "Sandbox"].map(t => h("option", { value: t }, t)));
  const installed = h("select", { id: "target-installed" }, h("option", { value: "" }, "any version"),
    versions.map(v => h("option", { value: v.id }, `${v.versionNumber || `${v.majorVersion}.${v.minorVersion}`} (${v.id})`)));
  const body = h("tbody", {});
  const pageAll = h("input", { type: "checkbox", id: "target-page-all", "aria-label": "Select every org on this page" });
  const counts = h("p", { id: "target-counts", role: "status" });
  const hidden = h("ul", { id: "target-hidden", class: "muted" });
  const previous = h("button", { type: "button", id: "target-previous", disabled: true }, "Previous");
  const nextButton = h("button", { type: "button", id: "target-next", disabled: true }, "Next");
  const pageLine = h("span", { id: "target-page", class: "muted" });

  const selected = key => (all ? !picked.has(key) : picked.has(key));
  const count = () => (all ? Math.max(0, total - picked.size) : picked.size);
  const changed = () => { summary(); onChange(); };

  function summary() {
    counts.dataset.selected = String(count());
    counts.dataset.total = String(total);
    counts.textContent = `${count()} selected · ${total} matching eligible ${total === 1 ? "org" : "orgs"}` +
      (all ? ` (Select All${picked.size ? `, ${picked.size} deselected` : ""})` : "");
    for (const box of body.querySelectorAll("input[type=checkbox]")) box.checked = selected(box.value);
    pageAll.checked = items.length > 0 && items.every(o => selected(o.orgKey));
  }

  function toggle(key, on) {
    if (on === !all) picked.add(key); else picked.delete(key);
    changed();
  }

  async function load() {
    if (!versionId) return;
    const query = new URLSearchParams({ packageVersionId: versionId, limit: String(pageSize), installMode, orgType: filter.orgType });
    if (filter.search) query.set("search", filter.search);
    if (filter.installedVersionId) query.set("installedVersionId", filter.installedVersionId);
    if (cursors[pageIndex]) query.set("after", cursors[pageIndex]);
    const mine = ++loaded;
    const page = await api(`/api/v1/deployments/candidates?${query}`);
    if (mine !== loaded) return; // a later filter's answer wins
    ({ items, next, total } = page);
    body.replaceChildren(...items.map(o => h("tr", { "data-org": o.orgKey },
      h("td", {}, h("input", { type: "checkbox", value: o.orgKey, "aria-label": `Select ${o.orgName} (${o.orgKey})`, onchange: e => toggle(o.orgKey, e.target.checked) })),
      h("td", {}, o.orgName), h("td", {}, o.orgKey), h("td", {}, o.orgType), h("td", {}, o.installedVersionNumber || "—"))));
    if (!items.length) body.append(h("tr", {}, h("td", { colspan: 5, class: "muted" }, "No eligible org matches.")));
    const entries = Object.entries(page.hidden || {});
    hidden.dataset.total = String(entries.reduce((n, [, c]) => n + c, 0));
    hidden.replaceChildren(...entries.map(([reason, c]) => h("li", { "data-reason": reason, "data-count": c }, `${c} hidden: ${reasonWords[reason] || reason} (${reason})`)));
    previous.disabled = pageIndex === 0;
    nextButton.disabled = !next;
    pageLine.textContent = `Page ${pageIndex + 1} of ${Math.max(1, Math.ceil(total / pageSize))}`;
    pageLine.dataset.page = String(pageIndex + 1);
    summary();
  }

  // A new filter starts at page 1; Select All meant the old filter, so it is cleared (orgs picked by hand stay).
  const refilter = () => {
    if (all) { all = false; picked = new Set(); }
    cursors = [null]; pageIndex = 0;
    changed();
    return load();
  };
  search.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(() => { filter.search = search.value.trim(); refilter().catch(report); }, 300); });
  orgType.addEventListener("change", () => { filter.orgType = orgType.value; refilter().catch(report); });
  installed.addEventListener("change", () => { filter.installedVersionId = installed.value; refilter().catch(report); });
  pageAll.addEventListener("change", () => { for (const o of items) if (selected(o.orgKey) !== pageAll.checked) toggle(o.orgKey, pageAll.checked); });
  previous.addEventListener("click", () => { pageIndex--; load().catch(report); });
  nextButton.addEventListener("click", () => { cursors[pageIndex + 1] = next; pageIndex++; load().catch(report); });
  const error = h("p", { class: "error", id: "target-error", role: "alert" });
  function report(e) { error.textContent = e.message; }

  const element = h("div", { class: "card", id: "targets" },
    h("h3", {}, "Select target organizations"),
    h("div", { class: "row" },
      h("label", { for: "target-search" }, "Search "), search,
      h("label", {}, "Organizations ", orgType),
      h("label", {}, "Installed version ", installed)),
    h("p", { id: "target-search-help", class: "muted" }, "Names match by part (any case); an org id (15 or 18 characters) must match exactly. Orgs already on the version or in another push are hidden."),
    h("div", { class: "row" },
      h("button", { type: "button", id: "select-all", onclick: () => { all = true; picked = new Set(); changed(); } }, "Select All"),
      h("button", { type: "button", id: "deselect-all", onclick: () => { all = false; picked = new Set(); changed(); } }, "Deselect All"),
      counts),
    hidden,
    h("div", { class: "table-scroll" }, h("table", { id: "target-list" },
      h("thead", {}, h("tr", {}, h("th", {}, pageAll), ["Name", "Org id", "Type", "Installed"].map(t => h("th", {}, t)))), body)),
    h("div", { class: "row" }, previous, pageLine, nextButton),
    error);

  return {
    element,
    /** Reloads the table for another version or install mode; the selection is cleared (the candidates differ). */
    async use(version, mode) {
      versionId = version; installMode = mode;
      all = false; picked = new Set();
      cursors = [null]; pageIndex = 0;
      error.textContent = "";
      await load().catch(report); // shown in the card (mass deployment off, say), the rest of the page stays
      changed();
    },
    count,
    /** The request's targets for the selection: org keys, or the filter with the deselected orgs (exceptOrgKeys). */
    targets() {
      if (!all) return { orgKeys: [...picked] };
      const f = { search: filter.search || undefined, orgType: filter.orgType, installedVersionId: filter.installedVersionId || undefined };
      return { filter: f, exceptOrgKeys: picked.size ? [...picked] : undefined };
    },
  };
}
