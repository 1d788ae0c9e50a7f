// The console's Retention section in a real browser: an owner signs in through the local
// outbox, sees the defaults (24 months, 6 years, 24 hours fixed), is refused an out-of-range
// value beside the field with nothing saved, saves a valid change, and the trail records it
// with the owner as actor; axe finds nothing, light and dark, in English and Welsh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { adminCall, signIn, accessible, ConsoleSection } from './pages/console.mjs';

const run = process.pid;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an owner changes the retention settings; a bad value is refused beside its field', async () => {
  const owner = `retention-owner-${run}@example.org`;
  const made = await adminCall('POST', '/api/v1/admin/sites/demo/owners', { email: owner });
  assert.equal(made.status, 200, JSON.stringify(made.body));

  const { context, page } = await signIn(browser, owner);
  const retention = new ConsoleSection(page, 'retention');
  await retention.open();
  const months = page.getByLabel('Cookie banner decisions: months to keep');
  const years = page.getByLabel('Audit trail: years to keep');
  assert.equal(await months.inputValue(), '24');
  assert.equal(await years.inputValue(), '6');
  assert.match(await page.content(), /24 hours \(the same for every site; not a setting\)/);
  await accessible(page, 'retention: the settings');

  // Out of range: refused beside the field, in the summary, and nothing saved.
  await months.fill('61');
  await page.getByRole('button', { name: 'Save retention settings' }).click();
  assert.match(await retention.alert(), /Enter a number of months from 1 to 60/);
  assert.match(await page.locator('#cookie_decision_months-error').innerText(), /from 1 to 60/);
  assert.equal(await months.getAttribute('aria-invalid'), 'true');
  await accessible(page, 'retention: a value refused');
  await retention.open();
  assert.equal(await months.inputValue(), '24', 'nothing was saved');

  await months.fill('12');
  await years.fill('7');
  await page.getByRole('button', { name: 'Save retention settings' }).click();
  assert.match(await retention.status(), /Your retention settings are saved/);
  assert.equal(await months.inputValue(), '12');
  assert.equal(await years.inputValue(), '7');
  await accessible(page, 'retention: saved');

  await page.goto(`${page.url().split('?')[0]}?lang=cy`);
  await page.getByRole('heading', { name: 'Cadw cofnodion' }).waitFor();
  await accessible(page, 'retention: in Welsh');

  const trail = await adminCall('GET', '/api/v1/admin/sites/demo/audit?kind=retention_changed');
  assert.equal(trail.status, 200);
  const change = trail.body.entries.find((e) => e.actor === `person:${made.body.person_id}`);
  assert.ok(change, JSON.stringify(trail.body));
  assert.deepEqual(change.detail.to, { cookie_decision_months: 12, audit_years: 7 });

  // Put the defaults back for the other specs.
  await retention.open();
  await months.fill('24');
  await years.fill('6');
  await page.getByRole('button', { name: 'Save retention settings' }).click();
  assert.match(await retention.status(), /saved/);
  await context.close();
});
