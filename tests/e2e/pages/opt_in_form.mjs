// Page object for the opt-in form the widget renders into [data-consent-form].
export class OptInForm {
  constructor(page) {
    this.page = page;
    this.form = page.locator('[data-consent-form] form.consent-form');
    this.email = this.form.locator('input[name="email"]');
    this.submit = this.form.locator('button[type="submit"]');
    this.success = page.locator('[data-consent-form] [data-consent-status="success"]');
    this.error = page.locator('[data-consent-form] [data-consent-status="error"]');
  }

  checkbox(purpose, channel) {
    return this.form.locator(`input[type="checkbox"][name="${purpose}:${channel}"]`);
  }

  async waitUntilRendered() {
    await this.form.waitFor({ state: 'visible', timeout: 20_000 });
  }
}
