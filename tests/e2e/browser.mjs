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

/// Opens the demo page and collects console errors and failed requests for diagnosis.
export async function openDemo(browser) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(demoUrl);
  return { page, problems };
}
