// The console's layout and "Add a purpose", in a real browser on a site of their own: the
// navigation marks the current section and wraps on a narrow screen without the page scrolling
// sideways; with JavaScript off, a purpose with errors is refused beside each field (nothing
// stored), then added, and the widget's config offers it at once; axe light and dark (JS on:
// axe needs it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { adminCall, signIn, accessible } from './pages/console.mjs';

const run = process.pid;
const site = `console-polish-${run}`;

let browser;
before(async () => {
  browser = await launch();
  const definition = {
    organisation: {
      name: 'Polish Test Society',
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
      wordings: [{ lang: 'en', label: 'News', text: 'Send me the society news by email.' }],
    }],
    cookie_categories: [],
    banner: [{ lang: 'en', text: 'We use cookies.' }],
  };
  const made = await adminCall('PUT', `/api/v1/admin/sites/${site}`, definition);
  assert.equal(made.status, 201, JSON.stringify(made.body));
});
after(async () => { await browser?.close(); });

async function ownerSignedIn(name, contextOptions = {}) {
  const email = `console-polish-${name}-${run}@example.org`;
  const made = await adminCall('POST', `/api/v1/admin/sites/${site}/owners`, { email });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  return signIn(browser, email, contextOptions);
}

test('the navigation marks the current section and wraps on a narrow screen', async () => {
  const { context, page } = await ownerSignedIn('nav', { bypassCSP: true, viewport: { width: 360, height: 800 } });
  await page.goto(`${workerUrl}/admin/sites/${site}/audit`);
  const nav = page.getByRole('navigation', { name: 'This site in the console' });
  assert.equal(await nav.locator('[aria-current="page"]').innerText(), 'Audit trail');
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(sideways, false, 'the page does not scroll sideways; wide tables scroll in their region');
  await page.getByRole('region', { name: 'Table (scrolls sideways)' }).first().waitFor();
  await accessible(page, 'audit, narrow');
  await page.goto(`${workerUrl}/admin/sites/${site}`);
  await accessible(page, 'overview, narrow');
  await context.close();
});

test('JavaScript off: a purpose is refused beside its fields, then added and offered by the widget', async () => {
  const { context, page } = await ownerSignedIn('add', { bypassCSP: true, javaScriptEnabled: false });
  await page.goto(`${workerUrl}/admin/sites/${site}/wording`);
  await page.locator('#add-purpose').fill('Reunions!');
  await page.locator('#add-basis-legitimate_interests').check();
  await page.getByRole('button', { name: 'Add the purpose' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.locator('#add-purpose-error').innerText(), /lower-case/);
  assert.match(await page.locator('#add-basis-error').innerText(), /cannot be used/);
  assert.match(await page.locator('#add-label_en-error').innerText(), /label/);
  let stored = await adminCall('GET', `/api/v1/admin/sites/${site}`);
  assert.equal(stored.body.purposes.length, 1, 'nothing saved');
  await page.locator('#add-purpose').fill('reunions');
  await page.locator('#add-basis-consent').check();
  await page.locator('#add-label_en').fill('Reunions');
  await page.locator('#add-text_en').fill('Email me about reunions for my year.');
  await page.getByRole('button', { name: 'Add the purpose' }).click();
  await page.locator('#reunions\\.email').waitFor();
  stored = await adminCall('GET', `/api/v1/admin/sites/${site}`);
  assert.deepEqual(stored.body.purposes.map((p) => `${p.purpose}.${p.channel}`), ['news.email', 'reunions.email']);
  const config = await (await fetch(`${workerUrl}/api/v1/sites/${site}/config`, { headers: { origin: 'https://example.org' } })).json();
  assert.ok(config.purposes.some((p) => p.purpose === 'reunions' && p.label === 'Reunions'), JSON.stringify(config));
  await context.close();
});

test('the add-a-purpose form has no WCAG 2.2 AA violations, light and dark, with and without errors', async () => {
  const { context, page } = await ownerSignedIn('axe', { bypassCSP: true });
  await page.goto(`${workerUrl}/admin/sites/${site}/wording`);
  await accessible(page, 'wording with the add-a-purpose form');
  await page.locator('#add-purpose').fill('Bad Key');
  await page.getByRole('button', { name: 'Add the purpose' }).click();
  await page.getByRole('alert').waitFor();
  await accessible(page, 'add a purpose, with errors');
  await context.close();
});
