// The Packages list: each package with its namespace, category, locked flag and latest version, and the
// form that creates one (Admin). Import from file is a page of its own (import.js).
import { api, h, state, time, view } from "../core.js";
import { guard } from "../permissions.js";
import { problemsBlock, versionNumber } from "./problems.js";

function latest(versions) {
  const rank = v => [v.majorVersion, v.minorVersion, v.patchVersion ?? 0, v.buildNumber ?? 0];
  return versions.reduce((best, v) => {
    if (!best) return v;
    const [a, b] = [rank(v), rank(best)];
    const i = a.findIndex((x, n) => x !== b[n]);
    return i >= 0 && a[i] > b[i] ? v : best;
  }, null);
}

function createForm(onCreated) {
  const form = h("form", { id: "create-package", class: "card" },
    h("h3", {}, "New package"),
    h("div", { class: "row" },
      h("label", {}, "Name ", h("input", { name: "name", id: "package-name", required: true, maxlength: 255 })),
      h("label", {}, "Namespace prefix ", h("input", { name: "namespacePrefix", id: "package-namespace", maxlength: 15, pattern: "[A-Za-z][A-Za-z0-9_]{0,14}", placeholder: "optional" })),
      h("label", {}, "Category ", h("select", { name: "packageCategory", id: "package-category" },
        h("option", { value: "" }, "(none)"), ["Application", "Module", "Package", "Package2"].map(c => h("option", { value: c }, c)))),
      h("label", {}, h("input", { type: "checkbox", name: "locked", id: "package-locked", checked: true }), " Locked")),
    h("button", guard("Admin", { type: "submit", id: "create-package-button" }), "Create package"),
    h("div", { id: "create-package-error" }));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    const box = document.getElementById("create-package-error");
    box.replaceChildren();
    try {
      const created = await api("/api/v1/packages", { method: "POST", body: JSON.stringify({
        name: data.get("name"), namespacePrefix: data.get("namespacePrefix") || undefined,
        packageCategory: data.get("packageCategory") || undefined, locked: data.get("locked") === "on" }) });
      onCreated(created);
    } catch (error) {
      box.replaceChildren(problemsBlock(error, "create-package-problems"));
    }
  });
  return form;
}

export async function packagesView() {
  const page = state.page;
  const packages = await api("/api/v1/packages");
  const versions = await Promise.all(packages.map(p => api(`/api/v1/packages/${p.id}/versions`)));
  if (page !== state.page) return;
  const rows = packages.map((p, i) => {
    const v = latest(versions[i]);
    return h("tr", { "data-id": p.id },
      h("td", {}, h("a", { href: `#/packages/${p.id}/versions` }, p.name)),
      h("td", {}, p.namespacePrefix || "—"),
      h("td", {}, p.packageCategory || "—"),
      h("td", {}, p.locked ? "Locked" : "Unlocked"),
      h("td", {}, v ? `${versionNumber(v)} · ${v.releaseState}${v.isDeprecated ? " · deprecated" : ""}` : "none yet"),
      h("td", {}, String(versions[i].length)),
      h("td", {}, time(p.createdAt)));
  });
  view.replaceChildren(
    h("h2", {}, "Packages"),
    h("p", {}, h("a", { href: "#/packages/import", id: "import-link" }, "Import a package from file (ZIP)")),
    h("div", { class: "card" }, h("table", { id: "package-list" },
      h("thead", {}, h("tr", {}, ["Package", "Namespace", "Category", "Locked", "Latest version", "Versions", "Created"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 7 }, "No packages yet."))))),
    createForm(created => { location.hash = `#/packages/${created.id}/contents`; }));
}
