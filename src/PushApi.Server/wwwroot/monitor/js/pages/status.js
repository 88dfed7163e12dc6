// A deployment's status card (issue 16, mass operation status): its state, times, estimate, rollout and
// halt reason, waves with their bars, approval, the jobs waiting for a maintenance window, and the
// buttons that steer it, each disabled with the reason when the user's permissions do not allow it.
import { h, progressBar, time } from "../core.js";
import { guard } from "../permissions.js";

const statusClass = status => `status ${status.replace(" ", "")}`;

export function summaryCard(d, act) {
  return [
    h("h2", {}, `Deployment ${d.id}`),
    h("p", {}, h("span", { class: statusClass(d.status), id: "detail-status", "data-status": d.status }, d.status), ` · ${d.packageVersionName || d.packageVersionId}`,
      d.retryOf ? h("span", {}, " · retries ", h("a", { href: `#/deployments/${d.retryOf}` }, d.retryOf)) : ""),
    h("p", { class: "muted" }, `Scheduled ${time(d.scheduledStartTime) || "now"} · started ${time(d.startTime) || "—"} · ended ${time(d.endTime) || "—"}`),
    progressBar(d.jobs),
    estimateLine(d.estimate),
    rolloutLine(d.rollout),
    buttons(d, act),
  ];
}

function estimateLine(estimate) {
  if (!estimate) return "";
  const end = estimate.expectedEnd ? time(estimate.expectedEnd) : "unknown";
  const rate = estimate.jobsPerSecond ? ` at ${estimate.jobsPerSecond.toFixed(1)} jobs/s` : "";
  return h("p", { id: "estimate", "data-basis": estimate.basis }, `Expected end: ${end}${rate} (basis: ${estimate.basis})`);
}

function rolloutLine(rollout) {
  if (!rollout) return "";
  const threshold = rollout.haltOnFailureRate == null ? "never halts by itself"
    : `halts above ${(100 * rollout.haltOnFailureRate).toFixed(1)} % failures (judged from ${rollout.minJobs} jobs), then ${rollout.onHalt === "cancel" ? "cancels" : "holds"} the later waves`;
  return h("div", { id: "rollout", "data-state": rollout.state },
    h("p", {}, "Rollout: ", h("strong", { id: "rollout-state" }, rollout.state), ` · ${threshold}`),
    rollout.halt ? h("p", { class: "notice", id: "halt-reason", role: "status" },
      `Halted ${time(rollout.halt.at)}${rollout.halt.wave ? ` in wave '${rollout.halt.wave}'` : ""}${rollout.halt.by ? ` by ${rollout.halt.by}` : " automatically"}: ${rollout.halt.reason || "no reason recorded"}`) : "");
}

function buttons(d, act) {
  const running = d.status === "In Progress" || (d.rollout && d.rollout.state === "Running" && d.status === "Pending");
  const finished = d.jobs.remaining === 0 && !d.cancelable && !(d.rollout && d.rollout.state === "Running");
  const button = (id, label, permission, action) => h("button", guard(permission, { type: "button", id, onclick: () => act(action) }), label);
  return h("div", { class: "row actions" },
    running ? button("halt", "Halt", "PushUpgrade", "halt") : "",
    d.rollout && d.rollout.state === "Held" ? button("resume", "Resume", "PushUpgrade", "resume") : "",
    d.cancelable ? button("detail-cancel", "Cancel", "PushUpgrade", "cancel") : "",
    d.jobs.failed > 0 && finished ? button("retry", "Retry failed", "PushUpgrade", "retry") : "");
}

export function wavesTable(waves) {
  if (!waves || !waves.length) return "";
  return h("table", { id: "waves" },
    h("caption", {}, "Waves"),
    h("thead", {}, h("tr", {}, ["#", "Wave", "Status", "Progress", "Bake time", "Started", "Ended", "Next wave not before"].map(t => h("th", {}, t)))),
    h("tbody", {}, waves.map(w => h("tr", { "data-wave": w.name, "data-status": w.status },
      h("td", {}, String(w.number)), h("td", {}, w.name),
      h("td", { class: statusClass(w.status) }, w.status),
      h("td", {}, progressBar(w.counts)),
      h("td", {}, w.bakeTime && w.bakeTime !== "PT0S" ? w.bakeTime : "—"),
      h("td", {}, time(w.startTime) || "—"), h("td", {}, time(w.endTime) || "—"),
      h("td", {}, time(w.bakeUntil) || "—")))));
}

/** The approval: who asked, who decided, and — while it waits — the form to decide (for an approver). */
export function approvalCard(approval, decide) {
  if (!approval) return [];
  const asked = `Asked by ${approval.requestedBy || "?"} ${time(approval.requestedAt)}`;
  if (!approval.awaiting) {
    return [h("h3", {}, "Approval"), h("p", { id: "approval-decision", "data-decision": approval.decision || "" },
      `${approval.decision || "Decided"} by ${approval.decidedBy || "?"} ${time(approval.decidedAt)}${approval.comment ? `: “${approval.comment}”` : ""}. ${asked}.`)];
  }
  const comment = h("textarea", { id: "approval-comment", rows: 2, placeholder: "Why (required to reject)" });
  return [
    h("h3", {}, "Approval"),
    h("p", { id: "approval-awaiting", class: "notice", role: "status" }, `Awaiting approval by another user. ${asked}.`),
    h("label", { for: "approval-comment" }, "Comment"), comment,
    h("div", { class: "row actions" },
      h("button", guard("ApprovePush", { type: "button", id: "approve", onclick: () => decide("approve", comment.value) }), "Approve"),
      h("button", guard("ApprovePush", { type: "button", id: "reject", onclick: () => decide("reject", comment.value) }), "Reject")),
  ];
}
