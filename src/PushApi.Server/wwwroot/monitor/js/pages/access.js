// Users and API clients (#/settings/access, Admin): list and create. A new API client's secret is shown once,
// in this page only (never stored by the console), with a copy button and a warning that it will not be shown again.
import { api, clearError, h, showError, state, time } from "../core.js";
import { guard } from "../permissions.js";
import { settingsFrame } from "./settings-frame.js";

const Permissions = ["Read", "PushUpgrade", "ApprovePush", "Admin"];

function permissionBoxes(prefix) {
  return h("fieldset", {}, h("legend", {}, "Permissions"),
    Permissions.map(p => h("label", { class: "inline" }, h("input", { type: "checkbox", name: "permissions", value: p, id: `${prefix}-${p}`, checked: p === "Read" }), ` ${p}`)));
}

function table(id, headers, rows, empty) {
  return h("table", { id }, h("thead", {}, h("tr", {}, headers.map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: headers.length }, empty))));
}

/** The secret, once: a read-only field, a copy button and the warning. */
export function secretOnce(id, what, secret) {
  const field = h("input", { id: `${id}-value`, readonly: true, value: secret, "aria-label": `${what} (shown once)`, class: "secret" });
  const copied = h("span", { class: "muted", role: "status" });
  return h("div", { class: "notice secret-once", id, role: "alert" },
    h("p", {}, h("strong", {}, `Copy the ${what} now: it will not be shown again.`), " The service keeps only a hash of it; if it is lost, create a new one."),
    h("div", { class: "row" }, field,
      h("button", { type: "button", id: `${id}-copy`, onclick: () => navigator.clipboard.writeText(secret)
        .then(() => { copied.textContent = "Copied."; })
        .catch(() => { field.select(); copied.textContent = "The browser refused to copy: the text is selected, press Ctrl+C."; }) }, "Copy"),
      copied));
}

export async function accessView() {
  const page = state.page;
  const body = settingsFrame("#/settings/access");
  const secretSlot = h("div", { id: "secret-slot" });
  const render = async () => {
    const [users, clients] = await Promise.all([api("/api/v1/users"), api("/api/v1/api-clients")]);
    if (page !== state.page) return;
    body.replaceChildren(
      h("div", { class: "card", id: "users" }, h("h3", {}, "Users"),
        table("user-list", ["Username", "Full name", "E-mail", "Permissions", "Active", "Created"], users.map(u => h("tr", { "data-user": u.username },
          h("td", {}, u.username), h("td", {}, u.fullName ?? ""), h("td", {}, u.email ?? ""), h("td", {}, u.permissions.join(", ")),
          h("td", {}, u.isActive ? "Yes" : "No"), h("td", {}, time(u.createdAt)))), "No users."),
        userForm()),
      h("div", { class: "card", id: "api-clients" }, h("h3", {}, "API clients"),
        table("client-list", ["Client id", "Name", "Permissions", "Active", "Created"], clients.map(c => h("tr", { "data-client": c.clientId },
          h("td", {}, c.clientId), h("td", {}, c.name), h("td", {}, c.permissions.join(", ")), h("td", {}, c.isActive ? "Yes" : "No"), h("td", {}, time(c.createdAt)))), "No API clients."),
        secretSlot, clientForm()));
  };

  function userForm() {
    const form = h("form", { id: "user-form" }, h("h4", {}, "New user"),
      h("div", { class: "row" },
        h("label", {}, "Username ", h("input", { name: "username", id: "user-username", required: true, autocomplete: "off" })),
        h("label", {}, "Password ", h("input", { name: "password", id: "user-password", type: "password", required: true, autocomplete: "new-password" })),
        h("label", {}, "Full name ", h("input", { name: "fullName", id: "user-full-name" })),
        h("label", {}, "E-mail ", h("input", { name: "email", id: "user-email", type: "email" }))),
      permissionBoxes("user-permission"),
      h("button", guard("Admin", { type: "submit", id: "user-create" }), "Create user"));
    form.addEventListener("submit", event => submit(event, form, "/api/v1/users", data => ({
      username: data.get("username"), password: data.get("password"), fullName: data.get("fullName") || undefined, email: data.get("email") || undefined, permissions: data.getAll("permissions"),
    })));
    return form;
  }

  function clientForm() {
    const form = h("form", { id: "client-form" }, h("h4", {}, "New API client"),
      h("label", {}, "Name ", h("input", { name: "name", id: "client-name", required: true, autocomplete: "off" })),
      permissionBoxes("client-permission"),
      h("button", guard("Admin", { type: "submit", id: "client-create" }), "Create API client"));
    form.addEventListener("submit", event => submit(event, form, "/api/v1/api-clients", data => ({ name: data.get("name"), permissions: data.getAll("permissions") }), created => {
      secretSlot.replaceChildren(h("p", {}, `API client `, h("strong", { id: "new-client-id" }, created.clientId), " created."), secretOnce("client-secret", "client secret", created.clientSecret));
    }));
    return form;
  }

  async function submit(event, form, url, toBody, after) {
    event.preventDefault();
    try {
      clearError();
      const created = await api(url, { method: "POST", body: JSON.stringify(toBody(new FormData(form))) });
      await render();
      if (after) after(created);
    } catch (error) {
      showError(error);
    }
  }

  await render();
}
