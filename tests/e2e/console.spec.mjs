// The console's sign-in in a real browser: the link is captured from the local outbox, opening
// it shows a button, pressing it starts a session (cookie set by the 303), "sign out everywhere"
// ends it, and a removed person loses access at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { adminCall, signIn, accessible } from './pages/console.mjs';

const run = process.pid;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an owner signs in with the mailed link, sees their site and signs out everywhere', async () => {
  const email = `console-owner-${run}@example.org`;
  const made = await adminCall('POST', '/api/v1/admin/sites/demo/owners', { email });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const { context, page } = await signIn(browser, email, {});
  assert.equal(await page.title(), 'Your sites');
  const row = page.getByRole('row', { name: /demo/ });
  assert.match(await row.innerText(), /Owner/);
  const cookie = (await context.cookies()).find((c) => c.name === 'consent_session');
  assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict', JSON.stringify(cookie));
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByText('You are signed out.').waitFor();
  await page.goto(`${workerUrl}/admin`);
  assert.equal(page.url(), `${workerUrl}/admin/sign-in`, 'signed out: back to sign-in');
  await context.close();
});

test('a removed person is sent back to sign-in at once', async () => {
  const email = `console-dpo-${run}@example.org`;
  const added = await adminCall('POST', '/api/v1/admin/sites/demo/people', { email, role: 'dpo' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const { context, page } = await signIn(browser, email, {});
  assert.match(await page.getByRole('row', { name: /demo/ }).innerText(), /Data protection officer/);
  const removed = await adminCall('DELETE', `/api/v1/admin/sites/demo/people/${added.body.person_id}`);
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  await page.reload();
  assert.equal(page.url(), `${workerUrl}/admin/sign-in`);
  await context.close();
});

test('the console pages have no WCAG 2.2 AA violations, light and dark', async () => {
  const email = `console-axe-${run}@example.org`;
  const added = await adminCall('POST', '/api/v1/admin/sites/demo/people', { email, role: 'viewer' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const { context, page } = await signIn(browser, email, { bypassCSP: true }, accessible);
  await accessible(page, 'landing page');
  await page.goto(`${workerUrl}/admin/sign-in/not-a-link`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Send a new link' }).waitFor();
  await accessible(page, 'broken link page');
  await context.close();
});
