// The console's data pages in a real browser: a DPO signs in through the local outbox, opens
// Statistics (a chart drawn on the server and the same numbers in a table), downloads the
// audience as CSV (the columns mailing tools import), and finds that download in the Audit page
// with its row count and their own id; the ledger is verified from its page. axe finds no
// WCAG 2.2 AA violation on any of them, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, workerUrl } from './browser.mjs';
import { adminCall, signIn, accessible } from './pages/console.mjs';

const run = process.pid;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The console's data pages for one site, as a page object. */
class DataPages {
  constructor(page, site) {
    this.page = page;
    this.base = `${workerUrl}/admin/sites/${site}`;
  }
  async statistics() {
    await this.page.goto(`${this.base}/statistics`);
    assert.equal(await this.page.title(), 'Statistics');
  }
  async downloadAudience(list, basis = 'all') {
    await this.page.goto(`${this.base}/audience`);
    await this.page.getByLabel('Purpose and channel').selectOption(list);
    await this.page.getByLabel('Lawful basis').selectOption(basis);
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    return readFile(await download.path(), 'utf8');
  }
  async audit(kind) {
    await this.page.goto(`${this.base}/audit`);
    await this.page.getByLabel('What').selectOption(kind);
    await this.page.getByRole('button', { name: 'Show' }).click();
    await this.page.waitForURL(/kind=/);
  }
  async verifyLedger() {
    await this.page.goto(`${this.base}/ledger`);
    await this.page.getByRole('button', { name: 'Verify the ledger now' }).click();
    await this.page.getByRole('heading', { name: 'Verify the ledger now' }).waitFor();
  }
}

test('a DPO reads statistics, downloads an audience and finds the download in the audit trail', async () => {
  for (const email of [`stats-a-${run}@example.org`, `stats-b-${run}@example.org`]) {
    const made = await adminCall('POST', '/api/v1/admin/sites/demo/consents', {
      email, method: 'paper_form', source: 'console data spec',
      changes: [{ purpose: 'news', channel: 'email', action: 'granted' }],
    });
    assert.ok(made.status < 300, JSON.stringify(made.body));
  }
  const email = `console-data-${run}@example.org`;
  const added = await adminCall('POST', '/api/v1/admin/sites/demo/people', { email, role: 'dpo' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const { context, page } = await signIn(browser, email, { acceptDownloads: true });
  const pages = new DataPages(page, 'demo');

  await pages.statistics();
  assert.equal(await page.locator('figure svg').count() >= 1, true, 'a chart');
  const table = page.getByRole('table', { name: /Per week for news · email/ });
  assert.match(await table.innerText(), /Net audience/);
  assert.match(await page.getByRole('heading', { name: 'Sign-ups by method' }).innerText(), /Sign-ups/);

  const csv = await pages.downloadAudience('news:email');
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines[0], 'email,subject,granted_at,event_id,unsubscribe_url,preferences_url,basis,name');
  assert.ok(lines.some((l) => l.startsWith(`stats-a-${run}@example.org,`)), csv);

  await pages.audit('audience_exported');
  const row = page.getByRole('row', { name: new RegExp(`person:${added.body.person_id}`) }).first();
  const text = await row.innerText();
  assert.match(text, /audience_exported/);
  assert.match(text, new RegExp(`"rows":${lines.length - 1}`));

  await pages.verifyLedger();
  assert.match(await page.getByRole('status').innerText(), /ledger is/);
  await context.close();
});

test('the data pages have no WCAG 2.2 AA violations, light and dark', async () => {
  const email = `console-data-axe-${run}@example.org`;
  const added = await adminCall('POST', '/api/v1/admin/sites/demo/people', { email, role: 'owner' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const { context, page } = await signIn(browser, email, { bypassCSP: true, acceptDownloads: true });
  const pages = new DataPages(page, 'demo');
  await pages.statistics();
  await accessible(page, 'statistics');
  await page.goto(`${pages.base}/audience`);
  await page.getByRole('button', { name: 'Count' }).click();
  await page.getByRole('status').waitFor();
  await accessible(page, 'audience with its count');
  await pages.verifyLedger();
  await accessible(page, 'ledger report');
  await pages.audit('ledger_verified');
  await accessible(page, 'audit trail');
  await page.goto(`${pages.base}/audit?since=yesterday`);
  await accessible(page, 'audit trail with an error');
  await context.close();
});
