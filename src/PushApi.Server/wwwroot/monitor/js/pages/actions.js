// What the buttons of a deployment do: each goes through the public API, and the destructive ones ask
// first. They answer true when something changed (the page then re-reads the deployment).
import { api } from "../core.js";

const post = (id, action, body) => api(`/api/v1/deployments/${id}/${action}`, { method: "POST", body: JSON.stringify(body || {}) });

export async function cancel(id) {
  if (!confirm(`Cancel deployment ${id}? Its jobs that have not started are canceled.`)) return false;
  await post(id, "cancel");
  return true;
}

export async function halt(id) {
  if (!confirm(`Halt deployment ${id}? Jobs not started yet are canceled (running ones finish) and later waves are held.`)) return false;
  await post(id, "halt");
  return true;
}

export async function resume(id) {
  if (!confirm(`Resume deployment ${id}? Its next wave starts now.`)) return false;
  await post(id, "resume");
  return true;
}

export async function approve(id, comment) {
  await post(id, "approve", comment ? { comment } : {});
  return true;
}

export async function reject(id, comment) {
  if (!comment.trim()) throw new Error("Say why you reject it: the comment is required.");
  if (!confirm(`Reject deployment ${id}? It is canceled with its jobs.`)) return false;
  await post(id, "reject", { comment });
  return true;
}

export async function retry(id) {
  const preview = await post(id, "retry", { dryRun: true });
  if (!confirm(`Retry ${preview.report.eligible} failed tenants (${preview.report.targeted - preview.report.eligible} are no longer eligible)?`)) return false;
  const created = await post(id, "retry", {});
  location.hash = `#/deployments/${created.id}`;
  return false;
}

export async function exportCsv(id, token) {
  const response = await fetch(`/api/v1/deployments/${id}/failures?format=csv`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`The export failed: the server answered ${response.status}.`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = `deployment-${id}-failures.csv`;
  link.id = "csv-link";
  link.textContent = "download";
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}
