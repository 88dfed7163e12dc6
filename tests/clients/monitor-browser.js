// Drives the push monitor (/monitor) in headless Chromium as an operator would: sign in, deploy a
// version to a selection after a dry-run preview, watch the progress bar reach 100%, open the failure
// list and export it, then schedule a deployment for later and cancel it. Prints one JSON line of what
// it saw; saves screenshots into PUSHAPI_SCREENSHOTS.
const { launch, openPage } = require("./browser");
const path = require("path");

const base = process.env.PUSHAPI_URL;
const shots = process.env.PUSHAPI_SCREENSHOTS;
const orgKeys = process.env.ORG_KEYS.split(",");

(async () => {
  const browser = await launch();
  const results = {};
  const { page, consoleErrors } = await openPage(browser, { acceptDownloads: true });
  page.on("dialog", dialog => dialog.accept());
  try {
    // Sign in (a wrong password first: the page says so).
    await page.goto(`${base}/monitor`);
    await page.fill("#username", process.env.PUSHAPI_USERNAME);
    await page.fill("#password", "wrong-password");
    await page.click("#sign-in-button");
    await page.waitForFunction(() => document.querySelector("#sign-in-error").textContent.length > 0);
    results.badSignIn = await page.textContent("#sign-in-error");
    await page.fill("#password", process.env.PUSHAPI_PASSWORD);
    await page.click("#sign-in-button");
    await page.waitForSelector("#nav:not([hidden])");
    results.signedInAs = await page.textContent("#who");

    // Deploy to a selection: preview first.
    await page.click("#nav-deploy");
    await page.click("#quick-deploy"); // the nav opens Schedule Push Upgrades; the simple form is a link from it
    await page.waitForSelector("#deploy-version option", { state: "attached" });
    results.defaultVersion = await page.inputValue("#deploy-version");
    await page.selectOption("#deploy-version", process.env.VERSION_ID);
    await page.check("#targets-selective");
    await page.fill("#deploy-org-keys", orgKeys.join("\n"));
    await page.click("#preview");
    await page.waitForSelector("#preview-report");
    results.eligible = Number(await page.textContent("#eligible-count"));
    results.leftOut = Number(await page.textContent("#left-out-count"));
    results.reasons = await page.$$eval("#preview-report li", items => items.map(i => i.dataset.reason));
    await page.screenshot({ path: path.join(shots, "monitor-preview.png"), fullPage: true });
    await page.click("#confirm-deploy");
    await page.waitForURL(/#\/deployments\/0DV/);
    results.deploymentId = page.url().split("/").pop();

    // Watch it finish: the bar reaches 100%.
    await page.waitForFunction(() => {
      const bar = document.querySelector("#summary [role=progressbar]");
      return bar && bar.getAttribute("aria-valuenow") === "100";
    }, null, { timeout: 90_000 });
    results.finalStatus = await page.getAttribute("#detail-status", "data-status");

    // The failure list, grouped and listed, and its CSV export.
    await page.waitForSelector("#failure-list tbody tr");
    results.failureGroups = await page.$$eval("#failure-groups tbody tr", rows => rows.map(r => Array.from(r.cells).map(c => c.textContent)));
    results.failedOrgs = await page.$$eval("#failure-list tbody tr", rows => rows.map(r => r.cells[0].textContent));
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    const csvPath = path.join(shots, "failures.csv");
    await download.saveAs(csvPath);
    results.csv = require("fs").readFileSync(csvPath, "utf8");
    await page.selectOption("#job-status", "Succeeded");
    await page.waitForFunction(() => Array.from(document.querySelectorAll("#job-list tbody tr")).every(r => r.cells[3].textContent === "Succeeded"));
    results.succeededJobs = await page.$$eval("#job-list tbody tr", rows => rows.length);
    await page.screenshot({ path: path.join(shots, "monitor-deployment.png"), fullPage: true });

    // Schedule another deployment for later, then cancel it from its page.
    await page.click("#nav-deploy");
    await page.click("#quick-deploy"); // the nav opens Schedule Push Upgrades; the simple form is a link from it
    await page.waitForSelector("#deploy-version option", { state: "attached" });
    await page.selectOption("#deploy-version", process.env.VERSION_ID);
    await page.check("#targets-selective");
    await page.fill("#deploy-org-keys", process.env.LATER_ORG);
    await page.check("#when-later");
    await page.fill("#deploy-at", "2031-06-01T12:00");
    await page.click("#preview");
    await page.waitForSelector("#confirm-deploy");
    await page.click("#confirm-deploy");
    await page.waitForURL(/#\/deployments\/0DV/);
    results.scheduledId = page.url().split("/").pop();
    await page.waitForSelector("#detail-cancel");
    results.scheduledStatus = await page.getAttribute("#detail-status", "data-status");
    await page.click("#detail-cancel");
    await page.waitForSelector("#detail-status[data-status=Canceled]");
    results.canceledStatus = "Canceled";

    // The list shows both, live.
    await page.click("a[href='#/']");
    await page.waitForSelector(`tr[data-id='${results.scheduledId}'] [data-status=Canceled]`);
    results.listed = await page.$$eval("#list tbody tr", rows => rows.map(r => r.dataset.id));
    await page.screenshot({ path: path.join(shots, "monitor-list.png"), fullPage: true });
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
