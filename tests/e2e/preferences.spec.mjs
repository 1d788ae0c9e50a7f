// The preference centre a person reaches from an email, with JavaScript off and on: choices with
// their exact wording, history, rectification (with a confirmed new address), download,
// erasure, Welsh, "Lost your link?" — and zero axe violations on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { PreferencePage, signUpAndGetPreferencesUrl, inAudience, mailedLink, axeViolations } from './pages/preferences.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const run = `${process.pid}`;

for (const javaScriptEnabled of [false, true]) {
  const mode = javaScriptEnabled ? 'on' : 'off';

  test(`JavaScript ${mode}: see the wording and history, withdraw, agree again, correct the name, download`, async () => {
    const email = `prefs-js-${mode}-${run}@example.org`;
    const url = await signUpAndGetPreferencesUrl(email);
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const prefs = new PreferencePage(page);
    await page.goto(url);
    const main = await page.locator('main').innerText();
    assert.match(main, /Demo Alumni Association/);
    assert.match(main, /I am happy to hear from the Demo Alumni Association/);
    assert.match(main, /A form on our website/);
    assert.equal(await prefs.checkbox().isChecked(), true);

    await prefs.checkbox().uncheck();
    await prefs.saveChoices();
    assert.match(await prefs.status().innerText(), /Your choices are saved/);
    assert.equal(await prefs.checkbox().isChecked(), false);
    assert.equal(await inAudience(email), false, 'withdrawn at once');
    assert.match(await page.locator('table').innerText(), /Withdrew\s+This preference page/);

    await prefs.checkbox().check();
    await prefs.saveChoices();
    assert.equal(await inAudience(email), true);

    await prefs.saveDetails({ name: 'Ada <Lovelace>' });
    assert.equal(await page.locator('#name').inputValue(), 'Ada <Lovelace>', 'stored and escaped');

    const { filename, data } = await prefs.download();
    assert.equal(filename, 'demo-my-data.json');
    assert.equal(data.email, email);
    assert.equal(data.name, 'Ada <Lovelace>');
    assert.equal(data.history.length, 3);
    await context.close();
  });

  test(`JavaScript ${mode}: a new address is confirmed from its own inbox`, async () => {
    const email = `move-js-${mode}-${run}@example.org`;
    const moved = `moved-js-${mode}-${run}@example.org`;
    const url = await signUpAndGetPreferencesUrl(email);
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const prefs = new PreferencePage(page);
    await page.goto(url);
    await prefs.saveDetails({ email: moved });
    assert.match(await prefs.status().innerText(), /sent a link to the new address/);
    assert.equal(await page.locator('#email').inputValue(), email, 'unchanged until confirmed');
    await page.goto(await mailedLink(moved, '/c/'));
    assert.match(await page.locator('h1').innerText(), /Confirm your new email address/);
    await Promise.all([page.waitForLoadState('load'), prefs.button('Confirm').click()]);
    assert.match(await page.locator('main').innerText(), new RegExp(`Your email address is now ${moved}`));
    await page.goto(url);
    assert.equal(await page.locator('#email').inputValue(), moved);
    await context.close();
  });

  test(`JavaScript ${mode}: "Lost your link?" mails a fresh link; erasure leaves nothing personal`, async () => {
    const email = `lost-js-${mode}-${run}@example.org`;
    await signUpAndGetPreferencesUrl(email);
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const prefs = new PreferencePage(page);
    await page.goto(`${workerUrl}/preferences/demo`);
    await page.locator('#email').fill(email);
    await Promise.all([page.waitForLoadState('load'), prefs.button('Email me a link').click()]);
    assert.match(await prefs.status().innerText(), /If .* is on our list, we have sent a new link/);
    await page.goto(await mailedLink(email, '/p/'));
    assert.equal(await page.locator('#email').inputValue(), email);
    await prefs.erase();
    assert.match(await page.locator('h1').innerText(), /Your data is deleted/);
    assert.equal(await inAudience(email), false);
    assert.doesNotMatch(await page.content(), new RegExp(email));
    await context.close();
  });
}

test('in Welsh, the page speaks Welsh and switches back', async () => {
  const url = await signUpAndGetPreferencesUrl(`cy-${run}@example.org`);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${url}?lang=cy`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'cy');
  assert.match(await page.locator('h1').innerText(), /Eich dewisiadau/);
  await page.getByRole('link', { name: 'English' }).click();
  assert.match(await page.locator('h1').innerText(), /Your preferences/);
  await context.close();
});

test('preference, confirmation and lost-link pages have no WCAG 2.2 AA violations, light and dark', async () => {
  const email = `axe-prefs-${run}@example.org`;
  const url = await signUpAndGetPreferencesUrl(email);
  for (const colorScheme of ['light', 'dark']) {
    const context = await browser.newContext({ bypassCSP: true, colorScheme });
    const page = await context.newPage();
    const prefs = new PreferencePage(page);
    await page.goto(url);
    assert.deepEqual(await axeViolations(page), [], `${colorScheme} preference page`);
    await prefs.checkbox().uncheck();
    await prefs.saveChoices();
    assert.deepEqual(await axeViolations(page), [], `${colorScheme} with a status message`);
    await page.goto(`${url}?lang=cy`);
    assert.deepEqual(await axeViolations(page), [], `${colorScheme} in Welsh`);
    await page.goto(`${workerUrl}/preferences/demo`);
    assert.deepEqual(await axeViolations(page), [], `${colorScheme} lost-link page`);
    const moved = `axe-moved-${colorScheme}-${run}@example.org`;
    await page.goto(url);
    await prefs.saveDetails({ email: moved });
    await page.goto(await mailedLink(moved, '/c/'));
    assert.deepEqual(await axeViolations(page), [], `${colorScheme} confirmation page`);
    await context.close();
  }
});
