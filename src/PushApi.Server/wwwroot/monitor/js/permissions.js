// What the signed-in user may do, so that buttons they may not press are disabled with the reason.
//
// The API has no "who am I, with which permissions" endpoint yet, so the console asks:
//  * GET /api/v1/users, which only an Admin may read (Admin includes every other permission);
//  * otherwise a POST of each guarded action on a deployment id that cannot exist: 403
//    INSUFFICIENT_ACCESS means the permission is missing, anything else (404) that it is held. Those two
//    refused calls appear in the audit log as such.
import { api, state } from "./core.js";

const everything = ["Admin", "PushUpgrade", "Read", "ApprovePush"];
const noSuchDeployment = "0DV000000000000AAA";

export const reasons = {
  PushUpgrade: "Needs the PushUpgrade permission, which your user does not have.",
  ApprovePush: "Needs the ApprovePush permission, which your user does not have.",
  Admin: "Needs the Admin permission, which your user does not have.",
};

export async function loadPermissions() {
  if (await api("/api/v1/users").then(() => true, () => false)) return new Set(everything);
  const granted = ["Read"];
  if (await holds("halt")) granted.push("PushUpgrade");
  if (await holds("approve")) granted.push("ApprovePush");
  return new Set(granted);
}

async function holds(action) {
  try {
    await api(`/api/v1/deployments/${noSuchDeployment}/${action}`, { method: "POST", body: "{}" });
    return true;
  } catch (error) {
    return !(error.status === 403 && error.body && error.body.errorCode === "INSUFFICIENT_ACCESS");
  }
}

export const can = permission => Boolean(state.permissions && state.permissions.has(permission));

/** The attributes of a button that needs a permission: disabled, with the reason, when it is missing. */
export function guard(permission, attributes = {}) {
  const marked = { ...attributes, "data-needs": permission };
  if (can(permission)) return marked;
  return { ...marked, disabled: true, "aria-disabled": "true", title: reasons[permission], "data-reason": reasons[permission] };
}
