// A deployment's job, per tenant (#/deployments/{id}/jobs/{jobId}): the job (status, times), its tenant, every
// PackagePushError with its details, and the tenant's install plan for the deployment's version. /api/v1 has no
// single-job or per-job error endpoint, so the job and its errors are read with SOQL on the Salesforce REST API
// (the same token, the same public objects sf and CumulusCI read). The plan a job applied is not recorded
// anywhere, so the page shows the plan as it would be now, and says so.
import { api, h, refreshEvery, state, stopRefreshing, time, view } from "../core.js";

const soql = query => api(`/services/data/v66.0/query?q=${encodeURIComponent(query)}`);
const finished = ["Succeeded", "Failed", "Canceled"];

function planCard(plan, versionId) {
  if (!plan) return h("p", { class: "muted" }, "No plan: the tenant or the version is not known.");
  const groups = ["create", "update", "overwrite", "preserve", "orphan", "conflicts", "roles"].filter(g => plan[g] && plan[g].length);
  return h("div", { id: "job-plan", "data-kind": plan.kind },
    h("p", { class: "notice", id: "plan-not-recorded" }, "PushApi does not record the plan a job applied. This is the tenant's install plan for ",
      versionId, " as it is now (GET /api/v1/tenants/{orgKey}/install-plan): after a successful upgrade most items show as unchanged."),
    h("p", { id: "plan-counts" }, `Kind: ${plan.kind} · ` + Object.entries(plan.counts || { unchanged: plan.unchanged }).map(([k, n]) => `${n} ${k}`).join(" · ")),
    plan.errors && plan.errors.length ? h("ul", { class: "error", id: "plan-errors" }, plan.errors.map(e => h("li", {}, `${e.errorType} — ${e.title}: ${e.message}`))) : "",
    groups.length ? h("table", {}, h("thead", {}, h("tr", {}, ["Change", "Type", "Name", "Note"].map(t => h("th", {}, t)))),
      h("tbody", {}, groups.flatMap(g => plan[g].map(e => h("tr", {}, h("td", {}, g), h("td", {}, e.type || ""), h("td", {}, e.name || ""), h("td", {}, e.note || "")))))) : "");
}

function errorsCard(errors) {
  if (!errors.length) return h("p", { class: "muted", id: "job-no-errors" }, "No PackagePushError for this job.");
  return h("table", { id: "job-errors" },
    h("thead", {}, h("tr", {}, ["Type", "Title", "Severity", "Message", "Details"].map(t => h("th", {}, t)))),
    h("tbody", {}, errors.map(e => h("tr", { "data-error-type": e.ErrorType },
      h("td", {}, e.ErrorType || ""), h("td", {}, e.ErrorTitle || ""), h("td", {}, e.ErrorSeverity || ""), h("td", {}, e.ErrorMessage || ""),
      h("td", {}, h("pre", { class: "error-details" }, e.ErrorDetails || ""))))));
}

export async function jobView(deploymentId, jobId) {
  stopRefreshing();
  const page = state.page;
  const deployment = await api(`/api/v1/deployments/${deploymentId}`);
  const jobCard = h("div", { class: "card", id: "job-card" });
  const errorCard = h("div", { class: "card" }, h("h3", {}, "Errors (PackagePushError)"), h("div", { id: "job-errors-body" }));
  const planBox = h("div", { class: "card" }, h("h3", {}, "Install plan"), h("div", { id: "job-plan-body" }));
  view.replaceChildren(h("p", {}, h("a", { href: `#/deployments/${deploymentId}` }, `← deployment ${deploymentId}`)), jobCard, errorCard, planBox);

  let tenant = null;
  const render = async () => {
    const found = await soql(`SELECT Id, PackagePushRequestId, SubscriberOrganizationKey, Status, StartTime, EndTime, DurationSeconds FROM PackagePushJob WHERE Id = '${jobId.replace(/\W/g, "")}'`);
    const job = found.records[0];
    if (!job) throw new Error(`There is no job ${jobId}.`);
    if (!tenant) {
      tenant = await api(`/api/v1/tenants/${job.SubscriberOrganizationKey}`).catch(() => ({ orgKey: job.SubscriberOrganizationKey }));
      const plan = await api(`/api/v1/tenants/${tenant.orgKey}/install-plan?packageVersionId=${deployment.packageVersionId}`).catch(e => ({ failed: e.message }));
      document.getElementById("job-plan-body").replaceChildren(plan.failed ? h("p", { class: "error" }, plan.failed) : planCard(plan, deployment.packageVersionId));
    }
    const errors = await soql(`SELECT Id, ErrorType, ErrorTitle, ErrorSeverity, ErrorMessage, ErrorDetails FROM PackagePushError WHERE PackagePushJobId = '${job.Id}'`);
    jobCard.replaceChildren(
      h("h2", {}, `Job ${job.Id}`),
      h("p", {}, h("span", { class: `status ${job.Status.replace(" ", "")}`, id: "job-status", "data-status": job.Status }, job.Status),
        ` · ${tenant.orgName || ""} (${tenant.orgKey})${tenant.orgType ? ` · ${tenant.orgType}` : ""}${tenant.orgStatus ? ` · ${tenant.orgStatus}` : ""}`),
      h("p", { class: "muted" }, `Started ${time(job.StartTime) || "—"} · ended ${time(job.EndTime) || "—"}${job.DurationSeconds != null ? ` · ${job.DurationSeconds} s` : ""}` +
        ` · request ${job.PackagePushRequestId}${job.PackagePushRequestId !== deploymentId ? " (a wave of this deployment)" : ""}`));
    document.getElementById("job-errors-body").replaceChildren(errorsCard(errors.records));
    if (finished.includes(job.Status)) stopRefreshing();
  };
  await render();
  if (!finished.includes(document.getElementById("job-status").dataset.status)) refreshEvery(2000, render, page);
}
