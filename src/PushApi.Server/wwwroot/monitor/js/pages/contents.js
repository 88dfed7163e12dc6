// A package's Contents tab: its items — the selected ones and those pulled in automatically, with what
// included them — and the form that adds an item (type, name, JSON definition) or gives a pulled-in item
// its definition; Remove deletes an item and what only it pulled in.
import { api, h, state } from "../core.js";
import { guard } from "../permissions.js";
import { problemsBlock } from "./problems.js";

const types = ["Application", "Object", "Field", "ObjectData", "Class", "WebTab", "Page", "Widget", "Component", "Role", "Team",
  "DataSharingPolicy", "Report", "View", "Site", "Sidebar", "LocalizedLabels", "RollupSummaryField", "Product", "PriceBook",
  "Opportunity", "Campaign", "List", "ListMember"];

// The fields each type's definition must hold (docs/packages.md), as a starting point for the form.
const examples = {
  Application: { objects: [], tabs: [] }, Field: { object: "" }, ObjectData: { object: "", handlerClass: "" },
  WebTab: { pages: [] }, Report: { folderVisibility: "everyone" }, View: { object: "", visibility: "everyone" },
  RollupSummaryField: { object: "", detail: "" },
};
const example = type => JSON.stringify(examples[type] || {});

function itemRow(item, remove, define) {
  const auto = !item.selected;
  return h("tr", { "data-type": item.type, "data-name": item.name, "data-selected": String(item.selected) },
    h("td", {}, item.type),
    h("td", {}, item.name),
    h("td", { class: auto ? "auto" : "" }, auto ? "Auto-included" : "Selected"),
    h("td", { class: "included-by" }, (item.includedBy || []).map(r => `${r.type} ${r.name}`).join(", ") || "—"),
    h("td", { class: item.definition == null ? "error" : "" }, item.definition == null ? "missing" : "given"),
    h("td", {}, item.checkedOut ? "checked out" : ""),
    h("td", {},
      item.definition == null ? h("button", guard("Admin", { type: "button", class: "define", onclick: () => define(item) }), "Give definition") : "",
      item.id ? h("button", guard("Admin", { type: "button", class: "remove", "aria-label": `Remove ${item.type} ${item.name}`, onclick: () => remove(item) }), "Remove") : ""));
}

function addForm(onAdd) {
  const type = h("select", { name: "type", id: "item-type", required: true }, types.map(t => h("option", { value: t }, t)));
  const definition = h("textarea", { name: "definition", id: "item-definition", rows: 3, spellcheck: "false" }, example(types[0]));
  type.addEventListener("change", () => { definition.value = example(type.value); });
  const form = h("form", { id: "add-item", class: "card" },
    h("h3", {}, "Add an item"),
    h("div", { class: "row" },
      h("label", {}, "Type ", type),
      h("label", {}, "Name ", h("input", { name: "name", id: "item-name", required: true, maxlength: 81, placeholder: "Invoice, Invoice.Amount…" })),
      h("label", {}, h("input", { type: "checkbox", name: "selected", id: "item-selected" }), " Select for itself (when already pulled in)")),
    h("label", { for: "item-definition" }, "Definition (JSON object; the fixed fields of its type are filled in)"), definition,
    h("button", guard("Admin", { type: "submit", id: "add-item-button" }), "Add item"),
    h("div", { id: "add-item-error" }));
  form.addEventListener("submit", event => {
    event.preventDefault();
    const data = new FormData(form);
    const box = document.getElementById("add-item-error");
    box.replaceChildren();
    let parsed;
    try { parsed = JSON.parse(String(data.get("definition") || "{}")); } catch (e) {
      box.replaceChildren(h("p", { class: "error", role: "alert" }, `The definition is not JSON: ${e.message}`));
      return;
    }
    const body = { type: data.get("type"), name: data.get("name"), definition: parsed, options: data.get("selected") === "on" ? { selected: true } : undefined };
    onAdd(body).then(() => form.reset()).then(() => { definition.value = example(type.value); })
      .catch(error => box.replaceChildren(problemsBlock(error, "add-item-problems")));
  });
  return { form, fill: item => { type.value = item.type; form.elements.name.value = item.name; definition.value = example(item.type); form.elements.name.focus(); } };
}

export async function contentsTab(p, body, page) {
  const list = h("div", { id: "items" });
  const error = h("div", { id: "items-error" });
  const items = `/api/v1/packages/${p.id}/items`;
  const render = async () => {
    const rows = await api(items);
    if (page !== state.page) return;
    const auto = rows.filter(i => !i.selected).length;
    list.replaceChildren(
      h("p", { class: "muted", id: "items-summary" }, `${rows.length} items: ${rows.length - auto} selected, ${auto} included automatically. The package is ${p.locked ? "locked" : "unlocked"}.`),
      h("table", { id: "item-list" },
        h("thead", {}, h("tr", {}, ["Type", "Name", "Included", "Included by", "Definition", "Checked out", ""].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.length ? rows.map(i => itemRow(i, remove, add.fill)) : h("tr", {}, h("td", { colspan: 7 }, "No items yet.")))));
  };
  const remove = async item => {
    if (!confirm(`Remove ${item.type} ${item.name}? What only it pulled in goes with it.`)) return;
    error.replaceChildren();
    try {
      await api(`${items}/${item.id}`, { method: "DELETE" });
      await render();
    } catch (e) {
      error.replaceChildren(problemsBlock(e, "remove-problems"));
    }
  };
  const add = addForm(async input => { await api(items, { method: "POST", body: JSON.stringify(input) }); await render(); });
  body.replaceChildren(h("div", { class: "card" }, h("h3", {}, "Contents"), error, list), add.form);
  await render();
}
