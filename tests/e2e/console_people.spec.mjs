// The console's People, Suppressions and Team sections in a real browser: an owner signs in
// through the local outbox, looks a person up (the address never in a URL), erases them with
// the typed confirmation, adds a suppression, creates a key (its secret shown once) and revokes
// it; the audit trail names the owner; axe finds nothing, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { signUpAndGetPreferencesUrl, inAudience } from './pages/preferences.mjs';
import { adminCall, signIn, accessible, ConsoleSection } from './pages/console.mjs';

const run = process.pid;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an owner looks a person up, erases them, suppresses an address and manages a key', async () => {
  const owner = `people-owner-${run}@example.org`;
  const made = await adminCall('POST', '/api/v1/admin/sites/demo/owners', { email: owner });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const person = `people-member-${run}@example.org`;
  await signUpAndGetPreferencesUrl(person);
  assert.ok(await inAudience(person));

  const { context, page } = await signIn(browser, owner);
  const people = new ConsoleSection(page, 'people');
  await people.open();
  await accessible(page, 'people: look-up form');
  await page.getByLabel('Their email address').fill(person);
  await page.getByRole('button', { name: 'Look up' }).click();
  await page.getByRole('heading', { name: 'What is held' }).waitFor();
  assert.ok(!page.url().includes('people-member'), `the address stays out of the URL: ${page.url()}`);
  assert.match(await page.locator('dl').innerText(), new RegExp(person));
  await accessible(page, 'people: the record and the forms');

  // Erase: a wrong confirmation is refused beside the field; the address itself goes through.
  await page.getByLabel('Confirmation').fill('no');
  await page.getByRole('button', { name: 'Erase this person' }).click();
  assert.match(await people.alert(), /Type their email address, or ERASE/);
  await accessible(page, 'people: erase refused');
  assert.ok(await inAudience(person), 'nothing erased yet');
  await page.getByLabel('Confirmation').fill('ERASE');
  await page.getByRole('button', { name: 'Erase this person' }).click();
  assert.match(await people.status(), /erased/);
  assert.ok(!(await inAudience(person)));

  const suppressions = new ConsoleSection(page, 'suppressions');
  await suppressions.open();
  await accessible(page, 'suppressions');
  await page.getByLabel('Email addresses').fill(`gone-${run}@example.org\n`);
  await page.getByLabel('Reason').selectOption('deceased');
  await page.getByRole('button', { name: 'Add to the list' }).click();
  assert.match(await suppressions.status(), /1 address\(es\) added/);
  const html = await page.content();
  assert.ok(!html.includes(`gone-${run}@example.org`), 'the list shows no address');
  assert.ok(html.includes('<td>deceased'), 'the reason is listed');
  await accessible(page, 'suppressions: added');

  const team = new ConsoleSection(page, 'team');
  await team.open();
  await accessible(page, 'team');
  const keyName = `Browser key ${run}`;
  await page.getByLabel('Name', { exact: true }).fill(keyName);
  await page.getByLabel('audience:read').check();
  await page.getByRole('button', { name: 'Create the key' }).click();
  const secret = await page.locator('#new-key-secret').innerText();
  assert.match(secret, /^ck_/);
  await accessible(page, 'team: key created');
  const counted = await fetch(`${workerUrl}/api/v1/sites/demo/audience?purpose=news&channel=email&count=true`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  assert.equal(counted.status, 200);
  await team.open();
  assert.ok(!(await page.content()).includes(secret), 'the secret is shown once');
  await page.getByRole('button', { name: `Revoke ${keyName}` }).click();
  assert.match(await team.status(), /The key is revoked/);
  const refused = await fetch(`${workerUrl}/api/v1/sites/demo/audience?purpose=news&channel=email&count=true`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  assert.equal(refused.status, 401);

  // The trail names the owner for each act, and never the addresses.
  const trail = await adminCall('GET', '/api/v1/admin/sites/demo/audit?limit=200');
  assert.equal(trail.status, 200);
  const ownerActor = `person:${made.body.person_id}`;
  const kinds = trail.body.entries.filter((e) => e.actor === ownerActor).map((e) => e.kind);
  for (const kind of ['subject_exported', 'subject_erased', 'suppression_added', 'key_created', 'key_revoked']) {
    assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
  }
  const text = JSON.stringify(trail.body);
  assert.ok(!text.includes(person) && !text.includes(`gone-${run}`), 'no address in the trail');
  await context.close();
});
