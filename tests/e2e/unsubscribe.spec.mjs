// The unsubscribe page a person reaches from an email: works with JavaScript off, changes
// nothing on GET, one button records the withdrawal, and passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { AXE_PATH } from './pages/banner.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function unsubscribeUrl(email) {
  const consent = await fetch(`${workerUrl}/api/v1/sites/demo/consents`, {
    method: 'POST',
    // As the widget on the demo page posts it: the public endpoint takes browsers only (a
    // registered Origin, and a page of the site).
    headers: { 'Content-Type': 'application/json', Origin: 'http://127.0.0.1:8788' },
    body: JSON.stringify({ email, consents: [{ purpose: 'news', channel: 'email', wording_version: 1 }], page_url: 'http://127.0.0.1:8788/' }),
  });
  assert.equal(consent.status, 201);
  const links = await fetch(`${workerUrl}/api/v1/admin/sites/demo/links`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${process.env.CONSENT_ADMIN_KEY}` },
    body: JSON.stringify({ email, purpose: 'news' }),
  });
  assert.equal(links.status, 200);
  return (await links.json()).unsubscribe_url;
}

test('with JavaScript off, the page names the list and one button unsubscribes', async () => {
  const url = await unsubscribeUrl('nojs@example.org');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url);
  assert.match(await page.locator('main').innerText(), /Stop News and events \(by email\) from Demo Alumni Association\?/);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(url);
  assert.match(await page.locator('h1').innerText(), /You are unsubscribed/);
  await context.close();
});

test('the unsubscribe pages have no WCAG 2.2 AA violations', async () => {
  const url = await unsubscribeUrl('axe@example.org');
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  for (const step of ['confirm', 'done']) {
    if (step === 'confirm') await page.goto(url);
    else await page.locator('button[type="submit"]').click();
    await page.waitForLoadState('load');
    await page.addScriptTag({ path: AXE_PATH });
    const result = await page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    assert.deepEqual(result.violations.map((v) => v.id), [], `${step}: ${JSON.stringify(result.violations, null, 1)}`);
  }
  await context.close();
});
