// The offline queue of undelivered sign-ups (widget/js/sender.js, which the loader imports only
// when a page has a form or a sign-up is waiting): nothing stays after delivery (see also the
// offline case in opt_in.spec.mjs), an answer that will never change removes the entry, an
// entry is only ever sent to the site's own consents URL on the worker, and a sign-up older
// than a week is dropped unsent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, decisionCookie, demoUrl, workerUrl } from './browser.mjs';
import { OptInForm } from './pages/opt_in_form.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const QUEUE = 'consent-queue:demo';
const consentsUrl = `${workerUrl}/api/v1/sites/demo/consents`;
const aboutUrl = new URL('/about', demoUrl).href;
const DAY = 24 * 3600 * 1000;

/// The /about page (no form) of a visitor who already chose cookies, with `entries` waiting in
/// the queue; resolves once the page has loaded again with them. Notes every POST it makes.
async function withWaiting(entries, { route } = {}) {
  const context = await browser.newContext();
  await context.addCookies([decisionCookie()]);
  const page = await context.newPage();
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST') posts.push({ url: r.url(), key: r.headers()['idempotency-key'] }); });
  if (route) await page.route('**/api/v1/sites/demo/consents', route);
  await page.goto(aboutUrl);
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [QUEUE, JSON.stringify(entries)]);
  const sender = page.waitForResponse((r) => r.url().endsWith('/widget/consent_sender.js'));
  await page.reload();
  await sender;
  return { page, context, posts };
}

const queued = (page) => page.evaluate((key) => localStorage.getItem(key), QUEUE);

test('a sign-up the worker refuses for good leaves the queue, and is sent only to the site\'s consents URL', async () => {
  const key = 'aaaaaaaa-1111-4111-8111-000000000001';
  // Stored by an older loader, which kept a URL: it is not believed.
  const entry = { url: 'https://evil.example/collect', key, body: '{}', t: Date.now() };
  // `{}` is not a submission: the worker answers 400, which no resend can change.
  const { page, context, posts } = await withWaiting([entry]);
  await page.waitForFunction((k) => localStorage.getItem(k) === null, QUEUE);
  assert.deepEqual(posts, [{ url: consentsUrl, key }], 'once, to the worker, under its key');
  await context.close();
});

/// The worker's answer on a double opt-in site that cannot send mail (its server side is in
/// worker/src/app/tests): the same every time.
const unavailable = (r) => r.fulfill({
  status: 503,
  headers: { 'content-type': 'application/json', 'access-control-allow-origin': new URL(demoUrl).origin },
  body: JSON.stringify({ error: { code: 'unavailable', message: 'sending email is not set up here; nothing was recorded' } }),
});

test('a 503 "unavailable" (double opt-in without mail) is not retried: the entry is removed', async () => {
  const key = 'aaaaaaaa-1111-4111-8111-000000000002';
  const route = unavailable;
  const { page, context, posts } = await withWaiting([{ key, body: '{}', t: Date.now() }], { route });
  await page.waitForFunction((k) => localStorage.getItem(k) === null, QUEUE);
  assert.deepEqual(posts.map((p) => p.key), [key]);
  await context.close();
});

test('a sign-up waiting for more than a week, or malformed, is dropped unsent', async () => {
  const entries = [
    { key: 'aaaaaaaa-1111-4111-8111-000000000003', body: '{}', t: Date.now() - 8 * DAY },
    { key: 'aaaaaaaa-1111-4111-8111-000000000004', body: { not: 'a string' }, t: Date.now() },
    { key: 'aaaaaaaa-1111-4111-8111-000000000005', body: '{}' },
    'nonsense',
  ];
  const { page, context, posts } = await withWaiting(entries);
  await page.waitForFunction((k) => localStorage.getItem(k) === null, QUEUE);
  assert.deepEqual(posts, []);
  await context.close();
});

test('the queue keeps a sign-up only for the site\'s own consents URL', async () => {
  const context = await browser.newContext();
  await context.addCookies([decisionCookie()]);
  const page = await context.newPage();
  const sender = page.waitForResponse((r) => r.url().endsWith('/widget/consent_sender.js'));
  await page.goto(demoUrl); // a page with a form loads the sender at once
  await sender;
  await page.waitForFunction(() => window.ConsentWidget.enqueue({ url: 'x', key: 'k', body: '{}' }) === false);
  const kept = await page.evaluate((url) => [
    window.ConsentWidget.enqueue({ url: 'https://evil.example/api/v1/sites/demo/consents', key: 'k1', body: '{}' }),
    window.ConsentWidget.enqueue({ url: url.replace('/demo/', '/other/'), key: 'k2', body: '{}' }),
  ], consentsUrl);
  assert.deepEqual(kept, [false, false]);
  assert.equal(await queued(page), null);
  await context.close();
});

test('the form does not keep a sign-up refused with 503 "unavailable": it says why', async () => {
  const context = await browser.newContext();
  await context.addCookies([decisionCookie()]);
  const page = await context.newPage();
  await page.route('**/api/v1/sites/demo/consents', unavailable);
  await page.goto(demoUrl);
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  await form.checkbox('news', 'email').check();
  await form.email.fill('no-mail-here@example.org');
  await form.submit.click();
  await form.error.waitFor({ state: 'visible' });
  assert.match(await form.error.innerText(), /sending email is not set up here/);
  assert.equal(await queued(page), null, 'nothing kept on the device');
  await context.close();
});
