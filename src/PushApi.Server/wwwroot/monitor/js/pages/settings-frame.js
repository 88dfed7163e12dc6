// The frame of the Settings and audit pages: the heading and the sections' links.
import { h, view } from "../core.js";

export const sections = [
  { hash: "#/settings", label: "Switches" },
  { hash: "#/settings/access", label: "Users and API clients" },
  { hash: "#/settings/webhooks", label: "Webhooks" },
  { hash: "#/settings/audit", label: "Audit log" },
];

/** Shows the frame with `current` marked; answers the body the section fills. */
export function settingsFrame(current) {
  const body = h("div", { id: "settings-body" });
  view.replaceChildren(h("h2", {}, "Settings and audit"),
    h("nav", { class: "subnav", "aria-label": "Settings sections" }, sections.map(s => h("a", { href: s.hash, "aria-current": s.hash === current ? "page" : undefined }, s.label))),
    body);
  return body;
}
