/* Consent widget loader: a classic script, no build step.
 *
 *   <div data-consent-form></div>
 *   <script src="https://consent.example/widget.js" data-site="demo" defer></script>
 *
 * Optional data-lang="cy" (else the page's <html lang>). The form's code is loaded from the same
 * origin as this script, and only when the page has a [data-consent-form] element. Failures are
 * logged to the console and never thrown into the host page. */
(function () {
  "use strict";
  var script =
    document.currentScript ||
    document.querySelector('script[data-site][src*="widget.js"]');
  if (!script) {
    console.error("Consent widget: cannot find its own <script> tag (needs data-site).");
    return;
  }
  var site = script.getAttribute("data-site");
  var lang = script.getAttribute("data-lang") || document.documentElement.lang || "";

  function start() {
    if (!document.querySelector("[data-consent-form]")) return;
    if (!site) {
      console.error('Consent widget: the <script> tag needs a data-site="…" attribute.');
      return;
    }
    var base;
    try {
      base = new URL(script.src, document.baseURI).origin;
    } catch (e) {
      console.error("Consent widget: cannot work out where it was loaded from.", e);
      return;
    }
    import(base + "/widget/consent_widget.js")
      .then(function (mod) {
        return mod
          .default({ module_or_path: base + "/widget/consent_widget_bg.wasm" })
          .then(function () {
            mod.mount(site, base, lang || undefined);
          });
      })
      .catch(function (e) {
        console.error("Consent widget: failed to load the form from " + base + ".", e);
      });
  }

  // With `defer` the DOM is parsed already; without it, wait so the form elements exist.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
