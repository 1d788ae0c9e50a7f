// The module `loader/widget.js` imports on pages with an opt-in form: the banner's entry points
// (`ui.js`) plus `mount`, over the wasm built with the `forms` feature. `cargo xtask build`
// bundles it into `widget/consent_widget_forms.js`.
import * as wasm from "./consent_widget.js";
import { siteConfig, siteUrl } from "./ui.js";

export { default, show_banner, open_settings } from "./ui.js";

/** Renders the opt-in form into every `[data-consent-form]` element on the page; until the
 * configuration arrives the elements are left as they are, on failure each shows why. */
export function mount(site, base, lang) {
  var known = /^[a-z0-9_-]{1,64}$/.test(site);
  (known ? siteConfig(base, site, lang) : Promise.resolve({})).then(function (a) {
    wasm.mount_forms(known, a.status, a.config, a.message, siteUrl(base, site, "/consents"), lang);
  });
}
