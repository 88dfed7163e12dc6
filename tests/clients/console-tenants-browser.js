// Drives the operator console's Tenants pages and Settings and audit in headless Chromium: the tenant list (search by
// a part of a name and by an exact org id, paging), a tenant page (components, installs, jobs, the opt-out saved), a
// CSV import with a bad row, the feature switches, an API client's secret shown once, a webhook added and deleted, the
// audit log, and a Read user. Prints one JSON line of what it saw; saves screenshots into PUSHAPI_SCREENSHOTS.
const { launch, openPage, unlabelled, signIn } = require("./browser");
const path = require("path");

const env = process.env;
const base = env.PUSHAPI_URL;
const shots = env.PUSHAPI_SCREENSHOTS;
const wait = { timeout: 30_000 };

const listKeys = page => page.$$eval("#tenant-list tbody tr[data-org]", rows => rows.map(r => r.dataset.org));

async function search(page, text) {
  await page.fill("#tenant-search", text);
  await page.click("#tenant-search-button");
  await page.waitForFunction(t => document.querySelector("#tenant-list caption")?.textContent.includes(t), text, wait);
  return listKeys(page);
}

const guarded = page => page.$$eval("#view button[data-needs]", buttons => buttons.map(b => ({ id: b.id, disabled: b.disabled, title: b.title })));
const phoneWidth = page => page.evaluate(() => document.documentElement.scrollWidth);

async function tenantsAndImport(page, shot, results) {
  // The list: a part of the name, the exact org id, and 60 matches over two pages.
  await page.click("#nav-tenants");
  await page.waitForSelector("#tenant-list");
  results.partialSearch = await search(page, "alpha tenant");
  results.tenantRowPackages = await page.textContent(`#tenant-list tr[data-org="${env.TENANT_KEY}"] .packages`);
  results.exactSearch = await search(page, env.TENANT_KEY);
  const first = await search(page, "console paging");
  await shot("console-tenants.png");
  await page.setViewportSize({ width: 390, height: 800 });
  results.phoneWidths.push(await phoneWidth(page));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click("#tenants-next");
  await page.waitForFunction(() => document.querySelector("#tenants-page")?.textContent.startsWith("Page 2"), null, wait);
  const second = await listKeys(page);
  await page.click("#tenants-previous");
  await page.waitForFunction(() => document.querySelector("#tenants-page")?.textContent.startsWith("Page 1"), null, wait);
  results.pagingCounts = [first.length, second.length, (await listKeys(page)).length];
  results.pagedKeysUnique = new Set([...first, ...second]).size === first.length + second.length;

  // The tenant page: components, the install, the job and its deployment; the opt-out saved.
  await search(page, env.TENANT_KEY);
  await page.click(`#tenant-list a[href="#/tenants/${env.TENANT_KEY}"]`);
  await page.waitForSelector("#tenant-components tbody tr[data-origin]", wait);
  await page.waitForSelector("#tenant-jobs tbody tr[data-job]", wait);
  results.tenantKey = page.url().split("/").pop();
  results.components = await page.$$eval("#tenant-components tbody tr[data-origin]", rows => rows.map(r => ({ name: r.dataset.name, origin: r.dataset.origin })));
  results.installs = await page.$$eval("#tenant-installs tbody tr", rows => rows.map(r => r.textContent));
  results.historyNote = await page.textContent("#no-history-note");
  results.jobs = await page.$$eval("#tenant-jobs tbody tr[data-job]", rows => rows.map(r => ({ status: r.dataset.status, deployment: r.querySelector("a.deployment-link").getAttribute("href") })));
  await shot("console-tenant.png", true);
  await page.check("#edit-opt-out");
  await page.click("#tenant-save");
  await page.waitForFunction(() => document.querySelector("#tenant-opt-out")?.textContent.includes("Opted out"), null, wait);
  results.optOutShown = await page.textContent("#tenant-opt-out");
  await page.setViewportSize({ width: 390, height: 800 });
  results.phoneWidths.push(await phoneWidth(page));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click("#tenant-jobs a.deployment-link");
  await page.waitForSelector("#detail-status", wait);
  results.openedDeployment = page.url();

  // The CSV import: the bar reaches 100 % and each row's result is shown, the bad one's in words.
  await page.goto(`${base}/monitor/#/tenants/import`);
  await page.waitForSelector("#import-file");
  await page.setInputFiles("#import-file", env.CSV_FILE);
  await page.click("#import-submit");
  await page.waitForSelector("#import-results", wait);
  results.importProgress = Number(await page.getAttribute("#import-progress", "data-progress"));
  results.importRows = await page.$$eval("#import-results tbody tr", rows => rows.map(r => ({ outcome: r.dataset.outcome, message: r.querySelector(".row-message").textContent })));
  await shot("console-tenant-import.png");
  await page.setViewportSize({ width: 390, height: 800 });
  results.phoneWidths.push(await phoneWidth(page));
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function settings(page, shot, results) {
  await page.click("#nav-settings");
  await page.waitForSelector("#switches");
  results.massDeploymentLocked = await page.isDisabled("#switch-massDeploymentEnabled");
  await page.click("#switch-requireApproval");
  await page.waitForFunction(() => document.querySelector("#switch-requireApproval-state")?.textContent === "on", null, wait);
  results.switchShown = await page.textContent("#switch-requireApproval-state");
  await shot("console-settings.png");

  // An API client: its secret once, with the copy button and the warning; not after a reload.
  await page.click("text=Users and API clients");
  await page.waitForSelector("#client-form");
  await page.fill("#client-name", "console-ci");
  await page.check("#client-permission-PushUpgrade");
  await page.click("#client-create");
  await page.waitForSelector("#client-secret-value", wait);
  results.clientSecret = await page.inputValue("#client-secret-value");
  results.clientId = await page.textContent("#new-client-id");
  results.secretWarning = await page.textContent("#client-secret");
  await page.waitForSelector("#client-secret-copy");
  await shot("console-api-client.png");
  await page.reload();
  await page.waitForSelector(`#client-list tr[data-client="${results.clientId}"]`, wait);
  results.secretAfterReload = (await page.$("#client-secret")) !== null || (await page.content()).includes(results.clientSecret);
  await page.setViewportSize({ width: 390, height: 800 });
  results.phoneWidths.push(await phoneWidth(page));
  await page.setViewportSize({ width: 1280, height: 800 });

  // A webhook on loopback, added then deleted.
  await page.click("text=Webhooks");
  await page.waitForSelector("#webhook-form");
  await page.fill("#webhook-url", env.WEBHOOK_URL);
  await page.click("#webhook-add");
  await page.waitForSelector(`#webhook-list tr[data-url="${env.WEBHOOK_URL}"] .delete-webhook`, wait);
  results.webhookAdded = true;
  await page.click(`#webhook-list tr[data-url="${env.WEBHOOK_URL}"] .delete-webhook`);
  await page.waitForSelector(`#webhook-list tr[data-url="${env.WEBHOOK_URL}"] .delete-webhook`, { state: "detached", ...wait });

  // The audit log shows those actions (it is written as requests end: look again until they are there).
  await page.click("text=Audit log");
  await page.waitForSelector("#audit-list");
  const wanted = ["PATCH /api/v1/settings", "POST /api/v1/api-clients", "POST /api/v1/webhooks", "DELETE /api/v1/webhooks/{id:long}"];
  for (let i = 0; i < 30; i++) {
    results.auditActions = await page.$$eval("#audit-list tbody tr[data-action]", rows => rows.map(r => r.dataset.action));
    if (wanted.every(a => results.auditActions.includes(a))) break;
    await page.waitForTimeout(500);
    await page.click("#audit-apply");
    await page.waitForTimeout(200);
  }
  await shot("console-audit.png");
  await page.setViewportSize({ width: 390, height: 800 });
  results.phoneWidths.push(await phoneWidth(page));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.fill("#audit-action", "POST /api/v1/webhooks");
  await page.click("#audit-apply");
  await page.waitForFunction(() => [...document.querySelectorAll("#audit-list tbody tr[data-action]")].every(r => r.dataset.action.startsWith("POST /api/v1/webhooks")), null, wait);
  results.auditFiltered = await page.$$eval("#audit-list tbody tr[data-action]", rows => rows.map(r => r.dataset.action));
}

async function reader(page, shot, results) {
  await signIn(page, env.READER_USERNAME, env.READER_PASSWORD);
  results.readerButtons = [];
  await page.goto(`${base}/monitor/#/tenants`);
  await page.waitForSelector("#tenant-list");
  results.readerButtons.push(...await guarded(page));
  await page.goto(`${base}/monitor/#/tenants/${env.TENANT_KEY}`);
  await page.waitForSelector("#tenant-jobs tbody tr", wait);
  results.readerTenantTitle = await page.textContent("#view h2");
  results.readerButtons.push(...await guarded(page));
  await shot("console-tenant-read-only.png");
  await page.goto(`${base}/monitor/#/tenants/import`);
  await page.waitForSelector("#import-form");
  results.readerButtons.push(...await guarded(page));
  results.readerSettingsLink = `${await page.getAttribute("#nav-settings", "aria-disabled")} ${await page.getAttribute("#nav-settings", "title")}`;
  await page.goto(`${base}/monitor/#/settings`);
  await page.waitForSelector("#settings-refused");
  results.readerSettingsPage = await page.textContent("#settings-refused");
}

(async () => {
  const browser = await launch();
  const results = { phoneWidths: [], shownErrors: [], unlabelled: [] };
  const { page, consoleErrors } = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  page.on("dialog", dialog => dialog.accept());
  const shot = async (name, fullPage = false) => {
    const error = await page.$("#error");
    if (error) results.shownErrors.push(`${name}: ${await error.textContent()}`);
    for (const control of await unlabelled(page)) results.unlabelled.push(`${name}: ${control}`);
    await page.screenshot({ path: path.join(shots, name), fullPage });
  };
  try {
    await page.goto(`${base}/monitor/`);
    await signIn(page, env.PUSHAPI_USERNAME, env.PUSHAPI_PASSWORD);
    await tenantsAndImport(page, shot, results);
    await settings(page, shot, results);
    await reader(page, shot, results);
  } catch (error) {
    await page.screenshot({ path: path.join(shots, "failure.png"), fullPage: true }).catch(() => {});
    console.error(error);
    console.error(JSON.stringify({ ...results, consoleErrors }));
    process.exitCode = 1;
  } finally {
    results.consoleErrors = consoleErrors;
    console.log(JSON.stringify(results));
    await browser.close();
  }
})();
