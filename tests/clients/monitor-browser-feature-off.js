// The push monitor (/monitor) on an installation where mass deployment is switched off: the list
// says so instead of failing, and the Deploy form shows the reason with Preview (and so Deploy)
// disabled. Prints one JSON line of what it saw; saves a screenshot into PUSHAPI_SCREENSHOTS.
const { launch, openPage } = require("./browser");
const path = require("path");

const base = process.env.PUSHAPI_URL;
const shots = process.env.PUSHAPI_SCREENSHOTS;

(async () => {
  const browser = await launch();
  const results = {};
  const { page, consoleErrors } = await openPage(browser);
  try {
    await page.goto(`${base}/monitor`);
    await page.fill("#username", process.env.PUSHAPI_USERNAME);
    await page.fill("#password", process.env.PUSHAPI_PASSWORD);
    await page.click("#sign-in-button");
    await page.waitForSelector("#nav:not([hidden])");

    // The list: a notice, not an error.
    await page.waitForSelector("#feature-off");
    results.listNotice = await page.textContent("#feature-off");
    results.listError = (await page.$("#error")) !== null;

    // The Deploy form: the reason, and nothing to press.
    await page.click("#nav-deploy");
    await page.click("#quick-deploy"); // the nav opens Schedule Push Upgrades; the simple form is a link from it
    await page.waitForSelector("#deploy-form");
    results.deployNotice = await page.textContent("#feature-off");
    results.previewDisabled = await page.isDisabled("#preview");
    await page.screenshot({ path: path.join(shots, "monitor-feature-off.png"), fullPage: true });

    // Schedule Push Upgrades: the same notice, Preview and Schedule disabled with the reason.
    await page.click("#nav-deploy");
    await page.click("#schedule-packages a");
    await page.waitForSelector("#schedule-form");
    results.scheduleNotice = await page.textContent("#feature-off");
    results.scheduleButtons = await page.$$eval("#schedule-form button[data-needs]", buttons => buttons.map(b => ({ id: b.id, disabled: b.disabled, title: b.title })));
    await page.screenshot({ path: path.join(shots, "monitor-feature-off-schedule.png"), fullPage: true });
    results.consoleErrors = consoleErrors;
    console.log(JSON.stringify(results));
  } catch (error) {
    await page.screenshot({ path: path.join(shots, "monitor-failure.png"), fullPage: true }).catch(() => {});
    console.error("Browser test failed:", error, "\nconsole errors:", consoleErrors);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
