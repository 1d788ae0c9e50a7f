// The README's pictures of the console ("For site owners"), taken by the browser suite on every
// run and kept in docs/console/. An owner of the demo site signs in through the local outbox,
// creates a site of its own from the console (`alumni`, with the demo site's wording, categories
// and banner, so no other spec's records show in the pictures), and walks every section of it.
//
// Steady pictures: a fixed viewport (1280×800, light, no animations, no caret), fixed people and
// records, and the worker's and demo page's run-dependent 127.0.0.1 ports shown as the example
// origins a real deployment would have. What still changes from run to run is the date and time
// the server wrote (versions, audit trail, weeks of the chart); the file names never change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { launch, workerUrl, demoUrl } from './browser.mjs';
import { adminCall, Console } from './pages/console.mjs';
import { Banner } from './pages/banner.mjs';

const site = 'alumni';
const owner = 'web.editor@example.org';
const shots = new URL('../../docs/console/', import.meta.url);
const viewport = { width: 1280, height: 800 };
/** Larger full-page pictures are cut to their top. */
const fullPageLimit = 300_000;

let browser;
before(async () => {
  browser = await launch();
  await mkdir(shots, { recursive: true });
});
after(async () => { await browser?.close(); });

/** The run's local origins, as a deployment would show them. */
async function steadyOrigins(page) {
  await page.evaluate(([worker, demo]) => {
    const swap = (s) => s.replaceAll(worker, 'https://consent.example.org').replaceAll(demo, 'https://www.example.org');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeValue.includes(worker) || node.nodeValue.includes(demo)) node.nodeValue = swap(node.nodeValue);
    }
    for (const field of document.querySelectorAll('textarea, input')) {
      if (field.value.includes(worker) || field.value.includes(demo)) field.value = swap(field.value);
    }
  }, [workerUrl, new URL(demoUrl).origin]);
}

/**
 * Saves docs/console/{name}.png: `part` of the page if given, else the whole page when small
 * enough, else its top 1800 pixels.
 */
async function shoot(page, name, part) {
  await steadyOrigins(page);
  const options = { animations: 'disabled', caret: 'hide' };
  let png = part ? await part.screenshot(options) : await page.screenshot({ ...options, fullPage: true });
  if (!part && png.length > fullPageLimit) {
    png = await page.screenshot({ ...options, fullPage: true, clip: { x: 0, y: 0, width: viewport.width, height: 1800 } });
  }
  await writeFile(new URL(`${name}.png`, shots), png);
}

/** The demo site's definition (worker/seed/demo.sql), for a site of the screenshots' own. */
const definition = {
  organisation: {
    name: 'Demo Alumni Association',
    contact_email: 'alumni@example.org',
    postal_address: 'Alumni Office, 1 College Road, Oxbridge OX1 1AA',
    privacy_notice_url: 'https://example.org/privacy',
    cookie_policy_url: 'https://example.org/cookies',
    charity_number: '1234567',
  },
  allowed_origins: ['https://www.example.org'],
  default_lang: 'en',
  purposes: [
    {
      purpose: 'news',
      channel: 'email',
      wordings: [
        { lang: 'en', label: 'News and events', text: 'I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.' },
        { lang: 'cy', label: 'Newyddion a digwyddiadau', text: 'Rwy\'n hapus i glywed gan Gymdeithas Cyn-fyfyrwyr y Demo am newyddion, digwyddiadau, cynigion a chyfleoedd perthnasol i gyn-fyfyrwyr drwy e-bost.' },
      ],
    },
    {
      purpose: 'our-work',
      channel: 'email',
      basis: 'charity_soft_opt_in',
      furthers_charitable_purposes: true,
      wordings: [
        {
          lang: 'en', label: 'Our charitable work',
          text: 'We\'ll email the Demo Alumni Association\'s news about our charitable work and how you can support it, because you supported us. You can stop this at any time.',
          refusal: 'I don\'t want to receive emails about your charitable work',
        },
        {
          lang: 'cy', label: 'Ein gwaith elusennol',
          text: 'Byddwn yn anfon e-bost atoch gyda newyddion Cymdeithas Cyn-fyfyrwyr y Demo am ein gwaith elusennol a sut y gallwch ei gefnogi, am i chi ein cefnogi. Gallwch atal hyn unrhyw bryd.',
          refusal: 'Nid wyf eisiau derbyn e-byst am eich gwaith elusennol',
        },
      ],
    },
  ],
  cookie_categories: [
    {
      key: 'necessary', required: true,
      texts: [
        { lang: 'en', label: 'Strictly necessary', description: 'Remember your cookie choice. Always on.' },
        { lang: 'cy', label: 'Cwbl angenrheidiol', description: 'Cofio eich dewis cwcis. Ymlaen bob amser.' },
      ],
    },
    {
      key: 'analytics', basis: 'consent', consent_mode: ['analytics_storage'],
      texts: [
        { lang: 'en', label: 'Analytics', description: 'Count visits anonymously so we can improve the site.' },
        { lang: 'cy', label: 'Dadansoddi', description: 'Cyfrif ymweliadau\'n ddienw er mwyn i ni wella\'r wefan.' },
      ],
    },
  ],
  banner: [
    { lang: 'en', text: 'The Demo Alumni Association uses cookies that are strictly necessary for this site to work. With your agreement we would also like to use analytics cookies to count visits. You can change your choice at any time.' },
    { lang: 'cy', text: 'Mae Cymdeithas Cyn-fyfyrwyr y Demo yn defnyddio cwcis sy\'n gwbl angenrheidiol i\'r wefan hon weithio. Gyda\'ch caniatâd, hoffem hefyd ddefnyddio cwcis dadansoddi i gyfrif ymweliadau. Gallwch newid eich dewis unrhyw bryd.' },
  ],
};

/** Fixed records for the statistics, audience and people pages. */
async function record(email, changes, method = 'paper_form') {
  const made = await adminCall('POST', `/api/v1/admin/sites/${site}/consents`, {
    email, method, source: 'Reunion dinner sign-up sheet', changes,
  });
  assert.ok(made.status < 300, JSON.stringify(made.body));
}

/** Fixed cookie banner decisions, as the loader sends them from the site's page. */
async function decide(n, choice, categories) {
  const origin = definition.allowed_origins[0];
  const policy = await (await fetch(`${workerUrl}/api/v1/sites/${site}/policy`, { headers: { origin } })).json();
  const response = await fetch(`${workerUrl}/api/v1/sites/${site}/cookie-consents`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', 'idempotency-key': `screenshots-${n}` },
    body: JSON.stringify({
      consent_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, categories, choice,
      policy_version: policy.policy_version, wording_sha256: policy.banner_sha256, reject_on_first_layer: true,
    }),
  });
  assert.equal(response.status, 201, await response.text());
}

test('an owner walks the console; the pictures are saved in docs/console/', async () => {
  const made = await adminCall('POST', '/api/v1/admin/sites/demo/owners', { email: owner });
  assert.equal(made.status, 200, JSON.stringify(made.body));

  // Sign in: the form, then the site list.
  const context = await browser.newContext({ viewport, colorScheme: 'light', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${workerUrl}/admin/sign-in`);
  await page.getByLabel('Email address').fill(owner);
  await shoot(page, '01-sign-in');
  await context.close();
  const editor = await Console.signIn(browser, owner, { viewport, colorScheme: 'light', acceptDownloads: true });
  editor.site = site;
  const { page: p } = editor;

  // Create a site.
  await p.goto(`${workerUrl}/admin/new-site`);
  await p.locator('#site_id').fill(site);
  await p.locator('#name').fill(definition.organisation.name);
  await p.locator('#contact_email').fill(definition.organisation.contact_email);
  await p.locator('#postal_address').fill(definition.organisation.postal_address);
  await p.locator('#privacy_notice_url').fill(definition.organisation.privacy_notice_url);
  await p.locator('#cookie_policy_url').fill(definition.organisation.cookie_policy_url);
  await p.locator('#charity_number').fill(definition.organisation.charity_number);
  await p.locator('#allowed_origins').fill(definition.allowed_origins.join('\n'));
  await shoot(p, '02-create-a-site');
  await p.getByRole('button', { name: 'Create the site' }).click();
  await p.waitForURL(new RegExp(`/admin/sites/${site}/settings`));
  // Its wording, categories and banner (what the wording and categories pages then edit).
  const defined = await adminCall('PUT', `/api/v1/admin/sites/${site}`, definition);
  assert.ok(defined.status < 300, JSON.stringify(defined.body));
  await record('ada.lovelace@example.org', [{ purpose: 'news', channel: 'email', action: 'granted' }]);
  await record('alan.turing@example.org', [{ purpose: 'news', channel: 'email', action: 'granted' }], 'admin_import');
  await record('grace.hopper@example.org', [{ purpose: 'news', channel: 'email', action: 'granted' }], 'admin_import');
  await record('mary.somerville@example.org', [{ purpose: 'news', channel: 'email', action: 'granted' }]);
  await record('mary.somerville@example.org', [{ purpose: 'news', channel: 'email', action: 'withdrawn' }]);
  for (const [n, choice] of ['accept_all', 'accept_all', 'accept_all', 'reject_all', 'reject_all'].entries()) {
    await decide(n, choice, choice === 'accept_all' ? ['analytics'] : []);
  }
  const dpo = await adminCall('POST', `/api/v1/admin/sites/${site}/people`, { email: 'data.protection@example.org', role: 'dpo' });
  assert.equal(dpo.status, 201, JSON.stringify(dpo.body));
  await p.goto(`${workerUrl}/admin`);
  assert.equal(await p.title(), 'Your sites');
  await shoot(p, '03-your-sites');

  await editor.open('');
  await shoot(p, '04-overview');
  await editor.open('settings');
  await shoot(p, '05-settings');

  // Wording: a changed text is a new version, with the diff and the preview.
  await editor.open('wording');
  await p.locator('#news\\.email-text_en').fill('I am happy to hear from the Demo Alumni Association about relevant news, events, reunions and opportunities for alumni by email.');
  await p.locator('#news\\.email').getByRole('button', { name: 'Save as a new version' }).click();
  await p.getByText('Saved as a new version.').waitFor();
  for (const changes of await p.locator('#news\\.email ol').getByText('Changes from version 1').all()) await changes.click();
  await shoot(p, '06-wording', p.locator('#news\\.email'));
  await editor.open('categories');
  await shoot(p, '07-categories');
  await editor.open('embed');
  await shoot(p, '08-embed');

  await editor.open('statistics');
  assert.ok(await p.locator('figure svg').count() >= 1, 'a chart');
  await shoot(p, '09-statistics');
  await editor.open('audience');
  await p.getByLabel('Purpose and channel').selectOption('news:email');
  await p.getByRole('button', { name: 'Count' }).click();
  await p.getByRole('status').waitFor();
  await shoot(p, '10-audience');

  await editor.open('import');
  await p.getByLabel('The file\'s contents (CSV)').fill([
    'email,name,purpose,channel,consented_at,method,evidence,statement',
    'charles.babbage@example.org,Charles Babbage,news,email,2019-03-15,paper_form,,',
    'dorothy.hodgkin@example.org,Dorothy Hodgkin,news,email,15/03/2019,,,',
    'not-an-email,Someone,news,email,2019-03-15,,,',
    'rosalind.franklin@example.org,Rosalind Franklin,golf,email,2019-03-15,,,',
    'charles.babbage@example.org,Charles Babbage,news,email,2019-04-01,,,',
  ].join('\n'));
  await p.getByLabel('Evidence note').fill('Reunion 2019 sign-up sheets, box 4');
  await p.getByRole('button', { name: 'Check the file (dry run)' }).click();
  await p.getByRole('heading', { name: 'Dry run', level: 2 }).waitFor();
  await shoot(p, '11-import-dry-run');

  await editor.open('people');
  await p.getByLabel('Their email address').fill('ada.lovelace@example.org');
  await p.getByRole('button', { name: 'Look up' }).click();
  await p.getByRole('heading', { name: 'What is held' }).waitFor();
  await shoot(p, '12-people');

  const suppressions = await editor.open('suppressions');
  await p.getByLabel('Email addresses').fill('moved.away@example.org\n');
  await p.getByLabel('Reason').selectOption('bounced');
  await p.getByRole('button', { name: 'Add to the list' }).click();
  assert.match(await suppressions.status(), /1 address\(es\) added/);
  await shoot(p, '13-suppressions');

  await editor.open('ledger');
  await p.getByRole('button', { name: 'Verify the ledger now' }).click();
  await p.getByRole('heading', { name: 'Verify the ledger now' }).waitFor();
  await shoot(p, '14-ledger');
  await editor.open('audit');
  await shoot(p, '15-audit');
  await editor.open('team');
  await shoot(p, '16-team');

  // The DPO's desk, and the Embed page's live preview with the real widget.
  await editor.open('register');
  await shoot(p, '17-register');
  await editor.open('review');
  await shoot(p, '18-review');
  await editor.open('retention');
  await shoot(p, '19-retention');
  await p.goto(`${workerUrl}/admin/sites/${site}/embed/live`);
  await p.getByText('nothing you do on this page is recorded').waitFor();
  await new Banner(p).waitUntilShown();
  await shoot(p, '20-embed-live-preview');
  await editor.close();
});
