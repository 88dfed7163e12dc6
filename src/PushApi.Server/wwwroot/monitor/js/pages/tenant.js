// A tenant (#/tenants/{orgKey}): its details, opt-out and maintenance window (editable by Admin through
// PATCH /api/v1/tenants/{orgKey}), its installs, its components and its push jobs, each job linking to its deployment.
import { api, clearError, h, showError, state, time, view } from "../core.js";
import { guard } from "../permissions.js";
import { exclusionsText, windowText } from "./tenants.js";

const Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function details(t, listing) {
  const item = (term, value, id) => [h("dt", {}, term), h("dd", id ? { id } : {}, value ?? "—")];
  return h("div", { class: "card", id: "tenant-details" },
    h("h3", {}, "Details"),
    h("dl", { class: "facts" },
      item("Org id", t.orgKey), item("Name", t.orgName), item("Type", t.orgType, "tenant-type"), item("Status", t.orgStatus),
      item("Instance", t.instanceName), item("Parent org", t.parentOrg), item("Contact e-mail", t.contactEmail),
      item("Upgraded", t.agent ? `Remotely, through its agent at ${t.agent.url}` : "In the platform"),
      item("Opt-out of push upgrades", t.hasRestrictionEnabled ? "Opted out: pushes leave it out" : "No", "tenant-opt-out"),
      item("Maintenance window", windowText(t.maintenanceWindow), "tenant-window"),
      item("Excluded", listing ? exclusionsText(listing.exclusions, listing.installedPackages) : "—", "tenant-excluded"),
      item("Created", time(t.createdAt))));
}

function editForm(t, onSaved) {
  const w = t.maintenanceWindow;
  const form = h("form", { id: "tenant-edit", class: "card" },
    h("h3", {}, "Opt-out and maintenance window"),
    h("label", {}, h("input", { type: "checkbox", name: "optOut", id: "edit-opt-out", checked: t.hasRestrictionEnabled }), " Opted out of push upgrades (HasRestrictionEnabled)"),
    h("label", {}, h("input", { type: "checkbox", name: "noWindow", id: "edit-no-window", checked: !w }), " No maintenance window: upgrade at any time"),
    h("fieldset", {}, h("legend", {}, "Window"),
      h("label", {}, "Time zone (IANA) ", h("input", { name: "timeZone", id: "edit-time-zone", value: w?.timeZone ?? "UTC" })),
      h("div", { class: "row" }, Days.map(d => h("label", {}, h("input", { type: "checkbox", name: "days", value: d, checked: Boolean(w?.days?.includes(d)) }), ` ${d.slice(0, 3)}`))),
      h("label", {}, "From ", h("input", { type: "time", name: "start", id: "edit-start", value: w?.start ?? "02:00" })),
      h("label", {}, "Until ", h("input", { type: "time", name: "end", id: "edit-end", value: w?.end ?? "04:00" }))),
    h("button", guard("Admin", { type: "submit", id: "tenant-save" }), "Save"),
    h("span", { class: "muted", id: "tenant-saved", role: "status" }));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      hasRestrictionEnabled: data.get("optOut") === "on",
      maintenanceWindow: data.get("noWindow") === "on" ? null
        : { timeZone: String(data.get("timeZone")), days: data.getAll("days").map(String), start: String(data.get("start")), end: String(data.get("end")) },
    };
    try {
      clearError();
      await api(`/api/v1/tenants/${t.orgKey}`, { method: "PATCH", body: JSON.stringify(body) });
      await onSaved();
      document.getElementById("tenant-saved").textContent = "Saved.";
    } catch (error) {
      showError(error);
    }
  });
  return form;
}

function installs(installations, listing) {
  const packages = listing ? listing.installedPackages : [];
  const rows = installations.map(i => {
    const p = packages.find(x => x.packageId === i.packageId);
    return h("tr", { "data-package": i.packageId },
      h("td", {}, p ? p.packageName : i.packageId),
      h("td", {}, p ? `${p.versionNumber} (${i.packageVersionId})` : i.packageVersionId),
      h("td", {}, i.installedStatus === "i" ? "Installed" : "Uninstalled"),
      h("td", {}, p ? time(p.installedAt) : ""),
      h("td", {}, time(p ? p.changedAt : i.systemModstamp)));
  });
  return h("div", { class: "card", id: "tenant-installs" },
    h("h3", {}, "Install history"),
    h("p", { class: "muted", id: "no-history-note" }, "PushApi keeps no install history record, only each package's install as it is now: "
      + "when it was first installed and when it last changed (an upgrade, an uninstall or the opt-out). Every push is in the jobs below."),
    h("table", {}, h("thead", {}, h("tr", {}, ["Package", "Version", "Status", "Installed", "Last changed"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 5 }, "No package installed.")))));
}

/** A paged table inside a card: load(after) answers {records, nextAfter}; Next page and First page walk it. */
function pagedCard(id, title, headers, load, toRow, empty) {
  const card = h("div", { class: "card", id });
  const show = async after => {
    const answer = await load(after);
    const rows = answer.records.map(toRow);
    card.replaceChildren(h("h3", {}, title),
      h("table", {}, h("thead", {}, h("tr", {}, headers.map(t => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: headers.length }, empty)))),
      h("div", { class: "row actions" },
        after ? h("button", { type: "button", onclick: () => show(null).catch(showError) }, "First page") : "",
        answer.nextAfter ? h("button", { type: "button", class: "next", onclick: () => show(answer.nextAfter).catch(showError) }, "Next page") : ""));
  };
  return { card, show };
}

const componentRow = c => h("tr", { "data-origin": c.origin, "data-name": c.name },
  h("td", {}, c.type), h("td", {}, c.apiName || c.name), h("td", {}, c.parent ?? ""),
  h("td", {}, c.origin === "tenant" ? "The tenant's own" : `Package ${c.packageId}`),
  h("td", {}, c.packageVersionId ?? ""),
  h("td", {}, [c.modified ? "Modified by the tenant" : "", c.orphaned ? "Orphaned (no longer in the package)" : ""].filter(Boolean).join("; ")));

const jobRow = j => h("tr", { "data-job": j.id, "data-status": j.status },
  h("td", {}, j.id),
  h("td", {}, h("a", { href: `#/deployments/${j.deploymentId}`, class: "deployment-link" }, j.deploymentId)),
  h("td", {}, `${j.packageName} ${j.versionNumber}`),
  h("td", { class: `status ${j.status.replace(" ", "")}` }, j.status),
  h("td", {}, time(j.createdAt)), h("td", {}, time(j.startTime)), h("td", {}, time(j.endTime)),
  h("td", { class: "job-errors" }, j.errors.map(e => `${e.errorType}: ${e.errorTitle} — ${e.errorMessage}`).join(" · ")));

export async function tenantView(orgKey) {
  const page = state.page;
  const key = encodeURIComponent(orgKey);
  const load = () => Promise.all([
    api(`/api/v1/tenants/${key}`),
    api(`/api/v1/tenants?search=${key}&limit=1`),
    api(`/api/v1/tenants/${key}/installations`),
  ]);
  const render = async () => {
    const [tenant, lists, installations] = await load();
    if (page !== state.page) return;
    const listing = lists.records.find(r => r.orgKey === tenant.orgKey);
    const components = pagedCard("tenant-components", "Components", ["Type", "Name", "Parent", "From", "Version", "Changes"],
      after => api(`/api/v1/tenants/${key}/components?limit=100${after ? `&after=${after}` : ""}`), componentRow, "No components.");
    const jobs = pagedCard("tenant-jobs", "Push jobs (newest first)", ["Job", "Deployment", "Version", "Status", "Created", "Started", "Ended", "Errors"],
      after => api(`/api/v1/tenants/${key}/jobs?limit=20${after ? `&after=${after}` : ""}`), jobRow, "No push has reached this tenant.");
    view.replaceChildren(
      h("p", {}, h("a", { href: "#/tenants" }, "← Tenants")),
      h("h2", {}, `${tenant.orgName} `, h("span", { class: "muted" }, tenant.orgKey)),
      details(tenant, listing), installs(installations, listing), jobs.card, components.card, editForm(tenant, render));
    await Promise.all([components.show(null), jobs.show(null)]);
  };
  await render();
}
