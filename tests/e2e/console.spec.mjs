// The console's sign-in in a real browser: the link is captured from the local outbox, opening
// it shows a button, pressing it starts a session (cookie set by the 303), "sign out everywhere"
// ends it, and a removed person loses access at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { axeViolations } from './pages/preferences.mjs';

const adminKey = process.env.CONSENT_ADMIN_KEY;
const messagesUrl = process.env.CONSENT_MAIL_MESSAGES_URL;
const run = process.pid;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function adminCall(method, path, body) {
  const response = await fetch(workerUrl + path, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The sign-in link mailed to `email` (mail is sent after the response: poll the outbox). */
async function mailedLink(email) {
  for (let i = 0; i < 100; i++) {
    const mails = await (await fetch(messagesUrl)).json();
    const mail = mails.reverse().find((m) => m.to?.[0] === email);
    const link = mail?.text.split('\n').find((l) => l.startsWith(`${workerUrl}/admin/sign-in/`));
    if (link) return link;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no sign-in mail to ${email}`);
}

/** Signs `email` in through the pages in a fresh browser context; the page on /admin. */
async function signIn(email, contextOptions = {}, check = async () => {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  await page.goto(`${workerUrl}/admin/sign-in`);
  await check(page, 'sign-in form');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('status').waitFor();
  assert.match(await page.getByRole('status').innerText(), /sign-in link is on its way/);
  await check(page, 'link sent');
  await page.goto(await mailedLink(email));
  assert.equal(await page.title(), 'Sign in to the console');
  await check(page, 'sign-in button');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${workerUrl}/admin`);
  return { context, page };
}

test('an owner signs in with the mailed link, sees their site and signs out everywhere', async () => {
  const email = `console-owner-${run}@example.org`;
  const made = await adminCall('POST', '/api/v1/admin/sites/demo/owners', { email });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const { context, page } = await signIn(email);
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
  const { context, page } = await signIn(email);
  assert.match(await page.getByRole('row', { name: /demo/ }).innerText(), /Data protection officer/);
  const removed = await adminCall('DELETE', `/api/v1/admin/sites/demo/people/${added.body.person_id}`);
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  await page.reload();
  assert.equal(page.url(), `${workerUrl}/admin/sign-in`);
  await context.close();
});

test('the console pages have no WCAG 2.2 AA violations, light and dark', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const email = `console-axe-${colorScheme}-${run}@example.org`;
    const added = await adminCall('POST', '/api/v1/admin/sites/demo/people', { email, role: 'viewer' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const check = async (page, what) =>
      assert.deepEqual(await axeViolations(page), [], `${colorScheme} ${what}`);
    const { context, page } = await signIn(email, { bypassCSP: true, colorScheme }, check);
    await check(page, 'landing page');
    await page.goto(`${workerUrl}/admin/sign-in/not-a-link`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Send a new link' }).waitFor();
    await check(page, 'broken link page');
    await context.close();
  }
});
