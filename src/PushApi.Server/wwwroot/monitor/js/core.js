// Shared by every page of the console: the element builder, the API client (errors in words, never raw
// JSON), the refresh timer and the confirmation of destructive actions.

export const state = {
  token: sessionStorage.getItem("pushapi.token"),
  user: sessionStorage.getItem("pushapi.user"),
  timer: null,
  // Bumped on every navigation: an answer that arrives for a page already left is dropped, not shown.
  page: 0,
  onSignedOut: () => {},
};

export const view = document.getElementById("view");

export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "style") element.style.cssText = value; // CSSOM, which the page's CSP allows (style attributes it does not)
    else if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) element.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  return element;
}

export async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: `Bearer ${state.token}`, ...(options.body ? { "Content-Type": "application/json" } : {}), ...(options.headers || {}) },
  });
  if (response.status === 401) { state.onSignedOut(); throw new Error("Your session ended; sign in again."); }
  const text = await response.text();
  const body = text && (response.headers.get("Content-Type") || "").includes("json") ? safeJson(text) : text;
  if (!response.ok) {
    const error = new Error(problemText(body, response));
    error.body = body;
    error.status = response.status;
    throw error;
  }
  return body;
}

function safeJson(text) {
  try { return JSON.parse(text); } catch { return text; }
}

/** A problem details document (or a Salesforce error array) in words. */
export function problemText(body, response) {
  const fallback = `The server answered ${response.status} ${response.statusText || ""}`.trim() + ".";
  if (Array.isArray(body)) return body.map(e => e.message).filter(Boolean).join(" ") || fallback;
  if (!body || typeof body !== "object") return (typeof body === "string" && body.length < 300 && !body.startsWith("<") && body) || fallback;
  const details = body.errors && typeof body.errors === "object" && !Array.isArray(body.errors)
    ? Object.entries(body.errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`).join("; ") : "";
  return [body.detail || body.title, details].filter(Boolean).join(" — ") || fallback;
}

export const time = value => (value ? new Date(value).toLocaleString() : "");

export function progressBar(jobs, attributes = {}) {
  const percent = n => (jobs.total ? (100 * n) / jobs.total : 0);
  const done = jobs.total ? Math.round((100 * (jobs.succeeded + jobs.failed + jobs.canceled)) / jobs.total) : 100;
  const remaining = jobs.remaining ?? jobs.total - jobs.succeeded - jobs.failed - jobs.canceled;
  return h("div", { class: "row", ...attributes },
    h("div", { class: "bar", role: "progressbar", "aria-valuenow": done, "aria-valuemin": 0, "aria-valuemax": 100, "data-progress": done },
      h("span", { class: "ok", style: `width:${percent(jobs.succeeded)}%` }),
      h("span", { class: "bad", style: `width:${percent(jobs.failed)}%` }),
      h("span", { class: "off", style: `width:${percent(jobs.canceled)}%` })),
    h("span", { class: "muted" }, `${done}% · ${jobs.succeeded} ok · ${jobs.failed} failed · ${jobs.canceled} canceled · ${remaining} to go`));
}

export function stopRefreshing() {
  clearInterval(state.timer);
  state.timer = null;
}

/** Polls render every ms while the page opened as number `page` is still the one shown. */
export function refreshEvery(ms, render, page) {
  if (page !== state.page) return;
  stopRefreshing();
  state.timer = setInterval(() => render().catch(error => { if (page === state.page) showError(error); }), ms);
}

// Mass deployment is a feature switch, off on a new installation: the console says so instead of failing.
export const massDeploymentOff = "Mass deployment is turned off on this installation, so nothing can be deployed from here. " +
  "An administrator turns it on with PATCH /api/v1/settings {\"massDeploymentEnabled\": true}, " +
  "or by setting PushApi__Features__MassDeployment=true in the service's environment and restarting it.";

export function featureOffNotice(text) {
  return h("p", { class: "notice", id: "feature-off", role: "status" }, text);
}

export function showError(error) {
  if (error.body && error.body.errorCode === "FEATURE_DISABLED") {
    stopRefreshing();
    view.replaceChildren(featureOffNotice(error.body.detail));
    return;
  }
  let box = document.getElementById("error");
  if (!box) { box = h("p", { id: "error", class: "error", role: "alert" }); view.prepend(box); }
  box.textContent = error.message;
}

export function clearError() {
  document.getElementById("error")?.remove();
}
