// Import from file (LongJump's Subscribe from File, for the package): a package ZIP made by another
// installation is uploaded to POST /api/v1/packages/import and stored with its ids; what is wrong with a
// refused file is listed problem by problem.
import { api, featureOffNotice, h, state, view } from "../core.js";
import { can, reasons } from "../permissions.js";
import { problemsBlock } from "./problems.js";

const importOff = "Install from file is turned off on this installation, so packages cannot be imported here. " +
  "An administrator turns it on with PATCH /api/v1/settings {\"installFromFileEnabled\": true}, " +
  "or by setting PushApi__Features__InstallFromFile=true in the service's environment and restarting it.";

export async function importView() {
  const page = state.page;
  const off = !(await api("/api/v1/settings")).installFromFileEnabled;
  if (page !== state.page) return;
  const blocked = off ? "Install from file is turned off" : !can("Admin") ? reasons.Admin : "";
  const result = h("div", { id: "import-result" });
  const form = h("form", { id: "import-form", class: "card" },
    h("h3", {}, "Import a package from file"),
    h("p", { class: "muted" }, "A package ZIP downloaded from another PushApi installation (Versions → Download ZIP). The package and version keep their ids; importing the same version again changes nothing."),
    h("label", {}, "Package file (.zip) ", h("input", { type: "file", name: "file", id: "import-file", accept: ".zip,application/zip", required: true, disabled: Boolean(blocked) })),
    h("button", { type: "submit", id: "import-button", "data-needs": "Admin", disabled: Boolean(blocked), "aria-disabled": blocked ? "true" : undefined, title: blocked || undefined, "data-reason": blocked || undefined }, "Import"),
    result);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    result.replaceChildren(h("p", { class: "muted" }, `Uploading ${file.name}…`));
    try {
      const imported = await api("/api/v1/packages/import", { method: "POST", body: file, headers: { "Content-Type": "application/zip" } });
      result.replaceChildren(h("p", { class: "notice", id: "import-done", role: "status", "data-version": imported.versionId, "data-package": imported.packageId },
        imported.created ? "Imported version " : "Already here, nothing changed: version ", h("a", { href: `#/packages/${imported.packageId}/versions` }, imported.versionId),
        ` of package ${imported.packageId}.`));
    } catch (error) {
      result.replaceChildren(problemsBlock(error, "import-problems"));
    }
  });
  view.replaceChildren(h("p", {}, h("a", { href: "#/packages" }, "← all packages")), h("h2", {}, "Import from file"), off ? featureOffNotice(importOff) : "", form);
}
