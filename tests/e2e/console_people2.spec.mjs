// The People page's correction of a name and address, and CSV files uploaded to Import and
// Suppressions, in a real browser with JavaScript on and off: an owner signs in through the
// local outbox, corrects a person's details on a letter's evidence (the new address is theirs
// once they follow the link mailed to it), is refused an address that is someone else's
// without a word about whose, uploads a file (`setInputFiles`) for an import dry run and a
// suppression list, and a bad file is answered beside the field. axe finds nothing, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { signUpAndGetPreferencesUrl, inAudience, mailedLink } from './pages/preferences.mjs';
import { adminCall, signIn, accessible, ConsoleSection } from './pages/console.mjs';

const run = process.pid;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The People page's look-up and correction forms. */
class PeoplePage extends ConsoleSection {
  constructor(page) { super(page, 'people'); }

  async lookUp(email) {
    await this.page.getByLabel('Their email address').fill(email);
    await this.page.getByRole('button', { name: 'Look up' }).click();
    await this.page.getByRole('heading', { name: 'What is held' }).waitFor();
  }

  async correct({ name = '', email = '', note }) {
    await this.page.getByLabel('Corrected name').fill(name);
    await this.page.getByLabel('New email address').fill(email);
    await this.page.locator('#rectify-note').fill(note);
    await this.page.getByRole('button', { name: 'Correct', exact: true }).click();
  }
}

/** A CSV file as `setInputFiles` takes it. */
const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

async function newOwner(label) {
  const owner = `people2-owner-${label}-${run}@example.org`;
  const made = await adminCall('POST', '/api/v1/admin/sites/demo/owners', { email: owner });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  return { owner, actor: `person:${made.body.person_id}` };
}

for (const javaScriptEnabled of [true, false]) {
  const label = javaScriptEnabled ? 'js' : 'nojs';
  // axe runs in the page, so only where JavaScript is on; the pages are the same markup either way.
  const axe = (page, what) => (javaScriptEnabled ? accessible(page, what) : undefined);

  test(`an owner corrects a person's name and address on a letter (${label})`, async () => {
    const { owner, actor } = await newOwner(label);
    const person = `people2-${label}-${run}@example.org`;
    const moved = `people2-moved-${label}-${run}@example.org`;
    const other = `people2-other-${label}-${run}@example.org`;
    await signUpAndGetPreferencesUrl(person);
    await signUpAndGetPreferencesUrl(other);
    const { context, page } = await signIn(browser, owner, { bypassCSP: true, javaScriptEnabled });
    const people = new PeoplePage(page);
    await people.open();
    await people.lookUp(person);
    await axe(page, `${label} people: the correction form`);

    // Someone else's address: refused beside the field, nothing about whose it is.
    await people.correct({ name: 'Ada Lovelace', email: other, note: 'Letter of 3 March, filed' });
    assert.match(await people.alert(), /This address cannot be used for this person/);
    assert.equal(await page.locator('#rectify-email-error').innerText(), 'This address cannot be used for this person. Nothing was changed.');
    assert.equal(await page.locator('#rectify-email').getAttribute('aria-describedby'), 'rectify-email-help rectify-email-error');
    await axe(page, `${label} people: correction refused`);

    await people.correct({ name: 'Ada Lovelace', email: moved, note: 'Letter of 3 March, filed' });
    assert.match(await people.status(), /The name was corrected\. A confirmation link was emailed to the new address/);
    assert.ok(await inAudience(person), 'the old address until the new one is confirmed');
    await axe(page, `${label} people: corrected`);

    // The person follows the link from the new inbox.
    const link = await mailedLink(moved, '/c/');
    const inbox = await context.newPage();
    await inbox.goto(link);
    await inbox.getByRole('button', { name: 'Confirm' }).click();
    await inbox.getByText(`Your email address is now ${moved}.`).waitFor();
    assert.ok(await inAudience(moved) && !(await inAudience(person)), 'the record moved to the confirmed address');

    const trail = await adminCall('GET', '/api/v1/admin/sites/demo/audit?limit=200');
    const rectified = trail.body.entries.filter((e) => e.actor === actor && e.kind === 'subject_rectified');
    assert.equal(rectified.length, 1, JSON.stringify(rectified));
    assert.equal(rectified[0].detail.note, 'Letter of 3 March, filed');
    const text = JSON.stringify(trail.body);
    assert.ok(![person, moved, other, 'Lovelace'].some((s) => text.includes(s)), 'no address or name in the trail');
    await context.close();
  });

  test(`an owner uploads CSV files to Import and Suppressions (${label})`, async () => {
    const { owner } = await newOwner(`files-${label}`);
    const { context, page } = await signIn(browser, owner, { bypassCSP: true, javaScriptEnabled });
    await page.goto(`${workerUrl}/admin/sites/demo/import`);
    assert.equal(await page.title(), 'Import consents');
    await axe(page, `${label} import: the upload form`);
    const file = [
      'email,name,purpose,channel,consented_at',
      `upload-${label}-${run}@example.org,A,news,email,2019-03-15`,
      'not-an-email,B,news,email,2019-03-15',
    ].join('\n');
    await page.getByLabel('A CSV file').setInputFiles(csvFile('reunion.csv', file));
    await page.getByLabel('Evidence note').fill(`Reunion sheets ${label}`);
    await page.getByRole('button', { name: 'Check the file (dry run)' }).click();
    await page.getByRole('heading', { name: 'Dry run', level: 2 }).waitFor();
    assert.equal(await page.getByRole('status').first().innerText(), '2 rows read: 1 would be recorded, 1 refused.');
    await axe(page, `${label} import: the dry run of an uploaded file`);

    // A workbook instead of a CSV: said beside the field, nothing checked.
    await page.goto(`${workerUrl}/admin/sites/demo/import`);
    await page.getByLabel('A CSV file').setInputFiles({ name: 'list.xlsx', mimeType: 'text/csv', buffer: Buffer.from('PK\u0003\u0004rest') });
    await page.getByRole('button', { name: 'Check the file (dry run)' }).click();
    assert.match(await page.locator('#csv-error').innerText(), /This is not a CSV file/);
    assert.equal(await page.getByLabel('A CSV file').getAttribute('aria-invalid'), 'true');
    await axe(page, `${label} import: a bad file`);

    const suppressions = new ConsoleSection(page, 'suppressions');
    await suppressions.open();
    const list = `email\nfile-gone-${label}-${run}@example.org\nfile-gone2-${label}-${run}@example.org\n`;
    await page.getByLabel('A CSV file').setInputFiles(csvFile('complaints.csv', list));
    await page.getByLabel('Reason').selectOption('complaint');
    await page.getByRole('button', { name: 'Add to the list' }).click();
    assert.match(await suppressions.status(), /2 address\(es\) added/);
    assert.ok(!(await page.content()).includes(`file-gone-${label}`), 'the list shows no address');
    await axe(page, `${label} suppressions: added from a file`);
    await context.close();
  });
}
