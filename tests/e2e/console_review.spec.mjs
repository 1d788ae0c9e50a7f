// The console's data review in a real browser: a DPO sees when the next review is due, is
// refused a cycle over 27 months beside the field, counts the groups (1,000 people inactive since
// 2015 were seeded into local D1 by tests/tests/browser.rs), completes the review erasing that
// group with the typed confirmation, and watches the progress bar fill without a page refresh
// until all 1,000 are erased (browser.rs then checks D1: 1,000 erased, their do-not-contact
// entries kept, the review in the audit trail). axe finds nothing, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { adminCall, signIn, accessible, ConsoleSection } from './pages/console.mjs';

const run = process.pid;
const SEEDED = 1000;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a DPO completes a data review and erases 1,000 inactive people in bulk', async () => {
  const dpo = `review-dpo-${run}@example.org`;
  const added = await adminCall('POST', '/api/v1/admin/sites/demo/people', { email: dpo, role: 'dpo' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const { context, page } = await signIn(browser, dpo);

  await page.goto(`${workerUrl}/admin/sites/demo`);
  assert.match(await page.locator('main').innerText(), /Next data review due on \d{4}-\d{2}-\d{2}/);
  await accessible(page, 'overview with the next review');

  const review = new ConsoleSection(page, 'review');
  await review.open();
  await accessible(page, 'review: due date and settings');
  await page.getByLabel('Review cycle, in months (at most 27)').fill('28');
  await page.getByRole('button', { name: 'Save the settings' }).click();
  assert.match(await review.alert(), /no more than 27 calendar months/);
  assert.equal(await page.locator('#cycle').getAttribute('aria-invalid'), 'true');
  await accessible(page, 'review: a cycle refused');

  await review.open();
  await page.getByLabel('No activity for (months)').fill('120');
  await page.getByLabel('Consent older than (months)').fill('120');
  await page.getByLabel('Restricted for more than (months)').fill('120');
  await page.getByRole('button', { name: 'Count the groups' }).click();
  const inactive = Number(await page.locator('#count-inactive').innerText());
  assert.equal(inactive, SEEDED, 'the seeded people, and only them, are inactive for 10 years');
  await accessible(page, 'review: the groups and decisions');

  // The wrong confirmation: refused beside the field, nothing erased.
  await page.locator('#decision-inactive-erase').check();
  await page.getByLabel(`To erase this group, type ERASE ${SEEDED}`).fill('ERASE');
  for (const group of ['old_consent', 'restricted', 'erased_history']) {
    await page.locator(`#decision-${group}-keep`).check();
    await page.locator(`#reason-${group}`).fill('Reviewed with the trustees: still needed');
  }
  await page.getByRole('button', { name: 'Complete the review' }).click();
  assert.match(await review.alert(), new RegExp(`Type ERASE ${SEEDED} exactly`));
  await accessible(page, 'review: confirmation refused');

  await page.locator('#decision-inactive-erase').check();
  await page.getByLabel(`To erase this group, type ERASE ${SEEDED}`).fill(`ERASE ${SEEDED}`);
  let navigations = 0;
  await page.getByRole('button', { name: 'Complete the review' }).click();
  await page.waitForURL(/\/admin\/sites\/demo\/review\/[^/?]+/);
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations += 1; });
  await accessible(page, 'bulk erasure: in progress');
  await page.locator('#erase-status').filter({ hasText: `Done: ${SEEDED} people erased.` }).waitFor({ timeout: 120_000 });
  assert.equal(navigations, 0, 'the progress bar moved without a page refresh');
  assert.equal(await page.locator('#erase-progress').getAttribute('max'), String(SEEDED));
  assert.equal(await page.evaluate(() => document.getElementById('erase-progress').value), SEEDED);
  await accessible(page, 'bulk erasure: done');

  await review.open();
  assert.match(await page.locator('main').innerText(), /Past reviews/);
  assert.match(await page.locator('main').innerText(), new RegExp(`${SEEDED} of ${SEEDED} erased`));
  await context.close();
});
