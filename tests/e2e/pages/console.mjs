// Page object for the console's per-site sections: signing in through the local outbox, and the
// People, Suppressions and Team pages of the demo site.
import assert from 'node:assert/strict';
import { workerUrl } from '../browser.mjs';
import { axeViolations } from './preferences.mjs';

export async function adminCall(method, path, body) {
  const response = await fetch(workerUrl + path, {
    method,
    headers: { authorization: `Bearer ${process.env.CONSENT_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function mailedSignInLink(email) {
  for (let i = 0; i < 100; i++) {
    const mails = await (await fetch(process.env.CONSENT_MAIL_MESSAGES_URL)).json();
    const mail = mails.reverse().find((m) => m.to?.[0] === email);
    const link = mail?.text.split('\n').find((l) => l.startsWith(`${workerUrl}/admin/sign-in/`));
    if (link) return link;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no sign-in mail to ${email}`);
}

/**
 * Signs `email` in through the pages in a fresh context (CSP bypassed so axe can run);
 * `options` are further context options (`javaScriptEnabled: false`, a colour scheme).
 */
export async function signIn(browser, email, options = {}) {
  const context = await browser.newContext({ bypassCSP: true, ...options });
  const page = await context.newPage();
  await page.goto(`${workerUrl}/admin/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('status').waitFor();
  await page.goto(await mailedSignInLink(email));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${workerUrl}/admin`);
  return { context, page };
}

/** axe-core finds nothing on the current page, in light and in dark. */
export async function accessible(page, what) {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await axeViolations(page), [], `${colorScheme}: ${what}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

export class ConsoleSection {
  constructor(page, section) {
    this.page = page;
    this.section = section;
  }

  async open() {
    await this.page.goto(`${workerUrl}/admin/sites/demo/${this.section}`);
  }

  status() {
    return this.page.getByRole('status').first().innerText();
  }

  alert() {
    return this.page.getByRole('alert').first().innerText();
  }
}
