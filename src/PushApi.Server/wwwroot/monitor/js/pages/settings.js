// Settings and audit (#/settings…, Admin only): the feature switches here, users and API clients (access.js),
// webhooks (webhooks.js) and the audit log (audit.js), under one sub-navigation. A user without Admin sees the
// Settings link disabled with the reason, and the page says the same if they open it anyway.
import { api, clearError, h, showError, state, view } from "../core.js";
import { settingsFrame } from "./settings-frame.js";
import { can, reasons } from "../permissions.js";
import { accessView } from "./access.js";
import { webhooksView } from "./webhooks.js";
import { auditView } from "./audit.js";

const pages = {
  "#/settings": () => switchesView(),
  "#/settings/access": () => accessView(),
  "#/settings/webhooks": () => webhooksView(),
  "#/settings/audit": () => auditView(),
};

/** The Settings link in the header: enabled for admins; for others marked disabled with the reason. */
export function markSettingsLink() {
  const link = document.getElementById("nav-settings");
  if (!link) return;
  const allowed = can("Admin");
  link.classList.toggle("disabled", !allowed);
  if (allowed) { link.removeAttribute("aria-disabled"); link.removeAttribute("title"); } else { link.setAttribute("aria-disabled", "true"); link.title = reasons.Admin; }
}

// A disabled link does nothing when pressed (the page would only say why).
document.getElementById("nav-settings")?.addEventListener("click", event => { if (!can("Admin")) event.preventDefault(); });

export async function settingsView(hash) {
  if (!can("Admin")) {
    view.replaceChildren(h("h2", {}, "Settings and audit"), h("p", { class: "notice", id: "settings-refused", role: "status" }, `Settings and the audit log are for administrators. ${reasons.Admin}`));
    return;
  }
  await (pages[hash] || pages["#/settings"])();
}

const switches = [
  { name: "massDeploymentEnabled", source: "massDeployment", label: "Mass deployment", help: "Deploy a version to many tenants (the Deploy page, POST /api/v1/deployments)." },
  { name: "installFromFileEnabled", source: "installFromFile", label: "Install from file", help: "Install a package file into one tenant." },
  { name: "requireApproval", source: "requireApproval", label: "Approval required", help: "A deployment waits until a second user with ApprovePush approves it." },
];

const sourceText = {
  configuration: "Turned on by the service's configuration; change it there (an environment variable) and restart.",
  demo: "Turned on by demo mode.",
  settings: "Set by an administrator here.",
  default: "Off by default.",
};

async function switchesView() {
  const page = state.page;
  const body = settingsFrame("#/settings");
  const render = async () => {
    const settings = await api("/api/v1/settings");
    if (page !== state.page) return;
    body.replaceChildren(h("div", { class: "card", id: "switches" }, h("h3", {}, "Feature switches"),
      switches.map(s => {
        const source = settings.sources[s.source];
        const locked = source === "configuration" || source === "demo";
        const box = h("input", {
          type: "checkbox", id: `switch-${s.name}`, "data-switch": s.name, checked: settings[s.name], "data-needs": "Admin",
          disabled: locked, "aria-disabled": locked ? "true" : undefined, title: locked ? sourceText[source] : undefined,
          onchange: event => change(s.name, event.target.checked),
        });
        return h("div", { class: "switch" },
          h("label", {}, box, ` ${s.label}: `, h("strong", { id: `switch-${s.name}-state` }, settings[s.name] ? "on" : "off")),
          h("p", { class: "muted" }, `${s.help} ${sourceText[source] || ""}`));
      })));
  };
  const change = async (name, value) => {
    try {
      clearError();
      await api("/api/v1/settings", { method: "PATCH", body: JSON.stringify({ [name]: value }) });
    } catch (error) {
      showError(error);
    }
    await render().catch(showError);
  };
  await render();
}
