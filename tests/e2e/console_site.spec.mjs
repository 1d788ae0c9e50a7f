// The console's site pages in a real browser, on a site of their own (the demo site's wording is
// what the other specs check): the settings form with JavaScript off (errors beside fields, then
// saved), a wording changed into a new version with its history and diff, and axe on the
// settings, wording, categories and embed pages, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { adminCall, signIn, accessible } from './pages/console.mjs';

const run = process.pid;
const site = `console-site-${run}`;

let browser;
before(async () => {
  browser = await launch();
  const definition = {
    organisation: {
      name: 'Console Test Society',
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
    cookie_categories: [
      { key: 'necessary', required: true, texts: [{ lang: 'en', label: 'Necessary', description: 'Remember your choice.' }] },
      { key: 'analytics', basis: 'statistics', consent_mode: ['analytics_storage'], texts: [{ lang: 'en', label: 'Analytics', description: 'Count visits.' }] },
    ],
    banner: [{ lang: 'en', text: 'We use cookies.' }],
  };
  const made = await adminCall('PUT', `/api/v1/admin/sites/${site}`, definition);
  assert.equal(made.status, 201, JSON.stringify(made.body));
});
after(async () => { await browser?.close(); });

/** A new owner of the test site, signed in through the local outbox in a fresh context. */
async function ownerSignedIn(name, contextOptions = {}) {
  const email = `console-site-${name}-${run}@example.org`;
  const made = await adminCall('POST', `/api/v1/admin/sites/${site}/owners`, { email });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const { context, page } = await signIn(browser, email, contextOptions);
  return { context, page, email };
}

test('JavaScript off: the settings form shows errors beside their fields, then saves', async () => {
  const { context, page } = await ownerSignedIn('settings', { javaScriptEnabled: false });
  await page.goto(`${workerUrl}/admin/sites/${site}/settings`);
  assert.equal(await page.title(), 'Site settings');
  await page.getByLabel('Contact email').fill('not an address');
  await page.getByLabel('Privacy notice link').fill('example.org/privacy');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.locator('#contact_email-error').innerText(), /email address/);
  assert.match(await page.locator('#privacy_notice_url-error').innerText(), /https:\/\//);
  let stored = await adminCall('GET', `/api/v1/admin/sites/${site}`);
  assert.equal(stored.body.organisation.contact_email, 'office@example.org', 'nothing saved');
  await page.getByLabel('Contact email').fill('alumni@example.org');
  await page.getByLabel('Privacy notice link').fill('https://example.org/privacy-notice');
  await page.getByLabel('Organisation name').fill('Console Test Alumni Society');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Your settings are saved.').waitFor();
  stored = await adminCall('GET', `/api/v1/admin/sites/${site}`);
  assert.equal(stored.body.organisation.name, 'Console Test Alumni Society');
  assert.equal(stored.body.organisation.privacy_notice_url, 'https://example.org/privacy-notice');
  await context.close();
});

test('a changed wording is a new version, with who changed it and the diff', async () => {
  const { context, page, email } = await ownerSignedIn('wording');
  await page.goto(`${workerUrl}/admin/sites/${site}/wording`);
  await page.getByText('keeps their record').waitFor();
  const statement = page.locator('#news\\.email-text_en');
  await statement.fill('Send me the society news and event invitations by email.');
  await page.locator('#news\\.email').getByRole('button', { name: 'Save as a new version' }).click();
  await page.getByText('Saved as a new version.').waitFor();
  const versions = page.locator('#news\\.email ul.versions');
  assert.match(await versions.innerText(), new RegExp(`Version 2 — .*${email.replace(/[.]/g, '\\.')}`));
  await versions.getByText('Changes from version 1').click();
  assert.match(await versions.locator('ins').first().innerText(), /event invitations/);
  const stored = await adminCall('GET', `/api/v1/admin/sites/${site}`);
  const news = stored.body.purposes.find((p) => p.purpose === 'news');
  assert.equal(news.current_version, 2);
  assert.equal(news.wordings.length, 2, 'the old version is kept');
  await context.close();
});

test('the site pages have no WCAG 2.2 AA violations, light and dark', async () => {
  const { context, page } = await ownerSignedIn('axe', { bypassCSP: true });
  for (const section of ['settings', 'wording', 'categories', 'embed']) {
    await page.goto(`${workerUrl}/admin/sites/${site}/${section}`);
    await accessible(page, section);
  }
  // With errors shown.
  await page.goto(`${workerUrl}/admin/sites/${site}/settings`);
  await page.getByLabel('Contact email').fill('nope');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('alert').waitFor();
  await accessible(page, 'settings with errors');
  await context.close();
});
