// PushApi operator console: plain browser JavaScript modules, no build step. It signs in with the
// service's token endpoint and reads /api/v1 with the bearer token. This module holds sign-in, the
// navigation and the hash router; each page is a module of its own under pages/.
import { state, view, showError, stopRefreshing } from "./core.js";
import { loadPermissions } from "./permissions.js";
import { listView } from "./pages/deployments.js";
import { detailView } from "./pages/deployment.js";
import { deployView } from "./pages/deploy.js";
import { packagesView } from "./pages/packages.js";
import { packageView } from "./pages/package.js";
import { importView } from "./pages/import.js";
import { packagePicker, scheduleView } from "./pages/schedule.js";
import { jobView } from "./pages/job.js";
import { tenantsView } from "./pages/tenants.js";
import { tenantView } from "./pages/tenant.js";
import { tenantImportView } from "./pages/tenant-import.js";
import { markSettingsLink, settingsView } from "./pages/settings.js";

// The pages, by hash: a pattern and the page it opens (the first that matches wins).
const routes = [
  { pattern: /^#\/deployments\/(0DV\w+)\/jobs\/(0DX\w+)$/, page: match => jobView(match[1], match[2]) },
  { pattern: /^#\/schedule\/(\w+)$/, page: match => scheduleView(match[1]) },
  { pattern: /^#\/schedule$/, page: () => packagePicker() },
  { pattern: /^#\/deployments\/(0DV\w+)$/, page: match => detailView(match[1]) },
  { pattern: /^#\/deploy$/, page: () => deployView() },
  { pattern: /^#\/packages\/import$/, page: () => importView() },
  { pattern: /^#\/packages\/(033\w+)(?:\/(versions|contents|push))?$/, page: match => packageView(match[1], match[2] || "versions") },
  { pattern: /^#\/packages$/, page: () => packagesView() },
  { pattern: /^#\/tenants\/import$/, page: () => tenantImportView() },
  { pattern: /^#\/tenants\/(00D\w+)$/, page: match => tenantView(match[1]) },
  { pattern: /^#\/tenants$/, page: () => tenantsView() },
  { pattern: /^#\/settings(\/\w+)?$/, page: match => settingsView(match[0]) },
  { pattern: /^/, page: () => listView() },
];

function signOut() {
  sessionStorage.clear();
  state.token = null;
  state.permissions = null;
  stopRefreshing();
  route();
}
state.onSignedOut = signOut;

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/services/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "password", username: form.get("username"), password: form.get("password") }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    document.getElementById("sign-in-error").textContent = body.error === "invalid_grant" || !body.error_description
      ? "Sign-in failed: wrong username or password." : `Sign-in failed: ${body.error_description}.`;
    return;
  }
  state.token = body.access_token;
  state.user = String(form.get("username"));
  sessionStorage.setItem("pushapi.token", state.token);
  sessionStorage.setItem("pushapi.user", state.user);
  route();
}

function markCurrent(hash) {
  for (const link of document.querySelectorAll("#nav a")) {
    let current = link.getAttribute("href") === hash || (hash.startsWith("#/deployments") && link.getAttribute("href") === "#/");
    current ||= ["#/packages", "#/schedule", "#/tenants", "#/settings"].some(section => hash.startsWith(section) && link.getAttribute("href") === section);
    if (current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
}

async function route() {
  stopRefreshing();
  const page = ++state.page;
  const signedIn = Boolean(state.token);
  document.getElementById("sign-in").hidden = signedIn;
  document.getElementById("nav").hidden = !signedIn;
  if (!signedIn) { view.replaceChildren(); return; }
  document.getElementById("who").textContent = state.user || "";
  const hash = location.hash || "#/";
  markCurrent(hash);
  try {
    if (!state.permissions) state.permissions = await loadPermissions();
    markSettingsLink();
    document.getElementById("who").title = `Permissions: ${[...state.permissions].join(", ")}`;
    for (const { pattern, page } of routes) {
      const match = hash.match(pattern);
      if (match) { await page(match); break; }
    }
  } catch (error) {
    if (page === state.page) showError(error);
  }
}

document.getElementById("sign-in-form").addEventListener("submit", event => signIn(event).catch(e => { document.getElementById("sign-in-error").textContent = e.message; }));
document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", route);
route();
