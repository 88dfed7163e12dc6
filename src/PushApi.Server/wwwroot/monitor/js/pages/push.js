// A package's Push Upgrades tab: its deployments (GET /api/v1/deployments?packageId=…), each linking to its
// status page, and Schedule Push Upgrade (the Schedule Push Upgrades page, #/schedule/{packageId}).
import { api, featureOffNotice, h, progressBar, state, time } from "../core.js";
import { can, reasons } from "../permissions.js";

function scheduleLink(p) {
  if (can("PushUpgrade")) return h("a", { href: `#/schedule/${p.id}`, class: "button", id: "schedule-push" }, "Schedule Push Upgrade");
  return h("button", { type: "button", id: "schedule-push", "data-needs": "PushUpgrade", disabled: true, "aria-disabled": "true", title: reasons.PushUpgrade, "data-reason": reasons.PushUpgrade }, "Schedule Push Upgrade");
}

export async function pushTab(p, body, page) {
  let list;
  try {
    list = await api(`/api/v1/deployments?packageId=${encodeURIComponent(p.id)}&limit=100`);
  } catch (error) {
    if (!error.body || error.body.errorCode !== "FEATURE_DISABLED") throw error;
    body.replaceChildren(featureOffNotice(error.body.detail));
    return;
  }
  if (page !== state.page) return;
  const rows = list.items.map(d => h("tr", { "data-id": d.id },
    h("td", {}, h("a", { href: `#/deployments/${d.id}` }, d.id)),
    h("td", {}, d.packageVersionName || d.packageVersionId),
    h("td", { class: `status ${d.status.replace(" ", "")}` }, d.status),
    h("td", {}, time(d.scheduledStartTime || d.createdAt)),
    h("td", {}, time(d.endTime)),
    h("td", {}, progressBar(d.jobs))));
  body.replaceChildren(h("div", { class: "card" },
    h("h3", {}, "Push Upgrades"),
    h("p", { class: "row" }, scheduleLink(p), h("span", { class: "muted" }, "Upgrade this package's subscribers to one of its released versions.")),
    h("table", { id: "package-deployments" },
      h("thead", {}, h("tr", {}, ["Deployment", "Version", "Status", "Scheduled", "Ended", "Progress"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 6 }, "No push upgrades of this package yet.")))),
    list.next ? h("p", { class: "muted" }, "The 100 newest are shown.") : ""));
}
