// Page object for the preference centre (`/p/{token}`) and the pages around it: confirmation
// links (`/c/{token}`) and "Lost your link?" (`/preferences/{site}`).
import assert from 'node:assert/strict';
import { workerUrl } from '../browser.mjs';
import { AXE_PATH } from './banner.mjs';

const adminHeaders = () => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${process.env.CONSENT_ADMIN_KEY}` });

/// Signs `email` up to the demo site's news by email and returns their preference-centre URL.
export async function signUpAndGetPreferencesUrl(email) {
  const consent = await fetch(`${workerUrl}/api/v1/sites/demo/consents`, {
    method: 'POST',
    // As the widget on the demo page posts it: the public endpoint takes browsers only (a
    // registered Origin, and a page of the site).
    headers: { 'Content-Type': 'application/json', Origin: 'http://127.0.0.1:8788' },
    body: JSON.stringify({ email, consents: [{ purpose: 'news', channel: 'email', wording_version: 1 }], page_url: 'http://127.0.0.1:8788/' }),
  });
  assert.equal(consent.status, 201);
  const links = await fetch(`${workerUrl}/api/v1/admin/sites/demo/links`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ email }) });
  assert.equal(links.status, 200);
  return (await links.json()).preferences_url;
}

/// Whether `email` is in the demo site's news-by-email audience right now.
export async function inAudience(email) {
  const r = await fetch(`${workerUrl}/api/v1/sites/demo/audience?purpose=news&channel=email`, { headers: adminHeaders() });
  return (await r.json()).members.some((m) => m.email === email);
}

/// The newest link starting with `prefix` in mail sent to `to` (the test's capture email API).
export async function mailedLink(to, prefix) {
  for (let i = 0; i < 300; i++) {
    const all = await (await fetch(process.env.CONSENT_MAIL_MESSAGES_URL)).json();
    const mail = all.filter((m) => m.to[0] === to).pop();
    const link = mail?.text.split('\n').find((l) => l.startsWith(`${workerUrl}${prefix}`));
    if (link) return link;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail with a ${prefix} link reached ${to}`);
}

export class PreferencePage {
  constructor(page) { this.page = page; }

  checkbox(purpose = 'news', channel = 'email') { return this.page.locator(`#c-${purpose}-${channel}`); }
  status() { return this.page.locator('[role="status"]'); }
  button(name) { return this.page.getByRole('button', { name }); }

  async saveChoices() {
    await Promise.all([this.page.waitForURL(/done=/), this.button('Save my choices').click()]);
  }

  async saveDetails({ name, email }) {
    if (name !== undefined) await this.page.locator('#name').fill(name);
    if (email !== undefined) await this.page.locator('#email').fill(email);
    await Promise.all([this.page.waitForURL(/done=/), this.button('Save my details').click()]);
  }

  /// Clicks "Download my data" and returns the parsed JSON file.
  async download() {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.button('Download my data').click()]);
    const chunks = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk);
    return { filename: download.suggestedFilename(), data: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  }

  async erase() {
    await this.page.locator('#erase-confirm').check();
    await Promise.all([this.page.waitForLoadState('load'), this.button('Delete my data').click()]);
  }
}

/// axe-core over the current page (the context must bypass CSP to inject it).
export async function axeViolations(page) {
  await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations;
}
