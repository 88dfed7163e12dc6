// Schedule Push Upgrades: the options. Tenant e-mails, install mode, roles mode, the waves editor and the
// halt threshold (haltOnFailureRate, minJobs, onHalt), as POST /api/v1/deployments takes them.
import { h } from "../core.js";
import { wavesEditor } from "./waves-editor.js";

export function scheduleOptions(onChange, onInstallMode) {
  const waves = wavesEditor(onChange);
  const notify = h("input", { type: "checkbox", id: "opt-notify" });
  const installMode = h("select", { id: "opt-install-mode", onchange: () => onInstallMode(installMode.value) },
    h("option", { value: "upgrade" }, "Upgrade tenants that have the package"),
    h("option", { value: "installOrUpgrade" }, "Install or upgrade (tenants without the package too)"));
  const rolesMode = h("select", { id: "opt-roles-mode" },
    h("option", { value: "" }, "default (merge)"), ["merge", "override", "ignore"].map(m => h("option", { value: m }, m)));
  const rate = h("input", { type: "number", id: "opt-halt-rate", min: 0, max: 99.9, step: "any", placeholder: "none" });
  const minJobs = h("input", { type: "number", id: "opt-min-jobs", min: 1, placeholder: "10" });
  const onHalt = h("select", { id: "opt-on-halt" }, h("option", { value: "hold" }, "hold the later waves"), h("option", { value: "cancel" }, "cancel the later waves"));

  const element = h("div", { class: "card", id: "options" },
    h("h3", {}, "Options"),
    h("label", {}, notify, " E-mail each upgraded tenant (its contact address)"),
    h("div", { class: "row" },
      h("label", {}, "Install mode ", installMode),
      h("label", {}, "Roles ", rolesMode)),
    waves.element,
    h("fieldset", { id: "halt-fieldset" }, h("legend", {}, "Halt threshold (optional)"),
      h("div", { class: "row" },
        h("label", {}, "Halt when more than ", rate, " % of a wave's finished jobs failed"),
        h("label", {}, "judged after ", minJobs, " finished jobs"),
        h("label", {}, "and then ", onHalt))));

  return {
    element,
    installMode: () => installMode.value,
    /** The options part of the request. */
    value() {
      const options = { notifyTenants: notify.checked, installMode: installMode.value, waves: waves.value() };
      if (rolesMode.value) options.rolesMode = rolesMode.value;
      if (rate.value !== "") {
        options.haltOnFailureRate = Number(rate.value) / 100;
        options.onHalt = onHalt.value;
        if (minJobs.value !== "") options.minJobs = Number(minJobs.value);
      }
      return options;
    },
  };
}
