// The demo host's `/sync` page (`demo/sync.html`): the loader included synchronously in <head>,
// with held-back scripts for `analytics` and `statistics` in the head and the body, each
// recording in `window.heldBackRuns` that it ran.

export const syncUrl = (site = 'demo') => new URL(`/sync?site=${site}`, process.env.CONSENT_DEMO_URL).href;

/// Opens the page for `site` in `context`, noting page errors and UI downloads.
export async function openSync(context, site = 'demo') {
  const page = await context.newPage();
  const problems = [];
  const uiRequests = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => { if (r.url().includes('consent_widget')) uiRequests.push(r.url()); });
  await page.goto(syncUrl(site));
  return { page, problems, uiRequests };
}

/// Which held-back scripts ran on this page view, in order.
export const runs = (page) => page.evaluate(() => window.heldBackRuns || []);

/// The Consent Mode updates the loader pushed.
export const updates = (page) => page.evaluate(() => (window.dataLayer || [])
  .map((args) => Array.from(args)).filter((a) => a[0] === 'consent' && a[1] === 'update').map((a) => a[2]));

