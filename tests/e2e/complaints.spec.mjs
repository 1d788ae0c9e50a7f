// Complaints (issue 14) in a real browser with JavaScript off: the public form shows its errors
// beside the fields and nothing is recorded; a good complaint shows its reference; the
// acknowledgement's status link opens the complaint's page; the preference centre takes a
// complaint too — and zero axe violations on every page, light and dark, English and Welsh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { signUpAndGetPreferencesUrl, mailedLink, axeViolations } from './pages/preferences.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const run = `${process.pid}`;
const form = `${workerUrl}/complaints/demo`;

async function send(page) {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: /Send complaint|Anfon y gŵyn/ }).click()]);
}

test('JavaScript off: errors beside the fields, then a complaint with its reference and a working status link', async () => {
  const email = `complainer-${run}@example.org`;
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(form);
  assert.match(await page.locator('h1').innerText(), /Complain about how your data is used/);
  await send(page);
  assert.match(await page.locator('[role="alert"]').innerText(), /Nothing was sent/);
  assert.match(await page.locator('#complaint-error').innerText(), /Write your complaint/);
  assert.equal(await page.locator('#complaint').getAttribute('aria-invalid'), 'true');

  await page.locator('#name').fill('Sam <Complainer>');
  await page.locator('#email').fill(email);
  await page.locator('#complaint').fill('You emailed me after I unsubscribed.');
  await send(page);
  assert.match(await page.locator('h1').innerText(), /Complaint received/);
  const said = await page.locator('[role="status"]').innerText();
  const reference = said.match(/C-[0-9A-Z]{8}/)?.[0];
  assert.ok(reference, said);
  assert.match(said, /We are sending an acknowledgement/);

  // The entry is marked acknowledged just after the mail went (after the answer): look again
  // until it is.
  const statusLink = await mailedLink(email, '/complaint-status/');
  let main = '';
  for (let i = 0; i < 50 && !/Acknowledged/.test(main); i++) {
    if (i) await page.waitForTimeout(200);
    await page.goto(statusLink);
    main = await page.locator('main').innerText();
  }
  assert.match(main, new RegExp(reference));
  assert.match(main, /Acknowledged: we are looking into it/);
  assert.doesNotMatch(main, /unsubscribed/, 'the page never shows the text');
  await context.close();
});

test('JavaScript off: the preference centre takes a complaint', async () => {
  const email = `pref-complainer-${run}@example.org`;
  const url = await signUpAndGetPreferencesUrl(email);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#complaint').fill('Too many messages.');
  await send(page);
  const said = await page.locator('[role="status"]').innerText();
  assert.match(said, /Your complaint is recorded with the reference C-[0-9A-Z]{8}/);
  await page.goto(await mailedLink(email, '/complaint-status/'));
  assert.match(await page.locator('h1').innerText(), /Your complaint/);
  await context.close();
});

test('complaint pages have no WCAG 2.2 AA violations, light and dark, English and Welsh', async () => {
  const email = `axe-complainer-${run}@example.org`;
  for (const colorScheme of ['light', 'dark']) {
    const context = await browser.newContext({ bypassCSP: true, colorScheme });
    const page = await context.newPage();
    for (const lang of ['en', 'cy']) {
      await page.goto(`${form}?lang=${lang}`);
      assert.deepEqual(await axeViolations(page), [], `${colorScheme} ${lang} form`);
      await page.locator('#email').fill('nope');
      await page.locator('#email').evaluate((e) => { e.type = 'text'; });
      await send(page);
      assert.equal(await page.locator('html').getAttribute('lang'), lang);
      assert.deepEqual(await axeViolations(page), [], `${colorScheme} ${lang} form with errors`);
    }
    await page.goto(`${form}?lang=cy`);
    await page.locator('#email').fill(`${colorScheme}-${email}`);
    await page.locator('#complaint').fill('Cwyn.');
    await send(page);
    assert.deepEqual(await axeViolations(page), [], `${colorScheme} received page`);
    const link = await mailedLink(`${colorScheme}-${email}`, '/complaint-status/');
    for (const lang of ['en', 'cy']) {
      await page.goto(`${link}?lang=${lang}`);
      assert.deepEqual(await axeViolations(page), [], `${colorScheme} ${lang} status page`);
    }
    await context.close();
  }
});
