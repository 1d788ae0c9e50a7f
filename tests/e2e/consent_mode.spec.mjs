// Consent Mode signals come from the site's configuration, not from category names: a site whose
// optional category is called `statistics` and declares `analytics_storage` updates
// `analytics_storage` when it is accepted — on the decision and on every return.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { Banner } from './pages/banner.mjs';
import { openSync, runs, updates } from './pages/sync_page.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Defines the site `stats` through the admin API: a required category and `statistics`,
/// which grants analytics_storage; its page is the demo host's.
async function defineStatsSite() {
  const category = (key, required, consent_mode) => ({
    key, required, consent_mode,
    texts: [{ lang: 'en', label: key, description: `The ${key} cookies.` }],
  });
  const definition = {
    organisation: {
      name: 'Stats Club', contact_email: 'sec@stats.example', postal_address: '1 Lane',
      privacy_notice_url: 'https://stats.example/privacy', cookie_policy_url: 'https://stats.example/cookies',
    },
    allowed_origins: [new URL(process.env.CONSENT_DEMO_URL).origin],
    default_lang: 'en',
    purposes: [],
    cookie_categories: [category('necessary', true, []), category('statistics', false, ['analytics_storage'])],
    banner: [{ lang: 'en', text: 'We count visits with statistics cookies if you agree.' }],
  };
  const r = await fetch(`${process.env.CONSENT_WORKER_URL}/api/v1/admin/sites/stats`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${process.env.CONSENT_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(definition),
  });
  assert.ok(r.status === 200 || r.status === 201, `PUT site: ${r.status} ${await r.text()}`);
}

test('a category called statistics that declares analytics_storage drives analytics_storage', async () => {
  await defineStatsSite();
  const context = await browser.newContext();
  const { page, problems } = await openSync(context, 'stats');
  const banner = new Banner(page);
  await banner.waitUntilShown();
  const record = banner.nextRecord();
  await banner.accept.click();
  const { status, body } = await record;
  assert.equal(status, 201);
  assert.deepEqual(body.categories, ['statistics']);
  await page.waitForFunction(() => (window.heldBackRuns || []).length >= 2);
  assert.deepEqual(await runs(page), ['head:statistics', 'body:statistics']);
  const [update] = await updates(page);
  assert.deepEqual(update, {
    ad_storage: 'denied', analytics_storage: 'granted', ad_user_data: 'denied', ad_personalization: 'denied',
  });
  assert.deepEqual(problems, []);

  const back = await openSync(context, 'stats');
  await back.page.locator('#consent-reopen').waitFor({ state: 'attached' });
  assert.equal((await updates(back.page))[0].analytics_storage, 'granted', 'on return, without the UI');
  assert.deepEqual(await runs(back.page), ['head:statistics', 'body:statistics']);
  assert.deepEqual(back.uiRequests, []);
  await context.close();
});
