// Page object for the console (`/admin…`), shared by the console specs: signing in through the
// local outbox, opening a site's sections, and axe in light and dark.
//
// `signIn(browser, email)`, `accessible(page, what)`, `adminCall(…)` and `ConsoleSection(page,
// section)` keep the shapes the first specs used; `Console` wraps them as one object.
import assert from 'node:assert/strict';
import { workerUrl } from '../browser.mjs';
import { axeViolations } from './preferences.mjs';

/** The worker's admin API with the admin key (for fixtures: people, sites, consents). */
export async function adminCall(method, path, body) {
  const response = await fetch(workerUrl + path, {
    method,
    headers: { authorization: `Bearer ${process.env.CONSENT_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The sign-in link mailed to `email` (mail is sent after the response: poll the outbox). */
export async function mailedSignInLink(email) {
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
 * Signs `email` in through the pages in a fresh browser context; the page ends on /admin.
 * `contextOptions` default to bypassing CSP (so axe can be injected); pass `{}` for a context
 * that enforces it. `check(page, what)` runs on each page of the sign-in (e.g. `accessible`).
 */
export async function signIn(browser, email, contextOptions = { bypassCSP: true }, check = async () => {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  await page.goto(`${workerUrl}/admin/sign-in`);
  await check(page, 'sign-in form');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('status').waitFor();
  assert.match(await page.getByRole('status').innerText(), /sign-in link is on its way/);
  await check(page, 'link sent');
  await page.goto(await mailedSignInLink(email));
  assert.equal(await page.title(), 'Sign in to the console');
  await check(page, 'sign-in button');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${workerUrl}/admin`);
  return { context, page };
}

/** axe-core finds no WCAG 2.2 AA violation on the current page in its current colour scheme. */
export async function noViolations(page, what) {
  assert.deepEqual(await axeViolations(page), [], what);
}

/** axe-core finds nothing on the current page, in light and in dark (left in light). */
export async function accessible(page, what) {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await noViolations(page, `${colorScheme}: ${what}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** One section of a site's console (`/admin/sites/{site}/{section}`; '' is the overview). */
export class ConsoleSection {
  constructor(page, section, site = 'demo') {
    this.page = page;
    this.section = section;
    this.site = site;
  }

  url(query = '') {
    const path = this.section ? `/${this.section}` : '';
    return `${workerUrl}/admin/sites/${this.site}${path}${query}`;
  }

  async open(query = '') {
    await this.page.goto(this.url(query));
  }

  status() {
    return this.page.getByRole('status').first().innerText();
  }

  alert() {
    return this.page.getByRole('alert').first().innerText();
  }
}

/** A person signed in to the console in a browser context of their own. */
export class Console {
  /** See `signIn` for the options. */
  static async signIn(browser, email, contextOptions, check) {
    const { context, page } = await signIn(browser, email, contextOptions, check);
    return new Console(context, page);
  }

  constructor(context, page, site = 'demo') {
    this.context = context;
    this.page = page;
    this.site = site;
  }

  section(name, site = this.site) {
    return new ConsoleSection(this.page, name, site);
  }

  /** Opens `name` of the site and returns it. */
  async open(name, query = '', site = this.site) {
    const section = this.section(name, site);
    await section.open(query);
    return section;
  }

  accessible(what) {
    return accessible(this.page, what);
  }

  close() {
    return this.context.close();
  }
}
