// Schedule Push Upgrades (Salesforce's page): a package's version (newest first), the start (immediate or a
// local date and time, shown in UTC too), the target table (targets.js), the options (schedule-options.js),
// a dry-run preview, and Schedule — enabled only after a preview of exactly what the form says now.
import { api, featureOffNotice, h, massDeploymentOff, stopRefreshing, time, view } from "../core.js";
import { can, reasons } from "../permissions.js";
import { targetTable } from "./targets.js";
import { scheduleOptions } from "./schedule-options.js";

const newestFirst = (a, b) => b.majorVersion - a.majorVersion || b.minorVersion - a.minorVersion || (b.patchVersion ?? 0) - (a.patchVersion ?? 0) || (b.buildNumber ?? 0) - (a.buildNumber ?? 0);
const number = v => v.versionNumber || `${v.majorVersion}.${v.minorVersion}.${v.patchVersion ?? 0}`;

/** #/schedule: pick the package first. */
export async function packagePicker() {
  stopRefreshing();
  const packages = await api("/api/v1/packages");
  view.replaceChildren(h("h2", {}, "Schedule Push Upgrades"),
    h("div", { class: "card" }, h("p", {}, "Choose the package whose upgrade you want to push."),
      packages.length ? h("ul", { id: "schedule-packages" }, packages.map(p => h("li", {}, h("a", { href: `#/schedule/${p.id}` }, `${p.name}${p.namespacePrefix ? ` (${p.namespacePrefix})` : ""}`), ` · ${p.id}`)))
        : h("p", { class: "muted" }, "There is no package yet.")),
    h("p", { class: "muted" }, "A list of org keys or a SOQL condition instead: ", h("a", { href: "#/deploy", id: "quick-deploy" }, "the simple Deploy form"), "."));
}

function startFields(onChange) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  const at = h("input", { type: "datetime-local", id: "schedule-at", disabled: true, "aria-describedby": "schedule-utc" });
  const utc = h("span", { id: "schedule-utc", class: "muted" });
  const later = h("input", { type: "radio", name: "start", value: "later", id: "start-later" });
  const showUtc = () => {
    const value = later.checked && at.value ? new Date(at.value) : null;
    utc.textContent = value && !Number.isNaN(value.getTime()) ? `= ${value.toISOString().replace(/:\d\d\.\d+Z$/, "")} UTC` : "";
  };
  const element = h("fieldset", { id: "start-fieldset" }, h("legend", {}, "Scheduled start"),
    h("label", {}, h("input", { type: "radio", name: "start", value: "now", id: "start-now", checked: true }), " Immediate"),
    h("div", { class: "row" }, h("label", {}, later, " At"), h("label", { for: "schedule-at" }, `date and time (${zone})`), at, utc));
  element.addEventListener("change", () => { at.disabled = !later.checked; showUtc(); onChange(); });
  at.addEventListener("input", showUtc);
  return { element, value: () => (later.checked && at.value ? new Date(at.value).toISOString() : undefined) };
}

function previewCard(r) {
  const report = r.report;
  const left = Object.entries(report.leftOutByReason || {});
  return [
    h("h3", {}, "Preview"),
    h("p", {}, h("strong", { id: "preview-count", "data-count": report.eligible }, String(report.eligible)),
      ` of ${report.targeted} targeted ${report.targeted === 1 ? "org" : "orgs"} will be upgraded; `,
      h("strong", { id: "preview-left-out", "data-count": report.targeted - report.eligible }, String(report.targeted - report.eligible)), " left out."),
    left.length ? h("ul", { id: "preview-reasons" }, left.map(([reason, count]) => h("li", { "data-reason": reason, "data-count": count }, `${reason}: ${count}`))) : "",
    r.waves && r.waves.length ? h("table", { id: "preview-waves" }, h("caption", {}, "Waves"),
      h("thead", {}, h("tr", {}, h("th", {}, "Wave"), h("th", {}, "Orgs"))),
      h("tbody", {}, r.waves.map(w => h("tr", { "data-wave": w.name, "data-orgs": w.orgs }, h("td", {}, w.name), h("td", {}, String(w.orgs)))))) : "",
    r.estimate ? h("p", { id: "preview-estimate", "data-basis": r.estimate.basis },
      `Expected end: ${r.estimate.expectedEnd ? time(r.estimate.expectedEnd) : "unknown"} (basis: ${r.estimate.basis})`) : "",
  ];
}

/** #/schedule/{packageId}: the page itself. */
export async function scheduleView(packageId) {
  stopRefreshing();
  const [settings, pkg, all] = await Promise.all([api("/api/v1/settings"), api(`/api/v1/packages/${packageId}`), api(`/api/v1/packages/${packageId}/versions`)]);
  const off = !settings.massDeploymentEnabled;
  const blocked = off ? "Mass deployment is turned off on this installation." : !can("PushUpgrade") ? reasons.PushUpgrade : "";
  const versions = all.filter(v => v.releaseState === "Released" && !v.isDeprecated).sort(newestFirst);
  let previewed = null; // the body the shown preview was made from

  const invalidate = () => {
    if (previewed === null) return;
    previewed = null;
    schedule.disabled = true;
    schedule.title = "Preview again: the form changed since the last preview.";
    preview.replaceChildren(h("p", { class: "muted", id: "preview-stale" }, "The form changed since the preview; preview again before scheduling."));
  };
  const version = h("select", { id: "schedule-version" }, versions.map(v => h("option", { value: v.id }, `${number(v)} — ${v.name} (${v.id})`)));
  const start = startFields(invalidate);
  const table = targetTable([...all].sort(newestFirst), invalidate);
  const options = scheduleOptions(invalidate, mode => table.use(version.value, mode).catch(fail));
  const preview = h("div", { class: "card", id: "preview-report", "aria-live": "polite" }, h("p", { class: "muted" }, "Preview the push to see who it reaches before scheduling it."));
  const error = h("p", { class: "error", id: "schedule-error", role: "alert" });
  const attrs = (id, label) => ({ type: "button", id, "data-needs": "PushUpgrade", disabled: Boolean(blocked), "aria-disabled": blocked ? "true" : undefined, title: blocked || undefined, "data-reason": blocked || undefined, "aria-label": label });
  const previewButton = h("button", { ...attrs("preview", "Preview (dry run)"), onclick: () => run(true).catch(fail) }, "Preview");
  const schedule = h("button", { ...attrs("schedule", "Schedule"), disabled: true, title: blocked || "Preview first: Schedule is enabled after a preview of the form as it is.", onclick: () => run(false).catch(fail) }, "Schedule");
  function fail(e) { error.textContent = e.message; }

  const body = dryRun => JSON.stringify({ packageVersionId: version.value, scheduledStartTime: start.value(), targets: table.targets(), ...options.value(), dryRun });
  async function run(dryRun) {
    if (blocked) return;
    error.textContent = "";
    if (!dryRun && previewed !== body(true)) { invalidate(); return; }
    const sent = body(dryRun);
    const answer = await api("/api/v1/deployments", { method: "POST", body: sent });
    if (!dryRun) { location.hash = `#/deployments/${answer.id}`; return; }
    preview.replaceChildren(...previewCard(answer));
    previewed = sent;
    schedule.disabled = false;
    schedule.removeAttribute("title");
    schedule.textContent = `Schedule (${answer.report.eligible} ${answer.report.eligible === 1 ? "org" : "orgs"})`;
  }

  const form = h("div", { id: "schedule-form" },
    h("div", { class: "card" },
      h("label", {}, "Version ", version),
      versions.length ? "" : h("p", { class: "notice" }, "This package has no released version that is not deprecated: nothing to push."),
      start.element),
    table.element, options.element,
    h("div", { class: "row actions" }, previewButton, schedule, blocked ? h("span", { class: "muted", id: "schedule-blocked" }, blocked) : ""),
    error, preview);
  form.addEventListener("input", invalidate);
  form.addEventListener("change", invalidate);
  version.addEventListener("change", () => table.use(version.value, options.installMode()).catch(fail));
  view.replaceChildren(
    h("p", {}, h("a", { href: "#/schedule" }, "← packages")),
    h("h2", {}, `Schedule Push Upgrades: ${pkg.name}`),
    off ? featureOffNotice(massDeploymentOff) : "",
    form);
  if (versions.length) await table.use(version.value, options.installMode());
}
