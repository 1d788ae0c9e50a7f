// The loader included as consent tools usually are: synchronously in <head>, without defer
// (`demo/sync.html`). Held-back scripts in the head and the body run exactly once after
// accepting and once on every return; so do those added later. A decision cookie that names a
// category the site does not have, or cannot be read, is no decision. A decision that did not
// arrive is retried under the same Idempotency-Key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, decisionCookie } from './browser.mjs';
import { Banner } from './pages/banner.mjs';
import { syncUrl, openSync, runs, updates } from './pages/sync_page.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('synchronous include: held-back scripts in head and body run once after accepting and once on return', async () => {
  const context = await browser.newContext();
  const { page, problems } = await openSync(context);
  const banner = new Banner(page);
  await banner.waitUntilShown();
  // Outside the EEA the demo's `statistics` is an exception (UK rules): it runs at once; nothing
  // else runs before a decision.
  assert.deepEqual(await runs(page), ['head:statistics', 'body:statistics'], 'only the exception runs before a decision');
  const record = banner.nextRecord();
  await banner.accept.click();
  assert.equal((await record).status, 201);
  await page.waitForFunction(() => (window.heldBackRuns || []).length >= 4);
  // The demo has both categories (issue 13 added `statistics`): Accept all runs each once.
  const both = ['head:analytics', 'head:statistics', 'body:analytics', 'body:statistics'];
  assert.deepEqual([...await runs(page)].sort(), [...both].sort());
  const image = page.locator('#held-back-image');
  assert.equal(await image.getAttribute('src'), 'data:image/gif;base64,R0lGODlhAQABAAAAACw=');
  assert.equal(await image.getAttribute('data-src'), null);

  // Applying the same decision again (as a second "Accept all" does) runs nothing twice.
  await page.evaluate(() => window.ConsentWidget.apply(window.ConsentWidget.decision()));
  // Held-back elements added after the decision run when they arrive; other categories (the demo
  // has no `marketing`) do not.
  await page.evaluate(() => {
    for (const category of ['marketing', 'analytics']) {
      const s = document.createElement('script');
      s.type = 'text/plain';
      s.setAttribute('data-consent-category', category);
      s.text = `(window.heldBackRuns = window.heldBackRuns || []).push("late:${category}")`;
      document.body.appendChild(s);
    }
  });
  await page.waitForFunction(() => (window.heldBackRuns || []).includes('late:analytics'));
  assert.deepEqual([...await runs(page)].sort(), [...both, 'late:analytics'].sort());
  assert.deepEqual(problems, []);

  // Returning: the cookie is applied without the UI, each script once.
  const back = await openSync(context);
  await back.page.locator('#consent-reopen').waitFor({ state: 'attached' });
  assert.deepEqual([...await runs(back.page)].sort(), [...both].sort());
  assert.equal((await updates(back.page))[0].analytics_storage, 'granted');
  assert.equal(await back.page.locator('#consent-banner-host [data-consent-banner]').count(), 0);
  await back.page.waitForLoadState('networkidle');
  assert.deepEqual(back.uiRequests, [], 'no WebAssembly UI for a returning visitor');
  assert.deepEqual(back.problems, []);
  await context.close();
});

test('a decision cookie naming a category the site does not have, or unreadable, is no decision: asked again', async () => {
  const cookies = {
    'unknown category': decisionCookie(['analytics', 'marketing']),
    'not JSON': { ...decisionCookie(), value: 'analytics%7B' },
    'bad escape': { ...decisionCookie(), value: '%E0%A4%A' },
    'categories not a list': { ...decisionCookie(), value: encodeURIComponent('{"v":1,"id":"x","c":"analytics"}') },
    'category not a string': { ...decisionCookie(), value: encodeURIComponent('{"v":1,"id":"x","c":[["analytics"]]}') },
  };
  for (const [name, cookie] of Object.entries(cookies)) {
    const context = await browser.newContext();
    await context.addCookies([cookie]);
    const { page, problems } = await openSync(context);
    await new Banner(page).waitUntilShown().catch((e) => { throw new Error(`${name}: ${e.message}`); });
    assert.deepEqual(await runs(page), ['head:statistics', 'body:statistics'], `${name}: only the exception runs`);
    assert.ok((await updates(page)).every((u) => u.analytics_storage === 'denied'), name);
    assert.equal(await page.evaluate(() => window.ConsentWidget.decision()), null, name);
    assert.deepEqual(problems, [], name);
    await context.close();
  }
});

test('a cookie decision that did not arrive is sent again with the same Idempotency-Key', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const posts = [];
  await page.route('**/api/v1/sites/demo/cookie-consents', async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    posts.push(request.headers()['idempotency-key']);
    // The first attempt never reaches the worker (a dropped connection); later ones do.
    if (posts.length === 1) return route.abort('connectionreset');
    return route.continue();
  });
  await page.goto(syncUrl());
  const banner = new Banner(page);
  await banner.waitUntilShown();
  const delivered = page.waitForResponse((r) => r.url().endsWith('/cookie-consents') && r.request().method() === 'POST' && r.status() === 201, { timeout: 20_000 });
  await banner.reject.click();
  await delivered;
  assert.equal(posts.length, 2, `posts: ${posts}`);
  assert.match(posts[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(posts[1], posts[0], 'a retry carries the same key');

  // A new decision is a new key.
  await page.evaluate(() => window.ConsentWidget.open());
  await banner.dialog.waitFor({ state: 'visible' });
  const next = page.waitForResponse((r) => r.url().endsWith('/cookie-consents') && r.request().method() === 'POST');
  await banner.dialogButton('accept').click();
  assert.equal((await next).status(), 201);
  assert.equal(posts.length, 3);
  assert.notEqual(posts[2], posts[0], 'each decision has its own key');
  await context.close();
});
