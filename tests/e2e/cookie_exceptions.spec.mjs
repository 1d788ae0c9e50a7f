// Cookie categories that need only an opt-out (issue 13 §2–3): under UK rules the demo's first-party
// `statistics` runs without a click unless the visitor objects ("Reject all", "Turn off", Global
// Privacy Control); under EU rules it waits for consent like everything else. A decision keeps the
// rules it was made under and is asked again under other ones. A site whose optional categories
// are all exceptions shows a compact notice, not a consent banner, without the WebAssembly UI.
// The worker reads the visitor's country from CF-IPCountry locally; every request to it here
// carries the country under test (route interception, so no CORS preflight is added).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, demoUrl, workerUrl } from './browser.mjs';
import { Banner, AXE_PATH } from './pages/banner.mjs';
import { syncUrl, runs } from './pages/sync_page.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A fresh context whose requests to the worker come from `country`; `gpc` sends the signal. */
async function visitor(country, { gpc = false } = {}) {
  const context = await browser.newContext();
  if (gpc) await context.addInitScript(() => Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true }));
  const from = { country };
  await context.route(`${workerUrl}/**`, (route) =>
    route.continue({ headers: { ...route.request().headers(), 'cf-ipcountry': from.country } }));
  return { context, from };
}

/** Opens `url` in `context`, noting page errors, console errors and WebAssembly UI downloads. */
async function open(context, url) {
  const page = await context.newPage();
  const problems = [];
  const uiRequests = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('request', (r) => { if (r.url().includes('consent_widget')) uiRequests.push(r.url()); });
  await page.goto(url);
  return { page, problems, uiRequests };
}

const statsRan = (page) => page.evaluate(() => window.__statsRan === true);
const decision = (page) => page.evaluate(() => window.ConsentWidget.decision());
const STATS = ['body:statistics', 'head:statistics'];
const sorted = async (page) => [...await runs(page)].sort();

test('GB: statistics runs without a click, the banner offers it ticked as an objection, Reject all objects', async () => {
  const { context } = await visitor('GB');
  const { page, problems } = await open(context, demoUrl);
  const banner = new Banner(page);
  await banner.waitUntilShown();
  await page.waitForFunction(() => window.__statsRan === true);
  assert.equal(await page.locator('#stats-line').innerText(), 'Site statistics are counting this visit.');
  assert.equal(await page.evaluate(() => window.demoAnalyticsRuns), undefined, 'analytics (consent) waits');
  await banner.choose.click();
  await banner.dialog.waitFor({ state: 'visible' });
  assert.equal(await banner.category('statistics').isChecked(), true, 'an exception starts ticked');
  assert.equal(await banner.category('analytics').isChecked(), false);
  assert.match(await banner.dialog.innerText(), /On unless you object: untick to turn off/);
  await page.keyboard.press('Escape');
  const record = banner.nextRecord();
  await banner.reject.click();
  const { status, body } = await record;
  assert.equal(status, 201);
  assert.deepEqual([body.choice, body.categories], ['reject_all', []]);
  assert.equal((await decision(page)).r, 'uk', 'the cookie keeps the rules it was made under');
  assert.deepEqual(problems, []);

  const back = await open(context, demoUrl);
  await back.page.locator('#consent-reopen').waitFor({ state: 'attached' });
  assert.equal(await statsRan(back.page), false, 'not after Reject all');
  assert.equal(await back.page.locator('#stats-line').innerText(), 'Site statistics are off.');
  await context.close();
});

test('GB with Global Privacy Control: statistics does not run, and the objection is recorded', async () => {
  const { context } = await visitor('GB', { gpc: true });
  const recorded = new Promise((resolve) => context.on('request', (r) => {
    if (r.url().endsWith('/cookie-consents') && r.method() === 'POST') resolve(r.postDataJSON());
  }));
  const { page, problems } = await open(context, syncUrl());
  await page.locator('#consent-reopen').waitFor({ state: 'attached' });
  const body = await recorded;
  assert.deepEqual([body.choice, body.categories, body.gpc], ['gpc_signal', [], true]);
  assert.deepEqual(await runs(page), []);
  assert.equal(await new Banner(page).layer.count(), 0, 'no banner: GPC is the answer');
  assert.deepEqual(problems, []);
  await context.close();
});

test('FR: statistics waits for consent like analytics; Accept all runs it', async () => {
  const { context } = await visitor('FR');
  const { page, problems } = await open(context, syncUrl());
  const banner = new Banner(page);
  await banner.waitUntilShown();
  assert.deepEqual(await runs(page), [], 'nothing runs under EU rules before consent');
  await banner.choose.click();
  await banner.dialog.waitFor({ state: 'visible' });
  assert.equal(await banner.category('statistics').isChecked(), false, 'EU rules: nothing pre-ticked');
  assert.doesNotMatch(await banner.dialog.innerText(), /unless you object/);
  const record = banner.nextRecord();
  await banner.dialogButton('accept').click();
  assert.equal((await record).status, 201);
  await page.waitForFunction(() => (window.heldBackRuns || []).length >= 4);
  assert.deepEqual(await sorted(page), ['body:analytics', 'body:statistics', 'head:analytics', 'head:statistics']);
  assert.equal((await decision(page)).r, 'eu');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a UK decision is asked again under EU rules; an older decision without rules is kept', async () => {
  const { context, from } = await visitor('GB');
  const { page } = await open(context, syncUrl());
  const banner = new Banner(page);
  await banner.waitUntilShown();
  const record = banner.nextRecord();
  await banner.accept.click();
  assert.equal((await record).status, 201);
  assert.equal((await decision(page)).r, 'uk');

  from.country = 'DE';
  const eu = await open(context, syncUrl());
  await new Banner(eu.page).waitUntilShown();
  assert.deepEqual(await runs(eu.page), [], 'the UK decision does not apply: nothing runs until asked again');

  // A cookie from before rule sets (no `r`) was an opt-in decision: it applies under any rules.
  const old = await browser.newContext();
  await old.route(`${workerUrl}/**`, (route) =>
    route.continue({ headers: { ...route.request().headers(), 'cf-ipcountry': 'DE' } }));
  const value = encodeURIComponent(JSON.stringify({ v: 1, id: '11111111-2222-4333-8444-555555555555', c: ['statistics'], ch: 'custom', t: Date.now() }));
  await old.addCookies([{ name: 'consent_demo', value, url: demoUrl }]);
  const kept = await open(old, syncUrl());
  await kept.page.locator('#consent-reopen').waitFor({ state: 'attached' });
  assert.deepEqual(await sorted(kept.page), STATS);
  await context.close();
  await old.close();
});

/// The site `notice`: strictly necessary cookies and first-party statistics only, so under UK
/// rules its visitors get the compact notice; its page is the demo host's /sync.
async function defineNoticeSite() {
  const texts = (en, cy) => [{ lang: 'en', label: en[0], description: en[1] }, { lang: 'cy', label: cy[0], description: cy[1] }];
  const definition = {
    organisation: {
      name: 'Notice Trust', contact_email: 'hello@notice.example', postal_address: '2 Lane',
      privacy_notice_url: 'https://notice.example/privacy', cookie_policy_url: 'https://notice.example/cookies',
    },
    allowed_origins: [new URL(demoUrl).origin],
    default_lang: 'en',
    purposes: [],
    cookie_categories: [
      { key: 'necessary', required: true, texts: texts(['Strictly necessary', 'Remember your cookie choice.'], ['Cwbl angenrheidiol', 'Cofio eich dewis cwcis.']) },
      { key: 'statistics', basis: 'statistics', texts: texts(['Site statistics', 'Our own count of which pages are used.'], ['Ystadegau\'r wefan', 'Ein cyfrif ein hunain o ba dudalennau a ddefnyddir.']) },
    ],
    banner: [
      { lang: 'en', text: 'Notice Trust counts which pages are used, to improve this site.' },
      { lang: 'cy', text: 'Mae Notice Trust yn cyfrif pa dudalennau a ddefnyddir, i wella\'r wefan hon.' },
    ],
  };
  const r = await fetch(`${workerUrl}/api/v1/admin/sites/notice`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${process.env.CONSENT_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(definition),
  });
  assert.ok(r.status === 200 || r.status === 201, `PUT site: ${r.status} ${await r.text()}`);
}

const noticeUrl = (lang) => syncUrl('notice') + (lang === 'cy' ? '&lang=cy' : '');

async function axe(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

test('notice-only site: a compact notice, no WebAssembly, "Turn off" as prominent as "OK", axe-clean in en/cy light/dark', async () => {
  await defineNoticeSite();
  for (const lang of ['en', 'cy']) {
    for (const colorScheme of ['light', 'dark']) {
      const { context } = await visitor('GB');
      const { page, problems, uiRequests } = await open(context, noticeUrl(lang));
      await page.emulateMedia({ colorScheme });
      const notice = page.locator('#consent-notice section');
      await notice.waitFor({ state: 'visible', timeout: 20_000 });
      assert.deepEqual(await sorted(page), STATS, 'the exception runs at once');
      const buttons = notice.locator('button');
      assert.deepEqual(await buttons.allInnerTexts(), lang === 'cy' ? ['Iawn', 'Diffodd'] : ['OK', 'Turn off']);
      assert.equal(await notice.getAttribute('aria-label'), lang === 'cy' ? 'Hysbysiad cwcis' : 'Cookie notice');
      assert.match(await notice.innerText(), lang === 'cy' ? /Ystadegau'r wefan/ : /Site statistics/);
      const [ok, off] = await Promise.all([buttons.nth(0), buttons.nth(1)].map(Banner.look));
      for (const key of ['fontSize', 'fontWeight', 'padding', 'background', 'color', 'border']) {
        assert.equal(off[key], ok[key], `${key} differs: ${JSON.stringify({ ok, off })}`);
      }
      assert.deepEqual(await axe(page), [], `${lang} ${colorScheme}`);
      assert.deepEqual(uiRequests, [], 'no WebAssembly UI for a notice');
      assert.deepEqual(problems, []);
      await context.close();
    }
  }
});

test('notice-only site: "Turn off" records an objection and nothing runs on the next page; FR gets a consent banner', async () => {
  await defineNoticeSite();
  const { context } = await visitor('GB');
  const { page, problems } = await open(context, noticeUrl('en'));
  const notice = page.locator('#consent-notice section');
  await notice.waitFor({ state: 'visible', timeout: 20_000 });
  const record = page.waitForResponse((r) => r.url().endsWith('/cookie-consents') && r.request().method() === 'POST');
  await notice.locator('button', { hasText: 'Turn off' }).click();
  const answer = await record;
  assert.equal(answer.status(), 201);
  const body = answer.request().postDataJSON();
  assert.deepEqual([body.choice, body.categories], ['object', []]);
  assert.equal(await page.locator('#consent-notice').count(), 0);
  const d = await decision(page);
  assert.deepEqual([d.ch, d.c, d.r], ['object', [], 'uk']);
  assert.deepEqual(problems, []);

  const back = await open(context, noticeUrl('en'));
  await back.page.locator('#consent-reopen').waitFor({ state: 'attached' });
  assert.deepEqual(await runs(back.page), [], 'the objection holds on the next page');
  assert.equal(await back.page.locator('#consent-notice').count(), 0);
  await context.close();

  const fr = await visitor('FR');
  const eu = await open(fr.context, noticeUrl('en'));
  await new Banner(eu.page).waitUntilShown();
  assert.deepEqual(await runs(eu.page), [], 'EU rules: statistics needs consent');
  assert.equal(await eu.page.locator('#consent-notice').count(), 0);
  await fr.context.close();
});
