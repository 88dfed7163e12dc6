// A deployment's job, per tenant (#/deployments/{id}/jobs/{jobId}): the job (status, times), its tenant, every
// PackagePushError with its details (GET /api/v1/deployments/{id}/jobs/{jobId}), and the tenant's install plan for
// the deployment's version. The plan a job applied is not recorded anywhere, so the page shows the plan as it would
// be now (with the request's roles settings), and says so.
import { api, h, refreshEvery, state, stopRefreshing, time, view } from "../core.js";

const finished = ["Succeeded", "Failed", "Canceled"];

function planCard(plan, versionId) {
  if (!plan) return h("p", { class: "muted" }, "No plan: the tenant or the version is not known.");
  const groups = ["create", "update", "overwrite", "preserve", "orphan", "conflicts", "roles"].filter(g => plan[g] && plan[g].length);
  return h("div", { id: "job-plan", "data-kind": plan.kind },
    h("p", { class: "notice", id: "plan-not-recorded" }, "PushApi does not record the plan a job applied. This is the tenant's install plan for ",
      versionId, " as it is now, with the push request's roles settings (GET /api/v1/tenants/{orgKey}/install-plan): after a successful upgrade most items show as unchanged."),
    h("p", { id: "plan-counts" }, `Kind: ${plan.kind} · ` + Object.entries(plan.counts || { unchanged: plan.unchanged }).map(([k, n]) => `${n} ${k}`).join(" · ")),
    plan.errors && plan.errors.length ? h("ul", { class: "error", id: "plan-errors" }, plan.errors.map(e => h("li", {}, `${e.errorType} — ${e.title}: ${e.message}`))) : "",
    groups.length ? h("table", {}, h("thead", {}, h("tr", {}, ["Change", "Type", "Name", "Note"].map(t => h("th", {}, t)))),
      h("tbody", {}, groups.flatMap(g => plan[g].map(e => h("tr", {}, h("td", {}, g), h("td", {}, e.type || ""), h("td", {}, e.name || ""), h("td", {}, e.note || "")))))) : "");
}

function errorsCard(errors) {
  if (!errors.length) return h("p", { class: "muted", id: "job-no-errors" }, "No PackagePushError for this job.");
  return h("table", { id: "job-errors" },
    h("thead", {}, h("tr", {}, ["Type", "Title", "Severity", "Message", "Details"].map(t => h("th", {}, t)))),
    h("tbody", {}, errors.map(e => h("tr", { "data-error-type": e.errorType },
      h("td", {}, e.errorType), h("td", {}, e.errorTitle), h("td", {}, e.errorSeverity), h("td", {}, e.errorMessage),
      h("td", {}, h("pre", { class: "error-details" }, e.errorDetails || ""))))));
}

export async function jobView(deploymentId, jobId) {
  stopRefreshing();
  const page = state.page;
  const jobCard = h("div", { class: "card", id: "job-card" });
  const errorCard = h("div", { class: "card" }, h("h3", {}, "Errors (PackagePushError)"), h("div", { id: "job-errors-body" }));
  const planBox = h("div", { class: "card" }, h("h3", {}, "Install plan"), h("div", { id: "job-plan-body" }));
  view.replaceChildren(h("p", {}, h("a", { href: `#/deployments/${deploymentId}` }, `← deployment ${deploymentId}`)), jobCard, errorCard, planBox);

  let tenant = null;
  const render = async () => {
    const detail = await api(`/api/v1/deployments/${deploymentId}/jobs/${jobId}`);
    const job = detail.job;
    if (!tenant) {
      tenant = await api(`/api/v1/tenants/${job.orgKey}`).catch(() => ({ orgKey: job.orgKey, orgName: job.orgName }));
      const query = new URLSearchParams({ packageVersionId: detail.packageVersionId, rolesMode: detail.rolesMode });
      for (const role of detail.grantRoles || []) query.append("grantRoles", role);
      const plan = await api(`/api/v1/tenants/${job.orgKey}/install-plan?${query}`).catch(e => ({ failed: e.message }));
      document.getElementById("job-plan-body").replaceChildren(plan.failed ? h("p", { class: "error" }, plan.failed) : planCard(plan, detail.packageVersionId));
    }
    const waiting = job.waitingFor === "window" ? ` (waiting for its maintenance window${job.waitingUntil ? ` until ${time(job.waitingUntil)}` : ""})` : "";
    jobCard.replaceChildren(
      h("h2", {}, `Job ${job.id}`),
      h("p", {}, h("span", { class: `status ${job.status.replace(" ", "")}`, id: "job-status", "data-status": job.status }, job.status), waiting,
        ` · ${tenant.orgName || ""} (${tenant.orgKey})${tenant.orgType ? ` · ${tenant.orgType}` : ""}${tenant.orgStatus ? ` · ${tenant.orgStatus}` : ""}`),
      h("p", { class: "muted" }, `Started ${time(job.startTime) || "—"} · ended ${time(job.endTime) || "—"}${detail.durationSeconds != null ? ` · ${detail.durationSeconds} s` : ""}` +
        ` · request ${detail.requestId}${detail.requestId !== deploymentId ? " (a later wave of this deployment)" : ""} · ${detail.installMode} · roles ${detail.rolesMode}`));
    document.getElementById("job-errors-body").replaceChildren(errorsCard(detail.errors));
    if (finished.includes(job.status)) stopRefreshing();
  };
  await render();
  if (!finished.includes(document.getElementById("job-status").dataset.status)) refreshEvery(2000, render, page);
}
