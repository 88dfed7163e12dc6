// The Deploy form: a version, all / selective / filter targets, immediate or scheduled, tenant mails;
// a dry-run preview (who is left out and why) comes before the deployment is created.
import { api, featureOffNotice, h, massDeploymentOff, stopRefreshing, view } from "../core.js";
import { can, reasons } from "../permissions.js";

// Newest first within each package, so the form starts on the newest released version.
const newestFirst = (a, b) => (b.majorVersion - a.majorVersion) || (b.minorVersion - a.minorVersion) || ((b.patchVersion ?? 0) - (a.patchVersion ?? 0));

async function releasedVersions() {
  const options = [];
  for (const p of await api("/api/v1/packages")) {
    const versions = (await api(`/api/v1/packages/${p.id}/versions`)).filter(v => v.releaseState === "Released" && !v.isDeprecated).sort(newestFirst);
    for (const v of versions) {
      options.push(h("option", { value: v.id }, `${p.name} ${v.majorVersion}.${v.minorVersion}.${v.patchVersion ?? 0} (${v.id})`));
    }
  }
  return options;
}

function deployForm(options, blocked) {
  return h("form", { id: "deploy-form" },
    h("label", {}, "Version ", h("select", { name: "version", id: "deploy-version", required: true }, options)),
    h("fieldset", {}, h("legend", {}, "Tenants"),
      h("label", {}, h("input", { type: "radio", name: "targets", value: "all", checked: true }), " All tenants of the package"),
      h("label", {}, h("input", { type: "radio", name: "targets", value: "orgKeys", id: "targets-selective" }), " Selective tenants (one org key per line)"),
      h("textarea", { name: "orgKeys", id: "deploy-org-keys", placeholder: "00D…", "aria-label": "Org keys, one per line" }),
      h("label", {}, h("input", { type: "radio", name: "targets", value: "where", id: "targets-filter" }), " Filter (SOQL condition on PackageSubscriber)"),
      h("input", { name: "where", id: "deploy-where", placeholder: "OrgType = 'Sandbox'", style: "width:100%", "aria-label": "SOQL condition" })),
    h("fieldset", {}, h("legend", {}, "When"),
      h("label", {}, h("input", { type: "radio", name: "when", value: "now", checked: true }), " Immediately"),
      h("label", {}, h("input", { type: "radio", name: "when", value: "later", id: "when-later" }), " At ", h("input", { type: "datetime-local", name: "at", id: "deploy-at" }))),
    h("label", {}, h("input", { type: "checkbox", name: "notify", id: "deploy-notify" }), " E-mail each upgraded tenant"),
    h("button", { type: "submit", id: "preview", "data-needs": "PushUpgrade", disabled: Boolean(blocked), "aria-disabled": blocked ? "true" : undefined, title: blocked || undefined }, "Preview"),
    h("p", { class: "error", id: "deploy-error", role: "alert" }));
}

function input(form, dryRun) {
  const data = new FormData(form);
  const kind = data.get("targets");
  const targets = kind === "all" ? { all: true }
    : kind === "orgKeys" ? { orgKeys: String(data.get("orgKeys")).split(/[\s,]+/).filter(Boolean) }
    : { where: String(data.get("where")) };
  const at = data.get("when") === "later" && data.get("at") ? new Date(String(data.get("at"))).toISOString() : undefined;
  return { packageVersionId: data.get("version"), targets, scheduledStartTime: at, notifyTenants: data.get("notify") === "on", dryRun };
}

function previewReport(r, onConfirm) {
  return h("div", { class: "card", id: "preview-report" },
    h("h3", {}, "Preview"),
    h("p", {}, h("strong", { id: "eligible-count" }, String(r.eligible)), ` of ${r.targeted} targeted tenants will be upgraded; `,
      h("strong", { id: "left-out-count" }, String(r.targeted - r.eligible)), " left out."),
    h("ul", {}, Object.entries(r.leftOutByReason).map(([reason, count]) => h("li", { "data-reason": reason }, `${reason}: ${count}`))),
    r.leftOut.length ? h("table", { id: "left-out" },
      h("thead", {}, h("tr", {}, h("th", {}, "Org"), h("th", {}, "Reason"), h("th", {}, "Why"))),
      h("tbody", {}, r.leftOut.slice(0, 200).map(o => h("tr", {}, h("td", {}, o.orgKey), h("td", {}, o.reason), h("td", {}, o.message))))) : "",
    r.eligible > 0 ? h("button", { type: "button", id: "confirm-deploy", onclick: onConfirm }, `Deploy to ${r.eligible} tenants`) : "");
}

export async function deployView() {
  stopRefreshing();
  const off = !(await api("/api/v1/settings")).massDeploymentEnabled;
  const blocked = off ? "Mass deployment is turned off" : !can("PushUpgrade") ? reasons.PushUpgrade : "";
  const form = deployForm(await releasedVersions(), blocked);
  const report = h("div", { id: "report" });
  view.replaceChildren(h("h2", {}, "Deploy a version"), off ? featureOffNotice(massDeploymentOff) : "", form, report);
  const fail = error => { document.getElementById("deploy-error").textContent = error.message; };

  form.addEventListener("submit", async event => {
    event.preventDefault();
    if (blocked) return;
    document.getElementById("deploy-error").textContent = "";
    try {
      const preview = await api("/api/v1/deployments", { method: "POST", body: JSON.stringify(input(form, true)) });
      report.replaceChildren(previewReport(preview.report, () => confirmDeploy().catch(fail)));
    } catch (error) {
      fail(error);
    }
  });

  async function confirmDeploy() {
    const created = await api("/api/v1/deployments", { method: "POST", body: JSON.stringify(input(form, false)) });
    location.hash = `#/deployments/${created.id}`;
  }
}
