// The deployments list: newest first, live (polled every 2 seconds).
import { api, h, progressBar, refreshEvery, showError, state, time, view } from "../core.js";
import { guard } from "../permissions.js";
import { cancel } from "./actions.js";

export async function listView() {
  const page = state.page;
  view.replaceChildren(h("h2", {}, "Deployments"), h("p", { class: "muted" }, "Updates every 2 seconds."), h("div", { id: "list" }));
  const render = async () => {
    const page = await api("/api/v1/deployments?limit=50");
    const rows = page.items.map(d => h("tr", { "data-id": d.id },
      h("td", {}, h("a", { href: `#/deployments/${d.id}` }, d.id)),
      h("td", {}, d.packageVersionName || d.packageVersionId),
      h("td", { class: `status ${d.status.replace(" ", "")}`, "data-status": d.status }, d.status),
      h("td", {}, time(d.scheduledStartTime)),
      h("td", {}, time(d.startTime)),
      h("td", {}, time(d.endTime)),
      h("td", {}, progressBar(d.jobs)),
      h("td", {}, d.cancelable ? h("button", guard("PushUpgrade", { type: "button", class: "cancel", onclick: () => cancel(d.id).then(render).catch(showError) }), "Cancel") : "")));
    document.getElementById("list").replaceChildren(h("table", {},
      h("thead", {}, h("tr", {}, ["Deployment", "Version", "Status", "Scheduled", "Started", "Ended", "Progress", ""].map(t => h("th", {}, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 8 }, "No deployments yet.")))));
  };
  await render();
  refreshEvery(2000, render, page);
}
