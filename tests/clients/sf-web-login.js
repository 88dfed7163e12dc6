// The login a person does in the browser `sf org login web` opens, in headless Chromium: open the authorize URL the CLI
// generated, fill the service's login form (PUSHAPI_USERNAME, PUSHAPI_PASSWORD), submit, and follow the page on to the
// CLI's callback server (http://localhost:1717/OauthRedirect), which exchanges the code and answers with a redirect to
// its own /OauthSuccess page; the CLI finishes only once the browser has loaded that page. Every navigation and the
// final page go to SF_WEB_LOGIN_RESULT as JSON, for the test to assert on.
const fs = require("node:fs");
const { launch } = require("./browser.js");

async function main() {
  const url = process.argv[2];
  const result = { authorizeUrl: url, navigations: [], finalUrl: null, heading: null, error: null };
  const browser = await launch();
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true }); // the service's generated certificate
    const page = await context.newPage();
    // Navigation requests, redirects included: the CLI's callback answers with a redirect, so it is never a committed page.
    page.on("request", request => { if (request.isNavigationRequest() && request.frame() === page.mainFrame()) result.navigations.push(request.url()); });
    await page.goto(url);
    await page.fill("#username", process.env.PUSHAPI_USERNAME);
    await page.fill("#password", process.env.PUSHAPI_PASSWORD);
    await Promise.all([page.waitForURL(u => u.pathname === "/OauthSuccess", { timeout: 60_000 }), page.click("#login-button")]);
    await page.waitForLoadState("load");
    result.finalUrl = page.url();
    result.heading = await page.textContent("#header");
  } catch (error) {
    result.error = String(error);
  } finally {
    await browser.close();
    // Written whole, then renamed: the test waits for the file to appear.
    fs.writeFileSync(process.env.SF_WEB_LOGIN_RESULT + ".part", JSON.stringify(result, null, 2));
    fs.renameSync(process.env.SF_WEB_LOGIN_RESULT + ".part", process.env.SF_WEB_LOGIN_RESULT);
  }
}

main().catch(error => { console.error(error); process.exit(1); });
