// Webhooks (#/settings/webhooks, Admin): the registered URLs, add one (its signing secret is shown once), delete one.
import { api, clearError, h, showError, state, time } from "../core.js";
import { guard } from "../permissions.js";
import { settingsFrame } from "./settings-frame.js";
import { secretOnce } from "./access.js";

export async function webhooksView() {
  const page = state.page;
  const body = settingsFrame("#/settings/webhooks");
  const secretSlot = h("div", { id: "webhook-secret-slot" });
  const render = async () => {
    const hooks = await api("/api/v1/webhooks");
    if (page !== state.page) return;
    const rows = hooks.map(w => h("tr", { "data-webhook": w.id, "data-url": w.url },
      h("td", {}, String(w.id)), h("td", { class: "url" }, w.url), h("td", {}, w.isActive ? "Active" : "Deleted"), h("td", {}, time(w.createdAt)),
      h("td", {}, w.isActive ? h("button", guard("Admin", { type: "button", class: "delete-webhook", "aria-label": `Delete webhook ${w.url}`, onclick: () => remove(w) }), "Delete") : "")));
    const form = h("form", { id: "webhook-form", class: "row" },
      h("label", {}, "URL ", h("input", { type: "url", name: "url", id: "webhook-url", required: true, placeholder: "https://example.com/pushapi-events" })),
      h("button", guard("Admin", { type: "submit", id: "webhook-add" }), "Add webhook"));
    form.addEventListener("submit", add);
    body.replaceChildren(h("div", { class: "card", id: "webhooks" }, h("h3", {}, "Webhooks"),
      h("p", { class: "muted" }, "Every push request status change is POSTed as JSON to each active URL, signed with the webhook's secret."),
      h("table", { id: "webhook-list" }, h("thead", {}, h("tr", {}, ["Id", "URL", "State", "Added", ""].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 5 }, "No webhooks.")))),
      secretSlot, form));
  };

  async function add(event) {
    event.preventDefault();
    try {
      clearError();
      const created = await api("/api/v1/webhooks", { method: "POST", body: JSON.stringify({ url: new FormData(event.target).get("url") }) });
      await render();
      secretSlot.replaceChildren(secretOnce("webhook-secret", "signing secret", created.secret));
    } catch (error) {
      showError(error);
    }
  }

  async function remove(hook) {
    if (!confirm(`Delete the webhook ${hook.url}? No more events will be sent to it.`)) return;
    try {
      clearError();
      await api(`/api/v1/webhooks/${hook.id}`, { method: "DELETE" });
      secretSlot.replaceChildren();
      await render();
    } catch (error) {
      showError(error);
    }
  }

  await render();
}
