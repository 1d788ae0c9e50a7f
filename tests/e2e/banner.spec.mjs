// The cookie banner and preferences dialog (ICO/EDPB): who and why on the first layer, Accept all
// and Reject all equally prominent, nothing pre-ticked, strictly necessary shown as always on,
// every decision applied through the loader and recorded; keyboard, screen reader and Welsh use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openDemo, decisionCookie } from './browser.mjs';
import { Banner } from './pages/banner.mjs';
import { OptInForm } from './pages/opt_in_form.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The demo page on a first visit (fresh context: no decision cookie), banner shown. */
async function firstVisit(options = {}) {
  const { page, problems, context } = await openDemo(browser, options);
  const banner = new Banner(page);
  await banner.waitUntilShown().catch((e) => { throw new Error(`${e.message}\n${problems.join('\n')}`); });
  return { page, problems, context, banner };
}

test('first visit: who and why, both links, and three equally prominent buttons', async () => {
  const { page, context, banner } = await firstVisit();
  assert.equal(await banner.layer.getAttribute('role'), 'region');
  assert.equal(await banner.layer.getAttribute('aria-label'), 'Cookie choices');
  const text = await banner.layer.innerText();
  assert.match(text, /Demo Alumni Association/);
  assert.match(text, /uses cookies that are strictly necessary/);
  for (const [link, href] of [[banner.cookiePolicy, 'https://example.org/cookies'], [banner.privacyNotice, 'https://example.org/privacy']]) {
    assert.equal(await link.getAttribute('href'), href);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.match(await link.getAttribute('rel'), /noopener/);
  }
  assert.match(await banner.cookiePolicy.innerText(), /Cookie policy/);
  assert.match(await banner.privacyNotice.innerText(), /Privacy notice/);

  const buttons = banner.layer.locator('button');
  assert.deepEqual(await buttons.allInnerTexts(), ['Accept all', 'Reject all', 'Choose'], 'order of the buttons');
  const [accept, reject, choose] = await Promise.all([banner.accept, banner.reject, banner.choose].map(Banner.look));
  for (const other of [reject, choose]) {
    for (const key of ['tag', 'className', 'fontSize', 'fontWeight', 'padding', 'background', 'color', 'border']) {
      assert.equal(other[key], accept[key], `${key} differs: ${JSON.stringify({ accept, other })}`);
    }
    assert.ok(Math.abs(other.width - accept.width) <= 1 && Math.abs(other.height - accept.height) <= 1,
      `sizes differ: ${JSON.stringify({ accept, other })}`);
  }
  // An overlay: fixed to the viewport, the host takes no room, so nothing on the page moves.
  assert.equal(await banner.layer.evaluate((el) => getComputedStyle(el).position), 'fixed');
  assert.equal((await banner.host.boundingBox())?.height ?? 0, 0);
  await context.close();
});

test('Reject all: the banner goes, nothing non-essential runs, and the refusal is recorded', async () => {
  const { page, problems, context, banner } = await firstVisit();
  const record = banner.nextRecord();
  await banner.reject.click();
  const { status, body } = await record;
  assert.equal(status, 201);
  assert.equal(body.choice, 'reject_all');
  assert.deepEqual(body.categories, []);
  assert.equal(body.reject_on_first_layer, true);
  assert.equal(body.gpc, false);
  assert.match(body.wording_sha256, /^[0-9a-f]{64}$/);
  assert.match(body.consent_id, /^[0-9a-f-]{36}$/);
  await banner.layer.waitFor({ state: 'hidden' });
  const decision = await page.evaluate(() => window.ConsentWidget.decision());
  assert.deepEqual({ id: decision.id, c: decision.c, ch: decision.ch, v: decision.v },
    { id: body.consent_id, c: [], ch: 'reject_all', v: body.policy_version }, 'handed to the loader');
  assert.equal(await page.evaluate(() => window.demoAnalyticsRuns), undefined, 'analytics stays blocked');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Accept all: every optional category, applied and recorded', async () => {
  const { page, context, banner } = await firstVisit();
  const record = banner.nextRecord();
  await banner.accept.click();
  const { status, body } = await record;
  assert.equal(status, 201);
  assert.equal(body.choice, 'accept_all');
  assert.deepEqual(body.categories, ['analytics', 'statistics']);
  await banner.layer.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => window.demoAnalyticsRuns), 1, 'the held-back analytics script ran once');
  await context.close();
});

test('Choose: a modal dialog, focus inside, nothing pre-ticked, necessary always on; Esc returns focus', async () => {
  const { page, context, banner } = await firstVisit();
  await banner.choose.click();
  await banner.dialog.waitFor({ state: 'visible' });
  assert.equal(await banner.dialog.evaluate((d) => d.open && d.matches(':modal')), true);
  assert.equal((await banner.focused())?.inDialog, true, 'focus moves into the dialog');
  assert.equal(await banner.category('analytics').isChecked(), false, 'analytics must start unticked');
  assert.equal(await banner.category('analytics').isDisabled(), false);
  assert.equal(await banner.category('necessary').isChecked(), true);
  assert.equal(await banner.category('necessary').isDisabled(), true);
  const necessaryLabel = await banner.dialog.locator('label[for]', { has: page.locator('text=Always on') }).innerText();
  assert.match(necessaryLabel, /Strictly necessary/);
  assert.match(await banner.dialog.innerText(), /Count visits anonymously/);

  await page.keyboard.press('Escape');
  await banner.dialog.waitFor({ state: 'hidden' });
  assert.equal((await banner.focused())?.action, 'choose', 'focus returns to Choose');
  assert.equal(await banner.layer.isVisible(), true, 'closing the dialog is not a decision');
  await context.close();
});

test('Save choices records exactly the ticked categories as a custom choice', async () => {
  const { page, context, banner } = await firstVisit();
  await banner.choose.click();
  await banner.category('analytics').check();
  // `statistics` is an exception under the UK rules this visitor (no country: the default) gets:
  // ticked until they object. Unticked here: the objection is part of the custom choice.
  assert.equal(await banner.category('statistics').isChecked(), true, 'an exception starts ticked');
  await banner.category('statistics').uncheck();
  const record = banner.nextRecord();
  await banner.dialogButton('save').click();
  const { status, body } = await record;
  assert.equal(status, 201);
  assert.deepEqual([body.choice, body.categories], ['custom', ['analytics']]);
  await banner.dialog.waitFor({ state: 'hidden' });
  await banner.layer.waitFor({ state: 'hidden' });
  assert.deepEqual(await page.evaluate(() => window.ConsentWidget.decision().c), ['analytics']);
  // Choose has gone with the first layer: focus moves to the "Cookie settings" button.
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'consent-reopen');
  await context.close();
});

test('keyboard only: Tab reaches Accept all and Enter decides', async () => {
  const { context, page, banner } = await firstVisit();
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press('Tab');
    const f = await banner.focused();
    reached = f?.inBanner && f.action === 'accept';
  }
  assert.ok(reached, 'Accept all is reachable with Tab');
  const visible = await banner.accept.evaluate((el) => {
    const s = getComputedStyle(el);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  });
  assert.ok(visible, 'a visible focus outline');
  const record = banner.nextRecord();
  await page.keyboard.press('Enter');
  const { status, body } = await record;
  assert.equal(status, 201);
  assert.equal(body.choice, 'accept_all');
  await context.close();
});

test('reopening the settings shows the decision in force and returns focus to the opener', async () => {
  const { page, problems, context } = await openDemo(browser, { cookies: [decisionCookie(['analytics'])] });
  const banner = new Banner(page);
  const open = page.locator('[data-consent-open]');
  await open.waitFor({ state: 'visible' });
  await open.focus();
  await open.press('Enter');
  await banner.dialog.waitFor({ state: 'visible', timeout: 20_000 }).catch((e) => { throw new Error(`${e.message}\n${problems.join('\n')}`); });
  assert.equal(await banner.layer.isVisible(), false, 'no first layer when a decision is in force');
  assert.equal(await banner.category('analytics').isChecked(), true, 'ticks reflect the cookie');
  await banner.category('analytics').uncheck();
  const record = banner.nextRecord();
  await banner.dialogButton('save').click();
  const { status, body } = await record;
  assert.equal(status, 201);
  assert.deepEqual([body.choice, body.categories], ['custom', []]);
  assert.equal(body.consent_id, '11111111-2222-4333-8444-555555555555', 'the consent id in the cookie is kept');
  await banner.dialog.waitFor({ state: 'hidden' });
  assert.equal((await banner.focused())?.consentOpen, true, 'focus returns to the link that opened it');
  await context.close();
});

test('axe-core finds no WCAG 2.2 AA violations: banner, dialog, form — light and dark', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, banner } = await firstVisit();
    await page.emulateMedia({ colorScheme });
    await new OptInForm(page).waitUntilRendered();
    assert.deepEqual(await banner.axeViolations(), [], `${colorScheme}: banner and opt-in form`);
    await banner.choose.click();
    await banner.dialog.waitFor({ state: 'visible' });
    assert.deepEqual(await banner.axeViolations(), [], `${colorScheme}: preferences dialog`);
    await context.close();
  }
});

test('prefers-reduced-motion switches transitions off', async () => {
  const { page, context, banner } = await firstVisit();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const durations = await banner.accept.evaluate((el) => getComputedStyle(el).transitionDuration);
  assert.match(durations, /^0s(, 0s)*$/);
  await context.close();
});

test('Welsh: the banner, dialog and form speak Welsh on a Welsh page', async () => {
  const { page, context, banner } = await firstVisit({ query: '?lang=cy' });
  assert.deepEqual(await banner.layer.locator('button').allInnerTexts(), ['Derbyn y cyfan', 'Gwrthod y cyfan', 'Dewis']);
  assert.equal(await banner.layer.getAttribute('aria-label'), 'Dewisiadau cwcis');
  assert.doesNotMatch(await banner.layer.innerText(), /uses cookies/, 'the site\'s Welsh banner text, not the English');
  assert.equal(await banner.layer.locator('p[lang="cy"]').count(), 1, 'the statement is marked as Welsh');
  assert.match(await banner.cookiePolicy.innerText(), /Polisi cwcis/);
  assert.match(await banner.privacyNotice.innerText(), /Hysbysiad preifatrwydd/);
  await banner.choose.click();
  await banner.dialog.waitFor({ state: 'visible' });
  assert.match(await banner.dialog.innerText(), /Ymlaen bob amser/);
  assert.match(await banner.dialog.innerText(), /Cwbl angenrheidiol/, 'category labels in Welsh');
  assert.equal(await banner.dialogButton('save').innerText(), 'Cadw dewisiadau');
  await page.keyboard.press('Escape');
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  assert.equal(await form.submit.innerText(), 'Cofrestru');
  assert.match(await form.form.innerText(), /Cyfeiriad e-bost/);
  assert.deepEqual(await banner.axeViolations(), [], 'Welsh page');
  const record = banner.nextRecord();
  await banner.reject.click();
  const { status, body } = await record;
  assert.equal(status, 201, 'recorded against the Welsh wording shown');
  assert.equal(body.wording_sha256, '184b81e19aa8dc119349ab587ae48c7dc8b49b5e2e478123fb5979060cc854f5');
  await context.close();
});
