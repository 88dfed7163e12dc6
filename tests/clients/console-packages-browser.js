// Drives the operator console's Packages pages in headless Chromium: builds a package with items (one pulls
// its dependencies in), removes one, publishes a version that fails the package criteria (shown item by item),
// fixes it in the console and publishes again, promotes, deprecates, downloads the ZIP and imports it through
// the console of a second server (a bad file too), and looks at everything as a Read user. Prints one JSON
// line of what it saw; saves screenshots into PUSHAPI_SCREENSHOTS (the ZIP too).
const { launch, openPage, unlabelled, adminApi } = require("./browser");
const path = require("path");

const env = process.env;
const base = env.PUSHAPI_URL;
const target = env.TARGET_URL;
const shots = env.PUSHAPI_SCREENSHOTS;
const wait = { timeout: 60_000 };

async function signIn(page, url, username, password, hash = "#/packages") {
  await page.goto(`${url}/monitor/${hash}`);
  if (await page.isVisible("#sign-out")) await page.click("#sign-out");
  await page.waitForSelector("#sign-in:not([hidden])");
  await page.fill("#username", username);
  await page.fill("#password", password);
  await page.click("#sign-in-button");
  await page.waitForSelector("#nav:not([hidden])");
}

const row = (type, name) => `#item-list tr[data-type="${type}"][data-name="${name}"]`;

async function addItem(page, type, name, definition) {
  await page.selectOption("#item-type", type);
  await page.fill("#item-name", name);
  await page.fill("#item-definition", JSON.stringify(definition));
  await page.click("#add-item-button");
}

const items = page => page.$$eval("#item-list tbody tr", rows => rows.map(r => ({
  type: r.dataset.type, name: r.dataset.name, selected: r.dataset.selected, included: r.cells[2].textContent, includedBy: r.cells[3].textContent, definition: r.cells[4].textContent })));
const problems = (page, selector) => page.$$eval(`${selector} table.problems tbody tr`, rows => rows.map(r => ({ item: r.cells[0].textContent, rule: r.cells[1].textContent, message: r.cells[2].textContent })));
const guarded = page => page.$$eval("#view [data-needs]", controls => controls.map(b => ({ id: b.id || b.className, label: b.textContent, disabled: b.disabled, title: b.title })));
const versionRow = id => `#version-list tr[data-id="${id}"]`;

async function publish(page, state) {
  await page.click("#tab-versions");
  await page.waitForSelector("#publish-button");
  if (state) await page.selectOption("#publish-state", state);
  await page.click("#publish-button");
}

(async () => {
  const browser = await launch();
  const results = { shownErrors: [], unlabelled: [] };
  const { page, consoleErrors } = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  const second = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  for (const p of [page, second.page]) p.on("dialog", dialog => dialog.accept());
  // The API calls refused (4xx), by method and path: only the ones the steps provoke may appear.
  results.refused = [];
  for (const p of [page, second.page]) p.on("response", r => { if (r.status() >= 400) results.refused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}${new URL(r.url()).search} (${p === page ? "first" : "second"} server)`); });
  const shot = async (name, on = page) => {
    const error = await on.$("#error");
    if (error) results.shownErrors.push(`${name}: ${await error.textContent()}`);
    for (const control of await unlabelled(on)) results.unlabelled.push(`${name}: ${control}`);
    await on.screenshot({ path: path.join(shots, name), fullPage: true });
  };
  try {
    // 1. Create a package and build its contents: the application pulls its object and tab in; a scratch object is removed.
    await signIn(page, base, env.PUSHAPI_USERNAME, env.PUSHAPI_PASSWORD);
    await page.waitForSelector("#create-package");
    await page.fill("#package-name", "Console Demo");
    await page.fill("#package-namespace", "cdemo");
    await page.selectOption("#package-category", "Application");
    await page.uncheck("#package-locked");
    await page.click("#create-package-button");
    await page.waitForURL(/#\/packages\/033\w+\/contents$/);
    results.packageId = page.url().split("/").slice(-2)[0];
    await page.waitForSelector("#item-list");
    await addItem(page, "Application", "Ops", { objects: ["Ticket"], tabs: ["Tickets"] });
    await page.waitForSelector(row("Object", "Ticket"));
    await addItem(page, "Field", "Ticket.Priority", { object: "Ticket", dataType: "Picklist" });
    await page.waitForSelector(row("Field", "Ticket.Priority"));
    await addItem(page, "Object", "Scratch", { label: "Scratch" });
    await page.waitForSelector(row("Object", "Scratch"));
    await page.click(`${row("Object", "Scratch")} button.remove`);
    await page.waitForSelector(row("Object", "Scratch"), { state: "detached" });
    results.items = await items(page);
    results.lockedShown = await page.textContent("#package-locked-state");
    await shot("console-package-contents.png");
    await addItem(page, "Field", "Broken", {});
    await page.waitForSelector("#add-item-problems");
    results.addProblems = await page.textContent("#add-item-problems");
    await shot("console-package-add-refused.png");

    // 2. Publish: the pulled-in object and tab have no definition, so the criteria refuse it, item by item.
    await publish(page);
    await page.waitForSelector("#publish-problems table.problems");
    results.criteria = await problems(page, "#publish-problems");
    await shot("console-package-criteria.png");
    await page.click("#tab-contents");
    await page.waitForSelector(`${row("Object", "Ticket")} button.define`);
    await page.click(`${row("Object", "Ticket")} button.define`);
    await page.fill("#item-definition", JSON.stringify({ label: "Ticket" }));
    await page.click("#add-item-button");
    await page.waitForSelector(`${row("Object", "Ticket")} button.remove`);
    await page.click(`${row("WebTab", "Tickets")} button.define`);
    await page.click("#add-item-button");
    await page.waitForSelector(`${row("WebTab", "Tickets")} button.remove`);
    results.fixedItems = await items(page);
    await publish(page);
    await page.waitForSelector("#published");
    results.published = await page.textContent("#published");
    results.betaId = await page.getAttribute("#version-list tbody tr", "data-id");

    // 3. Promote the Beta, download its ZIP, publish 1.1 Released.
    await page.click(`${versionRow(results.betaId)} button.promote`);
    await page.waitForSelector(`${versionRow(results.betaId)}[data-state=Released]`);
    const [download] = await Promise.all([page.waitForEvent("download", wait), page.click(`${versionRow(results.betaId)} button.download`)]);
    results.zipName = download.suggestedFilename();
    await download.saveAs(path.join(shots, results.zipName));
    await publish(page, "Released");
    await page.waitForSelector("#published");
    results.releasedId = await page.getAttribute("#version-list tbody tr", "data-id");

    // 4. Push Upgrades: a deployment of this package (made through the API) links to its page.
    const tenants = await adminApi("POST", "/api/v1/tenants/import", [{ orgName: "Console tenant", orgType: "Production", orgStatus: "Active", packageVersionId: results.betaId }]);
    const deployment = await adminApi("POST", "/api/v1/deployments", { packageVersionId: results.releasedId, targets: { orgKeys: [tenants.rows[0].orgKey] } });
    results.deploymentId = deployment.id;
    await page.click("#tab-push");
    await page.waitForSelector(`#package-deployments a[href="#/deployments/${deployment.id}"]`);
    results.pushRows = await page.$$eval("#package-deployments tbody tr", rows => rows.map(r => r.dataset.id));
    results.scheduleHref = await page.getAttribute("#schedule-push", "href");
    await shot("console-package-push.png");

    // 5. Deprecate 1.0 and look at the list.
    await page.click("#tab-versions");
    await page.click(`${versionRow(results.betaId)} button.deprecate`);
    await page.waitForSelector(`${versionRow(results.betaId)}[data-deprecated=true]`);
    await shot("console-package-versions.png");
    await page.click("#nav-packages");
    await page.waitForSelector(`#package-list tr[data-id="${results.packageId}"]`);
    results.listRow = await page.textContent(`#package-list tr[data-id="${results.packageId}"]`);
    await shot("console-packages.png");

    // 6. On the second server: a bad file is refused problem by problem, the downloaded ZIP is imported.
    // (Mass deployment is off there, as on any new installation, so the console starts on the import page, not the deployments.)
    await signIn(second.page, target, env.TARGET_USERNAME, env.TARGET_PASSWORD, "#/packages/import");
    await second.page.waitForSelector("#import-file");
    await second.page.setInputFiles("#import-file", env.BAD_ZIP);
    await second.page.click("#import-button");
    await second.page.waitForSelector("#import-problems");
    results.badFile = await problems(second.page, "#import-problems");
    results.badFileText = await second.page.textContent("#import-problems");
    await shot("console-package-import-error.png", second.page);
    await second.page.setInputFiles("#import-file", path.join(shots, results.zipName));
    await second.page.click("#import-button");
    await second.page.waitForSelector("#import-done");
    results.imported = { version: await second.page.getAttribute("#import-done", "data-version"), package: await second.page.getAttribute("#import-done", "data-package"), text: await second.page.textContent("#import-done") };
    await shot("console-package-import.png", second.page);

    // 7. A Read user: every write control on these pages is disabled, with the reason.
    await signIn(page, base, env.READER_USERNAME, env.READER_PASSWORD);
    results.reader = {};
    for (const [name, hash, ready] of [["list", "#/packages", "#create-package-button"], ["versions", `#/packages/${results.packageId}/versions`, "#publish-button"],
      ["contents", `#/packages/${results.packageId}/contents`, "#add-item-button"], ["push", `#/packages/${results.packageId}/push`, "#schedule-push"], ["import", "#/packages/import", "#import-button"]]) {
      await page.goto(`${base}/monitor/${hash}`);
      await page.waitForSelector(ready);
      results.reader[name] = await guarded(page);
    }
    await page.goto(`${base}/monitor/#/packages/${results.packageId}/contents`);
    await page.waitForSelector("#add-item-button");
    await shot("console-package-read-only.png");

    // A phone's width: no sideways scroll (the tables scroll inside their card).
    await page.setViewportSize({ width: 390, height: 844 });
    results.phoneWidth = 0;
    for (const [hash, ready] of [["versions", "#version-list"], ["contents", "#item-list"], ["push", "#package-deployments"]]) {
      await page.goto(`${base}/monitor/#/packages/${results.packageId}/${hash}`);
      await page.waitForSelector(ready);
      results.phoneWidth = Math.max(results.phoneWidth, await page.evaluate(() => document.documentElement.scrollWidth));
    }
    await page.goto(`${base}/monitor/#/packages`);
    await page.waitForSelector("#package-list");
    results.phoneWidth = Math.max(results.phoneWidth, await page.evaluate(() => document.documentElement.scrollWidth));
    await shot("console-package-phone.png");

    results.consoleErrors = [...consoleErrors, ...second.consoleErrors];
    console.log(JSON.stringify(results));
  } catch (error) {
    await shot("console-package-failure.png").catch(() => {});
    await shot("console-package-failure-second.png", second.page).catch(() => {});
    console.error("Browser test failed:", error, "\nconsole errors:", consoleErrors, second.consoleErrors, "\nseen so far:", JSON.stringify(results));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
