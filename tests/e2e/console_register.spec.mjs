// The console's Register in a real browser: a DPO signs in through the local outbox, records a
// request received by letter (a date in the future refused beside its field, then a good one),
// extends it with a reason, closes it with the outcome, downloads the register as CSV (the
// download in the audit trail with its row count), and records one more with JavaScript off.
// axe finds nothing on each page, light and dark (axe needs JavaScript, so not on the JS-off run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, workerUrl } from './browser.mjs';
import { adminCall, signIn, accessible } from './pages/console.mjs';

const run = process.pid;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A UTC calendar day `offset` days from today, as the register counts days. */
function day(offset) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

class Register {
  constructor(page) {
    this.page = page;
    this.base = `${workerUrl}/admin/sites/demo/register`;
  }

  async open() {
    await this.page.goto(this.base);
    assert.equal(await this.page.title(), 'Register');
  }

  async startRecording() {
    await this.open();
    await this.page.getByRole('link', { name: 'Record a request received by letter, phone or email' }).click();
    assert.equal(await this.page.title(), 'Record a request');
  }

  async fill({ kind, arrival, received, details }) {
    await this.page.getByLabel('Kind').selectOption(kind);
    await this.page.getByLabel('How it arrived').selectOption(arrival);
    await this.page.getByLabel('Received', { exact: true }).fill(received);
    await this.page.getByLabel('What was asked').fill(details);
    await this.page.getByRole('button', { name: 'Record', exact: true }).click();
  }

  alert() {
    return this.page.getByRole('alert').first().innerText();
  }

  status() {
    return this.page.getByRole('status').first().innerText();
  }

  async downloadCsv() {
    await this.open();
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('link', { name: 'Download the register (CSV)' }).click(),
    ]);
    return readFile(await download.path(), 'utf8');
  }
}

test('a DPO records a letter, extends it, closes it and downloads the register', async () => {
  const email = `register-dpo-${run}@example.org`;
  const added = await adminCall('POST', '/api/v1/admin/sites/demo/people', { email, role: 'dpo' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const { context, page } = await signIn(browser, email);
  const register = new Register(page);

  await register.open();
  await accessible(page, 'register: the list');
  await register.startRecording();
  await accessible(page, 'register: the record form');

  // A received date in the future: refused beside the field, nothing recorded.
  const details = `Asked for a copy of their data (${run})`;
  await register.fill({ kind: 'access', arrival: 'letter', received: day(1), details });
  assert.match(await register.alert(), /The received date cannot be in the future/);
  assert.match(await page.locator('#r-received-error').innerText(), /cannot be in the future/);
  assert.equal(await page.getByLabel('Received', { exact: true }).getAttribute('aria-describedby'),
    'r-received-help r-received-error');
  await accessible(page, 'register: the record form with an error');

  await register.fill({ kind: 'access', arrival: 'letter', received: day(-3), details });
  assert.match(await register.status(), /Recorded as R-[0-9A-Z]{8}\./);
  const reference = page.url().match(/register\/(R-[0-9A-Z]{8})/)[1];
  assert.match(await page.locator('main').innerText(), new RegExp(details.replace(/[()]/g, '\\$&')));
  await accessible(page, 'register: the entry');

  await page.getByLabel('Reason (as told to the person)').fill('Records are held in three places');
  await page.getByRole('button', { name: 'Extend', exact: true }).click();
  assert.match(await register.status(), /The extension is recorded/);
  assert.match(await page.locator('main').innerText(), /Extended on .*: Records are held in three places/);

  await page.getByLabel('Outcome').fill('A copy was posted to them');
  await page.getByRole('button', { name: 'Close the entry' }).click();
  assert.match(await register.status(), /The entry is closed/);
  assert.equal(await page.getByRole('button', { name: 'Close the entry' }).count(), 0);
  await accessible(page, 'register: a closed entry');

  const csv = await register.downloadCsv();
  const lines = csv.trim().split(/\r?\n/);
  assert.match(lines[0], /^reference,kind,arrival,received_on,status,/);
  const row = lines.find((l) => l.startsWith(`${reference},`));
  assert.ok(row, csv);
  assert.match(row, new RegExp(`^${reference},access,letter,${day(-3)},closed,`));
  assert.ok(!csv.includes(details), 'the request text stays in the console');
  const trail = await adminCall('GET', '/api/v1/admin/sites/demo/audit?kind=register_exported&limit=1');
  assert.equal(trail.status, 200);
  const exported = trail.body.entries[0];
  assert.equal(exported.actor, `person:${added.body.person_id}`);
  assert.equal(exported.detail.rows, lines.length - 1);

  // The same with JavaScript off: plain forms and redirects.
  const cookies = await context.cookies();
  const nojs = await browser.newContext({ bypassCSP: true, javaScriptEnabled: false });
  await nojs.addCookies(cookies);
  const plain = new Register(await nojs.newPage());
  await plain.startRecording();
  await plain.fill({ kind: 'objection', arrival: 'phone', received: day(0), details: 'Stop the post' });
  assert.match(await plain.status(), /Recorded as R-/);
  assert.match(plain.page.url(), /\/register\/R-[0-9A-Z]{8}\?done=recorded/);
  await nojs.close();
  await context.close();
});
