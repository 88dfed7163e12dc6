// A package's Versions tab: each version with Download ZIP (fetched with the token, saved through a blob
// link), Promote (a Beta to Released) and Deprecate / Undeprecate; and Publish, which snapshots the items
// into a new version or shows the package criteria that failed, item by item.
import { api, h, state, time } from "../core.js";
import { guard } from "../permissions.js";
import { problemsBlock, versionNumber } from "./problems.js";

async function downloadZip(v) {
  const response = await fetch(`/api/v1/versions/${v.id}/package.zip`, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) throw new Error(`The download failed: the server answered ${response.status}.`);
  const named = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: named ? named[1] : `${v.id}.zip`, hidden: true }, "download");
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

function versionRow(v, act) {
  const button = (cls, label, action, extra = {}) => h("button", guard("Admin", { type: "button", class: cls, "aria-label": `${label} ${versionNumber(v)}`, onclick: () => act(action, v), ...extra }), label);
  return h("tr", { "data-id": v.id, "data-state": v.releaseState, "data-deprecated": String(v.isDeprecated) },
    h("td", {}, versionNumber(v)),
    h("td", {}, v.name),
    h("td", {}, v.id),
    h("td", { class: "status" }, v.releaseState),
    h("td", {}, v.isDeprecated ? "Deprecated" : ""),
    h("td", {}, time(v.createdAt)),
    h("td", {},
      h("button", { type: "button", class: "download", "aria-label": `Download ZIP of ${versionNumber(v)}`, onclick: () => act("download", v) }, "Download ZIP"),
      v.releaseState === "Beta" ? button("promote", "Promote", "promote") : "",
      button("deprecate", v.isDeprecated ? "Undeprecate" : "Deprecate", "deprecate")));
}

function publishForm(p, versions, onPublished) {
  // The next number: the highest major so far (1 for the first) and the minor after its highest.
  const major = versions.reduce((m, v) => Math.max(m, v.majorVersion), 1);
  const minors = versions.filter(v => v.majorVersion === major).map(v => v.minorVersion);
  const minor = minors.length ? Math.max(...minors) + 1 : 0;
  const number = (name, label, value) => h("label", {}, `${label} `, h("input", { type: "number", min: 0, name, id: `publish-${name}`, value, required: name !== "patchVersion" }));
  const form = h("form", { id: "publish", class: "card" },
    h("h3", {}, "Publish a version"),
    h("p", { class: "muted" }, "Snapshots the package's items into an immutable version, after checking the package criteria."),
    h("div", { class: "row" },
      h("label", {}, "Name ", h("input", { name: "name", id: "publish-name", value: `${p.name} ${major}.${minor}`, required: true })),
      number("majorVersion", "Major", major), number("minorVersion", "Minor", minor), number("patchVersion", "Patch", 0),
      h("label", {}, "State ", h("select", { name: "releaseState", id: "publish-state" }, h("option", { value: "Beta" }, "Beta"), h("option", { value: "Released" }, "Released")))),
    h("button", guard("Admin", { type: "submit", id: "publish-button" }), "Publish"),
    h("div", { id: "publish-result" }));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    const result = document.getElementById("publish-result");
    result.replaceChildren();
    const int = name => (data.get(name) === "" ? undefined : Number(data.get(name)));
    try {
      const created = await api(`/api/v1/packages/${p.id}/versions`, { method: "POST", body: JSON.stringify({
        name: data.get("name"), majorVersion: int("majorVersion"), minorVersion: int("minorVersion"), patchVersion: int("patchVersion"), releaseState: data.get("releaseState") }) });
      await onPublished(created);
    } catch (error) {
      result.replaceChildren(problemsBlock(error, "publish-problems"));
    }
  });
  return form;
}

export async function versionsTab(p, body, page) {
  const versions = await api(`/api/v1/packages/${p.id}/versions`);
  if (page !== state.page) return;
  const status = h("div", { id: "versions-status", role: "status" });
  const act = async (action, v) => {
    status.replaceChildren();
    try {
      if (action === "download") { await downloadZip(v); return; }
      if (action === "promote" && !confirm(`Promote ${v.name} to Released? A released version cannot go back to Beta.`)) return;
      const change = action === "promote" ? { releaseState: "Released" } : { isDeprecated: !v.isDeprecated };
      const changed = await api(`/api/v1/versions/${v.id}`, { method: "PATCH", body: JSON.stringify(change) });
      await versionsTab(p, body, page);
      document.getElementById("versions-status").replaceChildren(h("p", { class: "notice" }, `${changed.name}: ${changed.releaseState}${changed.isDeprecated ? ", deprecated" : ""}.`));
    } catch (error) {
      status.replaceChildren(problemsBlock(error, "version-problems"));
    }
  };
  const sorted = [...versions].sort((a, b) => b.majorVersion - a.majorVersion || b.minorVersion - a.minorVersion || (b.patchVersion ?? 0) - (a.patchVersion ?? 0) || b.buildNumber - a.buildNumber);
  body.replaceChildren(
    h("div", { class: "card" }, h("h3", {}, "Versions"), status,
      h("table", { id: "version-list" },
        h("thead", {}, h("tr", {}, ["Version", "Name", "Id", "State", "Deprecated", "Created", ""].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, sorted.length ? sorted.map(v => versionRow(v, act)) : h("tr", {}, h("td", { colspan: 7 }, "No versions yet: publish the first below."))))),
    publishForm(p, versions, async created => {
      await versionsTab(p, body, page);
      document.getElementById("versions-status").replaceChildren(h("p", { class: "notice", id: "published" }, `Published ${created.name} (${created.id}), ${created.releaseState}.`));
    }));
}
