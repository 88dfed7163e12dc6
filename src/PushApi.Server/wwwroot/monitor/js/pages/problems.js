// What the API refused, item by item: the package criteria (422 RULES_NOT_MET, problems [{item, rule, message}]),
// an invalid package file (400, problems [{code, entry, message}]) and validation errors (400, errors {field: [..]}),
// each problem a table row in words, never raw JSON.
import { h } from "../core.js";

/** The rows of a refusal's problem details: what it concerns, the rule or code, and the message. */
export function problemRows(body) {
  if (!body || typeof body !== "object") return [];
  const rows = [];
  for (const p of Array.isArray(body.problems) ? body.problems : []) {
    const what = p.item ? `${p.item.type} ${p.item.name}` : p.entry || "the package";
    rows.push({ what, rule: p.rule || p.code || "", message: p.message || "" });
  }
  if (body.errors && typeof body.errors === "object" && !Array.isArray(body.errors)) {
    for (const [field, messages] of Object.entries(body.errors)) rows.push({ what: field, rule: "invalid", message: [].concat(messages).join(" ") });
  }
  return rows;
}

/** The refusal as a sentence and a table of its problems (the table only when there are problems). */
export function problemsBlock(error, id) {
  const rows = problemRows(error.body);
  return h("div", { id, role: "alert" },
    h("p", { class: "error" }, rows.length ? (error.body.title || error.message) + (rows.length > 1 ? ` — ${rows.length} problems:` : " — 1 problem:") : error.message),
    rows.length ? h("table", { class: "problems" },
      h("thead", {}, h("tr", {}, ["Item", "Rule", "Problem"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map(r => h("tr", { "data-rule": r.rule }, h("td", {}, r.what), h("td", {}, h("code", {}, r.rule)), h("td", {}, r.message))))) : "");
}

/** A version as people say it: 1.2.0 (build 3). */
export const versionNumber = v => `${v.majorVersion}.${v.minorVersion}.${v.patchVersion ?? 0}${v.buildNumber > 1 ? ` (build ${v.buildNumber})` : ""}`;
