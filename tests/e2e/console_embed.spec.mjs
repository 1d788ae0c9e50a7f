// Console → Embed in a real browser, on a site of its own: an owner signed in through the local
// outbox copies the tags with the Copy buttons (JavaScript on, under the page's own CSP), opens
// the live preview — the real loader and WebAssembly widget on the worker's origin — sees the
// site's banner and form, accepts and signs up, and the ledger over D1 holds nothing new; with
// JavaScript off the tags are still selectable text; axe finds nothing on either page, light and
// dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { adminCall, accessible, signIn } from './pages/console.mjs';
import { Banner } from './pages/banner.mjs';
import { OptInForm } from './pages/opt_in_form.mjs';

const run = process.pid;
const site = `console-embed-${run}`;

let browser;
before(async () => {
  browser = await launch();
  const made = await adminCall('PUT', `/api/v1/admin/sites/${site}`, {
    organisation: {
      name: 'Embed Test Society',
      contact_email: 'office@example.org',
      postal_address: '1 Test Street, Testtown',
      privacy_notice_url: 'https://example.org/privacy',
      cookie_policy_url: 'https://example.org/cookies',
    },
    allowed_origins: ['https://example.org'],
    default_lang: 'en',
    purposes: [{
      purpose: 'news',
      channel: 'email',
      wordings: [
        { lang: 'en', label: 'News', text: 'Send me the Embed Test Society news by email.' },
        { lang: 'cy', label: 'Newyddion', text: "Anfonwch newyddion Cymdeithas Prawf Mewnosod ataf drwy e-bost." },
      ],
    }],
    cookie_categories: [
      { key: 'necessary', required: true, texts: [{ lang: 'en', label: 'Necessary', description: 'Remember your choice.' }] },
      { key: 'marketing', consent_mode: ['ad_storage'], texts: [{ lang: 'en', label: 'Marketing', description: 'Adverts elsewhere.' }] },
    ],
    banner: [
      { lang: 'en', text: 'The Embed Test Society uses cookies.' },
      { lang: 'cy', text: 'Mae Cymdeithas Prawf Mewnosod yn defnyddio cwcis.' },
    ],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
});
after(async () => { await browser?.close(); });

/** A new owner of the test site, signed in through the local outbox in a fresh context; the
 * page's console errors are collected (a CSP refusal shows there). */
async function ownerSignedIn(name, contextOptions = {}) {
  const email = `console-embed-${name}-${run}@example.org`;
  const made = await adminCall('POST', `/api/v1/admin/sites/${site}/owners`, { email });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const { context, page } = await signIn(browser, email, contextOptions);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

/** What the ledger over D1 holds for the site: events and cookie decisions (verify seals first). */
async function recorded() {
  const r = await adminCall('GET', `/api/v1/sites/${site}/ledger/verify`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { events: r.body.events_checked, cookies: r.body.cookie_chain?.records_checked ?? 0, valid: r.body.valid };
}

async function audienceSize() {
  const r = await adminCall('GET', `/api/v1/sites/${site}/audience?purpose=news&channel=email`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return JSON.stringify(r.body);
}

test('JavaScript on: each Copy button copies its text and says so', async () => {
  const { context, page, problems } = await ownerSignedIn('copy');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: workerUrl });
  await page.goto(`${workerUrl}/admin/sites/${site}/embed`);
  const copy = page.getByRole('button', { name: 'Copy: In the <head> of every page' });
  await copy.waitFor({ state: 'visible' });
  await copy.click();
  const status = page.locator('#copy-status');
  await page.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
  assert.equal(await status.innerText(), 'Copied to the clipboard.');
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `<script src="${workerUrl}/widget.js" data-site="${site}"></script>`);
  await page.getByRole('button', { name: 'Copy: Content-Security-Policy' }).click();
  await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t.startsWith('script-src')));
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /'wasm-unsafe-eval';\nconnect-src /);
  assert.deepEqual(problems, [], 'the script runs under the page\'s CSP');
  await context.close();
});

test('JavaScript off: the tags are selectable text with their labels, and no dead buttons', async () => {
  const { context, page } = await ownerSignedIn('nojs', { javaScriptEnabled: false });
  await page.goto(`${workerUrl}/admin/sites/${site}/embed`);
  const tag = page.getByRole('textbox', { name: 'In the <head> of every page' });
  assert.equal(await tag.inputValue(), `<script src="${workerUrl}/widget.js" data-site="${site}"></script>`);
  assert.equal(await tag.getAttribute('readonly'), '');
  await tag.selectText();
  const selected = await page.evaluate(() => {
    const box = document.getElementById('embed-script');
    return box.value.slice(box.selectionStart, box.selectionEnd);
  });
  assert.equal(selected, await tag.inputValue());
  assert.equal(await page.getByRole('button', { name: /^Copy/ }).count(), 0, 'the Copy buttons stay hidden');
  assert.match(await page.getByRole('textbox', { name: 'Where a sign-up form should appear' }).inputValue(), /data-consent-form="signup"/);
  await context.close();
});

test('the live preview runs the real widget for the site and records nothing', async () => {
  const { context, page, problems } = await ownerSignedIn('live');
  const before = { ...(await recorded()), audience: await audienceSize() };
  await page.goto(`${workerUrl}/admin/sites/${site}/embed`);
  await page.getByRole('link', { name: 'Open the live preview' }).click();
  await page.getByText('nothing you do on this page is recorded').waitFor();
  // The real banner, with the site's wording, from the WebAssembly widget.
  const banner = new Banner(page);
  await banner.waitUntilShown();
  assert.match(await banner.layer.innerText(), /The Embed Test Society uses cookies\./);
  const decision = banner.nextRecord();
  await banner.accept.click();
  const posted = await decision;
  assert.equal(posted.status, 201);
  assert.deepEqual(posted.body.categories, ['marketing']);
  // The real form, with the site's wording; a sign-up is checked and answered, not recorded.
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  assert.match(await form.form.innerText(), /Send me the Embed Test Society news by email\./);
  await form.checkbox('news', 'email').check();
  await form.email.fill(`preview-${run}@example.org`);
  const answer = page.waitForResponse((r) => r.url().endsWith('/consents') && r.request().method() === 'POST');
  await form.submit.click();
  const signup = await answer;
  assert.equal(signup.status(), 201);
  assert.equal((await signup.json()).preview, true);
  await form.success.waitFor({ state: 'visible' });
  // Nothing reached the ledger, the cookie chain or the audience.
  const after = { ...(await recorded()), audience: await audienceSize() };
  assert.deepEqual(after, before);
  assert.deepEqual(problems, [], 'the widget runs under the preview\'s CSP');
  // The site's other language.
  await page.getByRole('link', { name: 'Cymraeg' }).click();
  await page.getByRole('button', { name: 'Open the cookie settings' }).click();
  await page.locator('#consent-banner-host [data-consent-dialog]').waitFor({ state: 'visible', timeout: 20_000 });
  await form.waitUntilRendered();
  assert.match(await form.form.innerText(), /Anfonwch newyddion/);
  await context.close();
});

test('the Embed page and the live preview have no WCAG 2.2 AA violations, light and dark', async () => {
  const { context, page } = await ownerSignedIn('axe', { bypassCSP: true });
  await page.goto(`${workerUrl}/admin/sites/${site}/embed`);
  await page.getByRole('button', { name: 'Copy: In the <head> of every page' }).click();
  await accessible(page, 'embed page');
  await page.goto(`${workerUrl}/admin/sites/${site}/embed/live`);
  await new Banner(page).waitUntilShown();
  await new OptInForm(page).waitUntilRendered();
  await accessible(page, 'live preview, with the banner and the form');
  await context.close();
});
