// The charitable purpose soft opt-in on a donation form (PECR reg. 22(3A)): the charity's notice in
// its own words with an unticked box to refuse, recorded as `soft_opt_in` (or `objected` when the
// box is ticked) with the form's declared context; a form without a context shows no notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openDemo as openPage, decisionCookie } from './browser.mjs';
import { OptInForm } from './pages/opt_in_form.mjs';

const workerUrl = process.env.CONSENT_WORKER_URL;
const adminKey = process.env.CONSENT_ADMIN_KEY;
const openDonate = (browser) => openPage(browser, { cookies: [decisionCookie()], query: 'donate' });

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const refusalBox = (form) => form.form.locator('input[type="checkbox"][name="our-work:email:refuse"]');

async function soft_opt_in_audience() {
  const r = await fetch(`${workerUrl}/api/v1/sites/demo/audience?purpose=our-work&channel=email&basis=charity_soft_opt_in`,
    { headers: { authorization: `Bearer ${adminKey}` } });
  assert.equal(r.status, 200);
  return (await r.json()).members.map((m) => [m.email, m.basis]);
}

async function submit(page, form, email) {
  await form.email.fill(email);
  const response = page.waitForResponse((r) => r.url().endsWith('/consents') && r.request().method() === 'POST');
  await form.submit.click();
  const answer = await response;
  assert.equal(answer.status(), 201);
  await form.success.waitFor({ state: 'visible' });
  return { sent: JSON.parse(answer.request().postData()), receipt: await answer.json() };
}

test('a donation form shows the notice and an unticked refusal box beside the consent box', async () => {
  const { page, problems } = await openDonate(browser);
  const form = new OptInForm(page);
  await form.waitUntilRendered().catch((e) => { throw new Error(`${e.message}\n${problems.join('\n')}`); });
  const notice = form.form.locator('.consent-form__notice');
  assert.match(await notice.innerText(), /because you supported us\. You can stop this at any time\./);
  assert.equal(await refusalBox(form).isChecked(), false, 'the refusal box must start unticked');
  assert.match(await form.form.locator('label[for="' + await refusalBox(form).getAttribute('id') + '"]').innerText(),
    /I don.t want to receive emails about your charitable work/);
  assert.equal(await form.checkbox('news', 'email').isChecked(), false, 'the consent box stays an unticked consent box');
  assert.equal(await form.checkbox('our-work', 'email').count(), 0, 'no consent box for the soft opt-in purpose');
  await page.close();
});

test('a form without a declared context shows no soft opt-in notice', async () => {
  const { page } = await openPage(browser, { cookies: [decisionCookie()] });
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  assert.equal(await form.form.locator('.consent-form__notice').count(), 0);
  assert.equal(await refusalBox(form).count(), 0);
  await page.close();
});

test('submitting with the refusal box unticked records a soft opt-in with the form\'s context', async () => {
  const { page } = await openDonate(browser);
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  const email = `soft-${process.pid}@example.org`;
  const { sent, receipt } = await submit(page, form, email);
  assert.deepEqual(sent.consents, []);
  assert.deepEqual(sent.notices.map((n) => [n.purpose, n.refused]), [['our-work', false]]);
  assert.equal(sent.context, 'donation');
  assert.deepEqual(receipt.events.map((e) => [e.purpose, e.action]), [['our-work', 'soft_opt_in']]);
  assert.ok((await soft_opt_in_audience()).some(([e, basis]) => e === email && basis === 'charity_soft_opt_in'));
  await page.close();
});

test('ticking the refusal box records an objection, and the person is on no list', async () => {
  const { page } = await openDonate(browser);
  const form = new OptInForm(page);
  await form.waitUntilRendered();
  await refusalBox(form).check();
  const email = `refused-${process.pid}@example.org`;
  const { receipt } = await submit(page, form, email);
  assert.deepEqual(receipt.events.map((e) => [e.purpose, e.action]), [['our-work', 'objected']]);
  assert.ok(!(await soft_opt_in_audience()).some(([e]) => e === email));
  await page.close();
});
