// The module `loader/widget.js` imports for the banner: wasm-bindgen's glue (`default` is its
// init) plus the entry points the loader calls. They fetch the site's configuration — once per
// page, shared by the banner and any forms — and hand it to the Rust side, which renders.
// `cargo xtask build` bundles this with the glue into `widget/consent_widget.js`.
import init, * as wasm from "./consent_widget.js";

export default init;

var SITE = /^[a-z0-9_-]{1,64}$/;
var answers = {};

/** `{base}/api/v1/sites/{site}{tail}`. */
export function siteUrl(base, site, tail) {
  return base.replace(/\/+$/, "") + "/api/v1/sites/" + site + tail;
}

/** The site's configuration as `{ status, config, message }`: `status` 0 when no answer came,
 * `config` the parsed body of a 2xx answer, `message` the server's `error.message` otherwise.
 * Fetched once per URL — or taken from the loader, which asks for it early when the banner will
 * be needed; a failure is forgotten, so a later call tries again. */
export function siteConfig(base, site, lang) {
  var url = siteUrl(base, site, "/config") + (lang ? "?lang=" + encodeURIComponent(lang) : "");
  var loader = window.ConsentWidget;
  var early = !answers[url] && loader && loader.takeConfig && loader.takeConfig(url);
  return (answers[url] =
    answers[url] ||
    (early || fetch(url, { mode: "cors", credentials: "omit" }))
      .then(
        function (r) {
          return r.text().then(function (text) {
            var body = null;
            try {
              body = JSON.parse(text);
            } catch (e) {
              /* unreadable: the Rust side says so */
            }
            var ok = r.ok && body && typeof body == "object";
            return {
              status: r.status,
              config: ok ? body : null,
              message: !r.ok && body && body.error ? body.error.message : undefined,
            };
          });
        },
        function () {
          return { status: 0 };
        }
      )
      .then(function (answer) {
        if (!answer.config) delete answers[url];
        return answer;
      }));
}

/** The element with focus, looking inside open shadow roots (the loader's reopen button is in
 * one; `document.activeElement` only names its host). */
function focused() {
  var el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el || undefined;
}

/** Whether `o` has each of the space-separated `keys` as a string. */
function strings(o, keys) {
  return (
    !!o &&
    keys.split(" ").every(function (k) {
      return typeof o[k] == "string";
    })
  );
}

function whole(n) {
  return n >= 0 && n % 1 == 0;
}

/** Why the banner cannot be shown with configuration `c`, or "" when it can: every field the
 * Rust side reads is checked here, so it needs no error paths of its own. */
function unfit(c) {
  var b = c.banner;
  var cats = c.cookie_categories || [];
  if (!b) return "this site has no cookie banner text.";
  var ok =
    strings(c, "site lang") &&
    whole(c.policy_version) &&
    strings(c.organisation, "name contact_email postal_address privacy_notice_url cookie_policy_url") &&
    strings(b, "lang text sha256") &&
    whole(b.version) &&
    cats instanceof Array &&
    cats.every(function (k) {
      return strings(k, "key label description") && typeof k.required == "boolean";
    });
  return ok ? "" : "the site's configuration is unreadable.";
}

/** Runs `fn` in a task of its own (a MessageChannel: hidden tabs do not throttle it), so that
 * on a slow phone starting the WebAssembly, adding the banner's host and stylesheet, and
 * rendering it are three tasks, none of them long. */
function later(fn) {
  var channel = new MessageChannel();
  channel.port1.onmessage = fn;
  channel.port2.postMessage(0);
}

function banner(site, base, lang, firstLayer, opener) {
  if (!SITE.test(site)) return console.error("Consent widget: this page names an unknown site.");
  siteConfig(base, site, lang).then(function (a) {
    var why = a.config ? unfit(a.config) : a.status ? a.message || "HTTP " + a.status : "no answer from " + base;
    if (why) return console.error("Consent widget: cannot load the cookie banner: " + why);
    var url = siteUrl(base, site, "/cookie-consents");
    later(function () {
      wasm.prepare_banner(a.config, url, lang);
      later(function () {
        wasm.banner(a.config, url, lang, firstLayer, opener);
      });
    });
  });
}

/** Shows the banner's first layer (the loader calls this when no decision is in force). */
export function show_banner(site, base, lang) {
  banner(site, base, lang, true);
}

/** Opens the preferences dialog (the reopen button, `[data-consent-open]`). Focus returns to
 * the element that had it when this was called. */
export function open_settings(site, base, lang) {
  banner(site, base, lang, false, focused());
}
