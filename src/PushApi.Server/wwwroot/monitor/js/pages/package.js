// A package's page: its name, namespace and locked flag, and three tabs — Versions (versions.js),
// Contents (contents.js) and Push Upgrades (push.js) — each its own hash (#/packages/{id}/{tab}).
import { api, clearError, h, showError, state, view } from "../core.js";
import { guard } from "../permissions.js";
import { contentsTab } from "./contents.js";
import { pushTab } from "./push.js";
import { versionsTab } from "./versions.js";

const tabs = [
  { key: "versions", label: "Versions", render: versionsTab },
  { key: "contents", label: "Contents", render: contentsTab },
  { key: "push", label: "Push Upgrades", render: pushTab },
];

function header(p, reload) {
  const toggle = async () => {
    if (!confirm(`${p.locked ? "Unlock" : "Lock"} package ${p.name}? The flag is fixed once a version is released.`)) return;
    try {
      clearError();
      await api(`/api/v1/packages/${p.id}`, { method: "PATCH", body: JSON.stringify({ locked: !p.locked }) });
      await reload();
    } catch (error) {
      showError(error);
    }
  };
  return h("div", { class: "card", id: "package-summary" },
    h("h2", {}, p.name),
    h("p", {}, `${p.id} · namespace ${p.namespacePrefix || "none"} · ${p.packageCategory || "no category"} · `,
      h("strong", { id: "package-locked-state", "data-locked": String(p.locked) }, p.locked ? "Locked" : "Unlocked"), " ",
      h("button", guard("Admin", { type: "button", id: "toggle-lock", onclick: toggle }), p.locked ? "Unlock" : "Lock")));
}

export async function packageView(id, tab) {
  const page = state.page;
  const p = await api(`/api/v1/packages/${id}`);
  if (page !== state.page) return;
  const current = tabs.find(t => t.key === tab) || tabs[0];
  const body = h("section", { id: "tab-body", "aria-label": current.label });
  view.replaceChildren(
    h("p", {}, h("a", { href: "#/packages" }, "← all packages")),
    header(p, () => packageView(id, tab)),
    h("nav", { class: "tabs", "aria-label": "Package tabs" }, tabs.map(t =>
      h("a", { href: `#/packages/${id}/${t.key}`, id: `tab-${t.key}`, "aria-current": t === current ? "page" : undefined }, t.label))),
    body);
  await current.render(p, body, page);
}
