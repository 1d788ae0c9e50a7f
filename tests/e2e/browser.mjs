// Launches Debian's Chromium headless with the flags this offline machine needs.
import { chromium } from 'playwright-core';

export const demoUrl = process.env.CONSENT_DEMO_URL;
export const workerUrl = process.env.CONSENT_WORKER_URL;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/// A cookie as the loader writes it after a decision (so a page opens without the banner).
export function decisionCookie(categories = [], policyVersion = 1) {
  const value = encodeURIComponent(JSON.stringify({ v: policyVersion, id: '11111111-2222-4333-8444-555555555555', c: categories, ch: 'custom', t: Date.now() }));
  return { name: 'consent_demo', value, url: demoUrl };
}

/// Opens the demo page in a fresh context (no cookies unless given) and collects console errors
/// and failed requests for diagnosis.
export async function openDemo(browser, { cookies = [], query = '', gpc = false } = {}) {
  const context = await browser.newContext(gpc ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {});
  if (gpc) await context.addInitScript(() => Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true }));
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(demoUrl + query);
  return { page, problems, context };
}
