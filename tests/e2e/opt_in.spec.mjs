// The opt-in form on a member's page: explicit, unticked, named, and recorded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openDemo as openPage, decisionCookie } from './browser.mjs';

// These specs are about the form: open the page as a visitor who already chose cookies, so the
// banner stays out of the way.
const openDemo = (browser) => openPage(browser, { cookies: [decisionCookie()] });
import { OptInForm } from './pages/opt_in_form.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the form shows who is asking, the exact wording, and an unticked box', async () => {
  const { page, problems } = await openDemo(browser);
  const form = new OptInForm(page);
  await form.waitUntilRendered().catch((e) => { throw new Error(`${e.message}\n${problems.join('\n')}`); });
  const box = form.checkbox('news', 'email');
  assert.equal(await box.isChecked(), false, 'consent boxes must start unticked');
  const text = await form.form.innerText();
  assert.match(text, /Demo Alumni Association/);
  assert.match(text, /I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email\./);
  assert.match(text, /alumni@example\.org/);
  const privacy = form.form.locator('a[href="https://example.org/privacy"]');
  assert.equal(await privacy.count(), 1, 'privacy notice link');
  await page.close();
});

test('submitting without ticking records nothing and says why', async () => {
  const { page } = await openDemo(browser);
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  let posted = false;
  page.on('request', (r) => { if (r.method() === 'POST') posted = true; });
  await form.email.fill('nobody@example.org');
  await form.submit.click();
  await form.error.waitFor({ state: 'visible' });
  assert.match(await form.error.innerText(), /Tick at least one box/);
  assert.equal(posted, false, 'no request without a positive choice');
  await page.close();
});

test('a server error is shown readably', async () => {
  const { page } = await openDemo(browser);
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  await form.checkbox('news', 'email').check();
  // Bypass the browser's own type=email check so the server's validation answers.
  await form.email.evaluate((el) => { el.type = 'text'; });
  await form.email.fill('not-an-email');
  await form.submit.click();
  await form.error.waitFor({ state: 'visible' });
  assert.match(await form.error.innerText(), /email address/i);
  await page.close();
});

test('ticking the box and submitting records the consent', async () => {
  const { page, problems } = await openDemo(browser);
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  await form.checkbox('news', 'email').check();
  await form.email.fill(process.env.CONSENT_E2E_EMAIL);
  const response = page.waitForResponse((r) => r.url().endsWith('/consents') && r.request().method() === 'POST');
  await form.submit.click();
  assert.equal((await response).status(), 201);
  await form.success.waitFor({ state: 'visible' });
  assert.match(await form.success.innerText(), /recorded/);
  assert.deepEqual(problems.filter((p) => !p.includes('422')), []);
  await page.close();
});

test('an offline submission is kept, sent once when back online, and completes the form', async () => {
  const { page, context } = await openPage(browser, { cookies: [decisionCookie()] });
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  const email = process.env.CONSENT_E2E_OFFLINE_EMAIL;
  await form.checkbox('news', 'email').check();
  await form.email.fill(email);
  await context.setOffline(true);
  await form.submit.click();
  const queued = page.locator('[data-consent-form] [data-consent-status="queued"]');
  await queued.waitFor({ state: 'visible' });
  assert.match(await queued.innerText(), /saved on this device/);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('consent-queue:demo')));
  assert.equal(stored.length, 1);
  assert.deepEqual(Object.keys(stored[0]).sort(), ['body', 'key', 't'], 'no URL is kept: the queue posts only to the site\'s consents URL');
  const delivered = page.waitForResponse((r) => r.url().endsWith('/consents') && r.status() === 201);
  await context.setOffline(false);
  await delivered;
  await form.success.waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => localStorage.getItem('consent-queue:demo')), null);
  // A later page load finds nothing left to send.
  await page.reload();
  await form.waitUntilRendered();
  await context.close();
});

test('with double opt-in, the form asks the person to confirm from their inbox', async () => {
  const { page } = await openDemo(browser);
  // The worker's answer for a double opt-in site (its server side is covered in
  // tests/tests/workerd.rs): the consent is recorded as pending.
  await page.route('**/api/v1/sites/demo/consents', (route) => route.fulfill({
    status: 201,
    headers: { 'content-type': 'application/json', 'access-control-allow-origin': new URL(page.url()).origin },
    body: JSON.stringify({
      recorded_at: '2026-11-24T12:00:00.000Z',
      events: [{ event_id: 'e1', purpose: 'news', channel: 'email', action: 'pending', wording_version: 1, wording_sha256: 'x' }],
    }),
  }));
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  await form.checkbox('news', 'email').check();
  await form.email.fill('double-opt-in@example.org');
  await form.submit.click();
  const status = page.locator('[data-consent-status="awaiting-confirmation"]');
  await status.waitFor({ state: 'visible' });
  assert.match(await status.innerText(), /check your inbox/);
  await page.close();
});
