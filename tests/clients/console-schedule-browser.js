// Drives the console's Schedule Push Upgrades page and the per-tenant drill-down in headless Chromium: Salesforce's
// filters (partial name, Sandbox, installed version), Select All across three pages, one deselected, the preview,
// Schedule; a two-wave deployment from the waves editor; a failed job's errors; a Read user who cannot preview or
// schedule; a phone's width. Prints one JSON line of what it saw; saves screenshots into PUSHAPI_SCREENSHOTS.
const { launch, openPage, unlabelled, signIn } = require("./browser");
const path = require("path");

const env = process.env;
const base = env.PUSHAPI_URL;
const shots = env.PUSHAPI_SCREENSHOTS;
const wait = { timeout: 90_000 };

// The target table has answered for the filter when its counts line carries the expected total.
const counts = async page => ({
  selected: Number(await page.getAttribute("#target-counts", "data-selected")),
  total: Number(await page.getAttribute("#target-counts", "data-total")),
});
const untilTotal = (page, total) => page.waitForSelector(`#target-counts[data-total="${total}"]`, wait);
const untilPage = (page, n) => page.waitForSelector(`#target-page[data-page="${n}"]`, wait);
const allChecked = page => page.$$eval("#target-list tbody input[type=checkbox]", boxes => boxes.length > 0 && boxes.every(b => b.checked));
const guarded = page => page.$$eval("#view button[data-needs]", buttons => buttons.map(b => ({ id: b.id, disabled: b.disabled, title: b.title })));

async function openSchedule(page) {
  await page.click("#nav-deploy");
  await page.click(`#schedule-packages a[href="#/schedule/${env.PACKAGE_ID}"]`);
  await page.waitForSelector("#target-counts[data-total]", wait);
}

(async () => {
  const browser = await launch();
  const results = { shownErrors: [], unlabelled: [] };
  const { page, consoleErrors } = await openPage(browser, { viewport: { width: 1280, height: 800 } });
  const shot = async (name, fullPage = true) => {
    for (const id of ["#error", "#schedule-error", "#target-error"]) {
      const text = await page.$eval(id, e => e.textContent).catch(() => "");
      if (text) results.shownErrors.push(`${name}: ${text}`);
    }
    for (const control of await unlabelled(page)) results.unlabelled.push(`${name}: ${control}`);
    await page.screenshot({ path: path.join(shots, name), fullPage });
  };
  try {
    await page.goto(`${base}/monitor/`);
    await signIn(page, env.PUSHAPI_USERNAME, env.PUSHAPI_PASSWORD);

    // 1. The page: the newest version by default; Salesforce's filters.
    await openSchedule(page);
    results.defaultVersion = await page.$eval("#schedule-version", s => s.value);
    const unfiltered = (await counts(page)).total;
    await page.fill("#target-search", "cme sand");
    await page.waitForFunction(n => Number(document.querySelector("#target-counts").dataset.total) !== n, unfiltered, wait);
    await page.selectOption("#target-org-type", "Sandbox");
    await page.selectOption("#target-installed", env.OLD_VERSION);
    await page.waitForFunction(() => document.querySelector("#target-hidden li"), null, wait);
    // The three filters' answer, not an earlier one's (on a busy machine the first answers land late): a filter
    // that selects the wrong orgs never reaches the expected total, and the wait fails.
    await untilTotal(page, env.EXPECTED_TOTAL);
    await page.waitForLoadState("networkidle"); // the last filter's answer has landed (answers of older filters are dropped)
    results.total = (await counts(page)).total;
    results.hidden = Object.fromEntries(await page.$$eval("#target-hidden li", items => items.map(li => [li.dataset.reason, Number(li.dataset.count)])));
    results.scheduleDisabledBeforePreview = await page.$eval("#schedule", b => b.disabled);

    // 2. Select All across all pages; go through three of them; deselect one on the third.
    await page.click("#select-all");
    results.pagesVisited = [];
    results.allCheckedOnPages = [];
    for (let n = 1; n <= 3; n++) {
      if (n > 1) { await page.click("#target-next"); await untilPage(page, n); }
      results.pagesVisited.push(Number(await page.getAttribute("#target-page", "data-page")));
      results.allCheckedOnPages.push(await allChecked(page));
    }
    const row = await page.$("#target-list tbody tr[data-org]");
    results.deselected = await row.getAttribute("data-org");
    await row.$eval("input[type=checkbox]", box => box.click());
    results.selectedAfterDeselect = (await counts(page)).selected;
    await page.click("#target-previous");
    await untilPage(page, 2);
    await page.click("#target-next");
    await untilPage(page, 3);
    results.deselectedStaysUnchecked = !(await page.$eval(`#target-list tr[data-org="${results.deselected}"] input`, b => b.checked));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("console-schedule.png", false); // the viewport: filters, Select All, hidden counts (docs/images)
    await shot("console-schedule-full.png");

    // 3. Preview; a change disables Schedule again until a new preview; Schedule.
    await page.click("#preview");
    await page.waitForSelector("#preview-count", wait);
    results.previewCount = Number(await page.getAttribute("#preview-count", "data-count"));
    results.previewReasons = await page.$$eval("#preview-reasons li", items => items.map(li => li.textContent));
    await page.waitForSelector("#schedule:not([disabled])");
    await page.$eval("#preview-report", e => e.scrollIntoView({ block: "end" }));
    await shot("console-schedule-preview.png", false);
    await page.check("#opt-notify");
    results.scheduleDisabledAfterChange = await page.$eval("#schedule", b => b.disabled);
    await page.uncheck("#opt-notify");
    await page.click("#preview");
    await page.waitForSelector("#schedule:not([disabled])", wait);
    await page.click("#schedule");
    await page.waitForURL(/#\/deployments\/0DV/, wait);
    await page.waitForSelector("#detail-status");
    results.scheduledId = page.url().split("/").pop();

    // 4. Two waves from the waves editor: half of the six "Wave Org" tenants, then the rest.
    await openSchedule(page);
    await page.fill("#target-search", "Wave Org");
    await untilTotal(page, 6);
    await page.click("#select-all");
    await page.click("#add-wave");
    await page.click("#add-wave");
    await page.click("#add-wave");
    await page.click("li.wave[data-wave='3'] .wave-remove");
    await page.fill("li.wave[data-wave='1'] .wave-name", "everyone else");
    await page.selectOption("li.wave[data-wave='1'] .wave-kind", "rest");
    await page.fill("li.wave[data-wave='2'] .wave-name", "canary");
    await page.selectOption("li.wave[data-wave='2'] .wave-kind", "percent");
    await page.fill("li.wave[data-wave='2'] input[type=number]:not(.wave-bake)", "50");
    await page.fill("li.wave[data-wave='2'] .wave-bake", "0");
    await page.click("li.wave[data-wave='2'] .wave-up");
    await page.fill("#opt-halt-rate", "50");
    await page.fill("#opt-min-jobs", "2");
    await page.click("#preview");
    await page.waitForSelector("#preview-waves", wait);
    results.previewWaves = await page.$$eval("#preview-waves tbody tr", rows => rows.map(r => Number(r.dataset.orgs)));
    await shot("console-schedule-waves.png");
    await page.click("#schedule");
    await page.waitForURL(/#\/deployments\/0DV/, wait);
    await page.waitForSelector("#waves");
    results.wavesId = page.url().split("/").pop();

    // 5. The failed job's drill-down.
    await page.goto(`${base}/monitor/#/deployments/${env.FAILED_ID}`);
    await page.click(`a.job-tenant[data-org="${env.FAILED_ORG}"]`, wait);
    await page.waitForSelector("#job-errors", wait);
    await page.waitForSelector("#job-plan", wait);
    results.drillStatus = await page.getAttribute("#job-status", "data-status");
    results.drillErrors = await page.textContent("#job-errors");
    results.drillPlanNotice = Boolean(await page.$("#plan-not-recorded"));
    results.drillPlan = await page.textContent("#job-plan");
    await shot("console-job.png", false);

    // 6. A Read user sees the page and cannot preview or schedule.
    await signIn(page, env.READER_USERNAME, env.READER_PASSWORD);
    await openSchedule(page);
    results.reader = await guarded(page);
    results.readerTotal = (await counts(page)).total;
    await shot("console-schedule-read-only.png");

    // A phone's width: the page itself does not scroll sideways (the table scrolls inside its card).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    results.phoneWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot("console-schedule-phone.png");

    results.consoleErrors = consoleErrors;
    console.log(JSON.stringify(results));
  } catch (error) {
    await shot("console-failure.png").catch(() => {});
    console.error("Browser test failed:", error, "\nconsole errors:", consoleErrors, "\nseen so far:", JSON.stringify(results));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
