// Drives the operator console (/monitor) through the mass-operation status page in headless Chromium:
// a two-wave deployment that halted itself is seen Halted and resumed; a running push is halted; a
// deployment awaiting approval is refused to its submitter and approved by a second user; a Read user
// sees no enabled write button. Prints one JSON line of what it saw; saves screenshots into
// PUSHAPI_SCREENSHOTS. Console errors and page errors are collected (the CSP holds if there are none
// but the refused API calls, which the C# test sorts out).
const { launch, openPage, unlabelled, adminApi, signIn } = require("./browser");
const path = require("path");

const env = process.env;
const base = env.PUSHAPI_URL;
const shots = env.PUSHAPI_SCREENSHOTS;
const wait = { timeout: 90_000 };

async function open(page, id) {
  await page.goto(`${base}/monitor/#/deployments/${id}`);
  await page.waitForSelector("#detail-status");
}

async function deploy(page, orgKeys) {
  await page.click("#nav-deploy");
  await page.click("#quick-deploy"); // the nav opens Schedule Push Upgrades; the simple form is a link from it
  await page.waitForSelector("#deploy-version option", { state: "attached" });
  await page.selectOption("#deploy-version", env.VERSION_ID);
  await page.check("#targets-selective");
  await page.fill("#deploy-org-keys", orgKeys.join("\n"));
  await page.click("#preview");
  await page.waitForSelector("#confirm-deploy");
  await page.click("#confirm-deploy");
  await page.waitForURL(/#\/deployments\/0DV/);
  await page.waitForSelector("#detail-status");
  return page.url().split("/").pop();
}

const guarded = page => page.$$eval("#view button[data-needs]", buttons => buttons.map(b => ({ id: b.id, label: b.textContent, disabled: b.disabled, ariaDisabled: b.getAttribute("aria-disabled"), title: b.title })));

(async () => {
  const browser = await launch();
  const results = {};
  const { page, consoleErrors } = await openPage(browser);
  page.on("dialog", dialog => dialog.accept());
  // An error shown on the page (#error) where none is expected is noted with the screenshot's name.
  results.shownErrors = [];
  results.unlabelled = [];
  const shot = async name => {
    const error = await page.$("#error");
    if (error) results.shownErrors.push(`${name}: ${await error.textContent()}`);
    for (const control of await unlabelled(page)) results.unlabelled.push(`${name}: ${control}`);
    await page.screenshot({ path: path.join(shots, name), fullPage: true });
  };
  try {
    await page.goto(`${base}/monitor/`);
    await signIn(page, env.PUSHAPI_USERNAME, env.PUSHAPI_PASSWORD);

    // 1. The two-wave deployment halted itself (wave 1 failed too often): seen Halted, then resumed.
    await open(page, env.WAVES_ID);
    await page.waitForSelector("#detail-status[data-status=Halted]", wait);
    await page.waitForSelector("#halt-reason");
    results.haltedState = await page.textContent("#rollout-state");
    results.haltReason = await page.textContent("#halt-reason");
    results.waves = await page.$$eval("#waves tbody tr", rows => rows.map(r => ({ name: r.dataset.wave, status: r.dataset.status, progress: r.querySelector("[role=progressbar]").getAttribute("aria-valuenow") })));
    results.estimateBasis = await page.getAttribute("#estimate", "data-basis");
    await shot("console-halted.png");
    await page.click("#resume");
    await page.waitForSelector("#detail-status[data-status=Succeeded]", wait);
    results.resumedStatus = "Succeeded";
    results.finishedState = await page.textContent("#rollout-state");
    await page.waitForSelector("#failure-groups tbody tr");
    await shot("console-resumed.png");

    // 2. Halt a running push (remote tenants whose agent answers slowly).
    results.haltId = await deploy(page, env.SLOW_ORGS.split(","));
    await page.waitForSelector("#halt", wait);
    await shot("console-running.png");
    await page.click("#halt");
    await page.waitForFunction(() => !["Pending", "In Progress"].includes(document.querySelector("#detail-status").dataset.status), null, wait);
    results.haltedPushStatus = await page.getAttribute("#detail-status", "data-status");
    await shot("console-halted-push.png");

    // 3. Four-eyes approval: the submitter can't approve; a second user can.
    await adminApi("PATCH", "/api/v1/settings", { requireApproval: true });
    results.approvalId = await deploy(page, env.APPROVAL_ORGS.split(","));
    await page.waitForSelector("#detail-status[data-status=AwaitingApproval]");
    await page.waitForSelector("#approval-awaiting");
    await page.click("#approve");
    await page.waitForSelector("#error");
    results.selfApproval = await page.textContent("#error");
    await page.screenshot({ path: path.join(shots, "console-self-approval.png"), fullPage: true });
    await signIn(page, env.APPROVER_USERNAME, env.APPROVER_PASSWORD);
    await page.waitForSelector("#approve:not([disabled])");
    await shot("console-approval.png");
    await page.fill("#approval-comment", "Checked the release notes");
    await page.click("#approve");
    await page.waitForSelector("#approval-decision[data-decision=Approved]", wait);
    results.decision = await page.textContent("#approval-decision");
    await page.waitForSelector("#detail-status[data-status=Succeeded]", wait);
    results.approvedStatus = "Succeeded";

    // 4. A Read user: every write button is disabled, with the reason.
    await signIn(page, env.READER_USERNAME, env.READER_PASSWORD);
    await open(page, env.WAVES_ID);
    await page.waitForSelector("#retry");
    results.readerDetail = await guarded(page);
    await shot("console-read-only.png");
    await page.click("#nav-deploy");
    await page.click("#quick-deploy"); // the nav opens Schedule Push Upgrades; the simple form is a link from it
    await page.waitForSelector("#preview");
    results.readerDeploy = await guarded(page);
    await page.click("a[href='#/']");
    await page.waitForSelector("#list table");
    results.readerList = await guarded(page);
    await shot("console-list.png");

    // A phone's width: the page itself does not scroll sideways (wide tables scroll inside their card).
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, env.WAVES_ID);
    await page.waitForSelector("#waves");
    results.phoneWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot("console-phone.png");

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
