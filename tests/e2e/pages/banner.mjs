// Page object for the cookie banner and its preferences dialog, which the widget renders into
// the open shadow root of #consent-banner-host (Playwright's CSS locators pierce open shadow roots).
import { fileURLToPath } from 'node:url';

export const AXE_PATH = fileURLToPath(new URL('../../../node_modules/axe-core/axe.min.js', import.meta.url));

export class Banner {
  constructor(page) {
    this.page = page;
    this.host = page.locator('#consent-banner-host');
    this.layer = page.locator('#consent-banner-host [data-consent-banner]');
    this.accept = this.layer.locator('button[data-consent-action="accept"]');
    this.reject = this.layer.locator('button[data-consent-action="reject"]');
    this.choose = this.layer.locator('button[data-consent-action="choose"]');
    this.cookiePolicy = this.layer.locator('a[data-consent-link="cookie-policy"]');
    this.privacyNotice = this.layer.locator('a[data-consent-link="privacy-notice"]');
    this.dialog = page.locator('#consent-banner-host dialog[data-consent-dialog]');
  }

  /** A decision button inside the dialog: save | accept | reject. */
  dialogButton(action) {
    return this.dialog.locator(`button[data-consent-action="${action}"]`);
  }

  category(key) {
    return this.dialog.locator(`input[type="checkbox"][name="category:${key}"]`);
  }

  async waitUntilShown() {
    await this.layer.waitFor({ state: 'visible', timeout: 20_000 });
  }

  /** Resolves with the next POST to …/cookie-consents: { status, body }. */
  nextRecord() {
    return this.page
      .waitForResponse((r) => r.url().endsWith('/cookie-consents') && r.request().method() === 'POST', { timeout: 10_000 })
      .then((r) => ({ status: r.status(), body: r.request().postDataJSON() }));
  }

  /** The element that really has focus, looked for through open shadow roots. */
  focused() {
    return this.page.evaluate(() => {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      if (!el) return null;
      return {
        tag: el.tagName.toLowerCase(),
        action: el.getAttribute('data-consent-action'),
        inDialog: !!el.closest('dialog[data-consent-dialog]'),
        inBanner: !!el.closest('[data-consent-banner]'),
        consentOpen: el.hasAttribute('data-consent-open'),
        text: (el.textContent || '').trim(),
      };
    });
  }

  /** Computed style and size of an element, for comparing prominence. */
  static look(locator) {
    return locator.evaluate((el) => {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return {
        tag: el.tagName, className: el.className, fontSize: s.fontSize, fontWeight: s.fontWeight,
        padding: s.padding, background: s.backgroundColor, color: s.color, border: s.border,
        width: r.width, height: r.height,
      };
    });
  }

  /** Runs axe-core (WCAG 2.x A/AA) over the whole document, shadow roots included. */
  async axeViolations() {
    if (!(await this.page.evaluate(() => !!window.axe))) await this.page.addScriptTag({ path: AXE_PATH });
    const result = await this.page.evaluate(() =>
      window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  }
}
