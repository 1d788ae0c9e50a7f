// The script-tag loader: Consent Mode defaults, scripts held back until consent, returning
// visitors served from the cookie without the WebAssembly UI, and Global Privacy Control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openDemo, decisionCookie } from './browser.mjs';
import { Banner } from './pages/banner.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Google Consent Mode commands the loader pushed, as plain arrays.
async function consentCommands(page) {
  return page.evaluate(() => (window.dataLayer || []).map((args) => Array.from(args)).filter((a) => a[0] === 'consent'));
}

test('consent mode starts denied and non-essential scripts wait for consent', async () => {
  const { page, context } = await openDemo(browser);
  await page.waitForFunction(() => window.ConsentWidget !== undefined);
  const commands = await consentCommands(page);
  assert.deepEqual(commands[0].slice(0, 2), ['consent', 'default']);
  for (const signal of ['ad_storage', 'analytics_storage', 'ad_user_data', 'ad_personalization']) {
    assert.equal(commands[0][2][signal], 'denied', signal);
  }
  assert.equal(await page.evaluate(() => window.demoAnalyticsRuns), undefined, 'analytics ran before consent');
  await context.close();
});

/// The demo site's page without a form (`/about`), recording which UI files it fetched.
async function openNoForm({ cookies = [] } = {}) {
  const context = await browser.newContext();
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  const uiRequests = [];
  page.on('request', (r) => { if (r.url().includes('consent_widget')) uiRequests.push(r.url()); });
  const policy = page.waitForResponse((r) => r.url().includes('/policy'));
  await page.goto(new URL('/about', process.env.CONSENT_DEMO_URL).href);
  await policy;
  return { page, context, uiRequests };
}

test('a returning visitor is served from the cookie with no UI download', async () => {
  const { page, context, uiRequests } = await openNoForm({ cookies: [decisionCookie(['analytics'])] });
  await page.waitForFunction(() => window.demoAnalyticsRuns === 1);
  const update = (await consentCommands(page)).find((c) => c[1] === 'update');
  assert.equal(update[2].analytics_storage, 'granted');
  assert.equal(update[2].ad_storage, 'denied');
  await page.locator('#consent-reopen').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  assert.deepEqual(uiRequests, [], 'no WebAssembly UI for a current decision');
  await context.close();
});

const banner = (page) => page.locator('#consent-banner-host [data-consent-banner]');

test('a decision under an older policy version is applied, then asked again', async () => {
  const { page, context, uiRequests } = await openNoForm({ cookies: [decisionCookie(['analytics'], 0)] });
  await page.waitForFunction(() => window.demoAnalyticsRuns === 1);
  await banner(page).waitFor({ state: 'visible' });
  assert.ok(uiRequests.some((u) => u.endsWith('.wasm')), 'the UI was loaded to ask again');
  await context.close();
});

test('without a decision the UI is loaded to ask', async () => {
  const { page, context } = await openNoForm();
  await banner(page).waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => window.demoAnalyticsRuns), undefined);
  await context.close();
});

test('Global Privacy Control is applied as a refusal and recorded, without a banner', async () => {
  const { page, context } = await openDemo(browser, { gpc: true });
  const recorded = await page.waitForResponse((r) => r.url().endsWith('/cookie-consents') && r.request().method() === 'POST');
  assert.equal(recorded.status(), 201);
  const body = JSON.parse(recorded.request().postData());
  assert.equal(body.choice, 'gpc_signal');
  assert.deepEqual(body.categories, []);
  const cookie = (await context.cookies()).find((c) => c.name === 'consent_demo');
  assert.ok(cookie, 'decision cookie set');
  assert.equal(cookie.sameSite, 'Lax');
  assert.ok(cookie.expires - Date.now() / 1000 <= 15552000 + 5, 'at most six months');
  assert.equal(await page.evaluate(() => window.demoAnalyticsRuns), undefined);
  assert.equal(await page.locator('#consent-banner-host [data-consent-banner]').count(), 0, 'no banner under GPC');
  await context.close();
});

test('a page whose CSP forbids WebAssembly gets a clear console message and a settings link', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(new URL('/strict-csp', process.env.CONSENT_DEMO_URL).href);
  const fallback = page.locator('#consent-fallback');
  await fallback.waitFor({ state: 'visible' }).catch((e) => { throw new Error(`${e.message}\nconsole errors:\n${errors.join('\n')}\npage errors:\n${pageErrors.join('\n')}`); });
  assert.equal(await fallback.getAttribute('href'), 'https://example.org/cookies');
  assert.ok(errors.some((e) => e.includes("Content-Security-Policy does not allow WebAssembly")), errors.join('\n'));
  assert.deepEqual(pageErrors, [], 'the host page is never broken');
  assert.equal(await page.locator('h1').innerText(), 'About the association');
  await context.close();
});

test('an explicit choice in the settings overrides Global Privacy Control', async () => {
  const { page, context } = await openDemo(browser, { gpc: true, query: '' });
  await page.waitForResponse((r) => r.url().endsWith('/cookie-consents') && r.request().method() === 'POST');
  const banner = new Banner(page);
  const reopen = page.locator('#consent-reopen button[data-consent-reopen]');
  await reopen.click();
  await banner.dialog.waitFor({ state: 'visible' });
  const record = banner.nextRecord();
  await banner.dialogButton('accept').click();
  const { status, body } = await record;
  assert.equal(status, 201);
  assert.equal(body.choice, 'accept_all');
  assert.equal(body.gpc, true, 'the signal is still recorded');
  await page.waitForFunction(() => window.demoAnalyticsRuns === 1);
  const cookie = (await context.cookies()).find((c) => c.name === 'consent_demo');
  assert.match(decodeURIComponent(cookie.value), /"ch":"accept_all"/);
  await context.close();
});
