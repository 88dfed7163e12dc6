// What the signed-in user may do, so that buttons they may not press are disabled with the reason:
// GET /api/v1/me answers the user's effective permissions (Admin includes the others, PushUpgrade includes Read).
import { api, state } from "./core.js";

export const reasons = {
  PushUpgrade: "Needs the PushUpgrade permission, which your user does not have.",
  ApprovePush: "Needs the ApprovePush permission, which your user does not have.",
  Admin: "Needs the Admin permission, which your user does not have.",
};

export async function loadPermissions() {
  const me = await api("/api/v1/me");
  return new Set(me.effective);
}

export const can = permission => Boolean(state.permissions && state.permissions.has(permission));

/** The attributes of a button that needs a permission: disabled, with the reason, when it is missing. */
export function guard(permission, attributes = {}) {
  const marked = { ...attributes, "data-needs": permission };
  if (can(permission)) return marked;
  return { ...marked, disabled: true, "aria-disabled": "true", title: reasons[permission], "data-reason": reasons[permission] };
}
