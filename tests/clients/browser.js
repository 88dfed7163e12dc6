// What the browser scripts share: Debian's headless Chromium driven by playwright-core, and a page that collects its
// console errors and page errors (the CSP holds when there are none).
const { chromium } = require("playwright-core");

/** Launches headless Chromium (CHROMIUM, else Debian's /usr/bin/chromium). */
function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/** A 1280×900 page whose console errors and page errors gather in the returned array. */
async function openPage(browser, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  const consoleErrors = [];
  page.on("console", message => { if (message.type() === "error") consoleErrors.push(message.text()); });
  page.on("pageerror", error => consoleErrors.push(String(error)));
  return { page, consoleErrors };
}

/**
 * The form controls of the page a keyboard or screen-reader user could not name: an input, select or textarea with
 * neither a <label> nor aria-label / aria-labelledby. Each is described by its id or name.
 */
function unlabelled(page) {
  return page.evaluate(() => [...document.querySelectorAll("input, select, textarea")]
    .filter(e => e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
    .map(e => e.id || e.name || e.outerHTML.slice(0, 80)));
}

/**
 * A call to the service's API as the administrator of the test (PUSHAPI_URL, PUSHAPI_USERNAME, PUSHAPI_PASSWORD):
 * the set-up a script does outside the console. Throws with the answer when it is not 2xx; returns the JSON body.
 */
async function adminApi(method, url, body) {
  const base = process.env.PUSHAPI_URL;
  const token = await fetch(`${base}/services/oauth2/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "password", username: process.env.PUSHAPI_USERNAME, password: process.env.PUSHAPI_PASSWORD }),
  }).then(r => r.json());
  const response = await fetch(`${base}${url}`, { method, headers: { Authorization: `Bearer ${token.access_token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** Signs the console in as a user (signing out whoever is signed in first) and waits for the navigation. */
async function signIn(page, username, password) {
  if (await page.isVisible("#sign-out")) await page.click("#sign-out");
  await page.waitForSelector("#sign-in:not([hidden])");
  await page.fill("#username", username);
  await page.fill("#password", password);
  await page.click("#sign-in-button");
  await page.waitForSelector("#nav:not([hidden])");
}

module.exports = { launch, openPage, unlabelled, adminApi, signIn };
