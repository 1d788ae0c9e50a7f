// Console → Import in a real browser: a dpo signs in through the local outbox, pastes a file of
// mixed good and bad rows, reads the dry run, confirms, and the job page records it (refreshing
// itself) until done — with JavaScript on and off; axe finds nothing on the upload form, the
// report and the progress page, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, workerUrl } from './browser.mjs';
import { adminCall, signIn, noViolations } from './pages/console.mjs';

const run = process.pid;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The Import page object: the upload form, the dry-run report, the job's progress. */
class ImportPage {
  constructor(page) { this.page = page; }

  async open() {
    await this.page.goto(`${workerUrl}/admin/sites/demo/import`);
    assert.equal(await this.page.title(), 'Import consents');
  }

  async dryRun(csv, evidence) {
    await this.page.getByLabel('The file\'s contents (CSV)').fill(csv);
    await this.page.getByLabel('Evidence note').fill(evidence);
    await this.page.getByRole('button', { name: 'Check the file (dry run)' }).click();
    await this.page.getByRole('heading', { name: 'Dry run', level: 2 }).waitFor();
    return this.page.getByRole('status').first().innerText();
  }

  async rows() {
    return this.page.locator('tbody tr').allInnerTexts();
  }

  async confirmAndWait() {
    await this.page.getByRole('button', { name: /^Record \d+ rows$/ }).click();
    await this.page.getByText(/^Done: \d+ rows recorded\.$/).waitFor({ timeout: 60_000 });
    return this.page.getByText(/^Done: \d+ rows recorded\.$/).innerText();
  }
}

for (const javaScriptEnabled of [true, false]) {
  for (const colorScheme of ['light', 'dark']) {
    const label = `${javaScriptEnabled ? 'js' : 'nojs'}-${colorScheme}`;
    test(`a dpo imports a mixed file (${label})`, async () => {
      const email = `import-dpo-${label}-${run}@example.org`;
      const added = await adminCall('POST', '/api/v1/admin/sites/demo/people', { email, role: 'dpo' });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const { context, page } = await signIn(browser, email, { bypassCSP: true, colorScheme, javaScriptEnabled });
      const check = (what) => noViolations(page, `${label} ${what}`);
      const imports = new ImportPage(page);
      await imports.open();
      if (javaScriptEnabled) await check('upload form');
      const csv = [
        'email,name,purpose,channel,consented_at,method,evidence,statement',
        `good1-${label}-${run}@example.org,A,news,email,2019-03-15,paper_form,,`,
        `good2-${label}-${run}@example.org,B,news,email,15/03/2019,,,`,
        'not-an-email,C,news,email,2019-03-15,,,',
        `golf-${label}-${run}@example.org,D,golf,email,2019-03-15,,,`,
        `good1-${label}-${run}@example.org,E,news,email,2019-04-01,,,`,
        `future-${label}-${run}@example.org,F,news,email,2099-01-01,,,`,
      ].join('\n');
      const summary = await imports.dryRun(csv, `Reunion sheets ${label}`);
      assert.equal(summary, '6 rows read: 2 would be recorded, 4 refused.');
      const rows = await imports.rows();
      assert.match(rows[2], /not an email address/);
      assert.match(rows[3], /unknown purpose 'golf'/);
      assert.match(rows[4], /duplicate of line 2/);
      assert.match(rows[5], /date in the future/);
      if (javaScriptEnabled) await check('dry-run report');
      assert.equal(await imports.confirmAndWait(), 'Done: 2 rows recorded.');
      if (javaScriptEnabled) await check('progress page');
      await context.close();
    });
  }
}
