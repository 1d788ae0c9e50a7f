// The browser side of the widget's wasm, imported by the Rust code (`src/host.rs`): the contract
// with `loader/widget.js`, which sets `window.ConsentWidget` before loading the UI,
//
//   { site, base, lang, gpc: bool, preview: null | the console preview's credential,
//     decision(): null | { v: policy_version, id: consent_id, c: [categories], ch: choice },
//     apply({ v, id, c, ch }),       // writes the cookie, runs unblocked scripts, consent mode, …
//     enqueue({ url, key, body }) }  // keeps an undelivered submission (false when it cannot:
//                                    // not the site's consents URL, or no storage); resent later
//
// (when a queued submission is delivered the loader dispatches `consent-delivered` on `window`
// with `detail = { key, recorded_at }`), plus the few browser calls that are smaller written here
// than through wasm-bindgen. Every access is defensive: without the loader (or with an older one)
// the banner still works and records decisions; it just cannot apply them to the page.

function loader() {
  return window.ConsentWidget;
}

/** A POST's headers: JSON, its Idempotency-Key and, on the console's live preview only (the
 * loader's `preview`), the preview's credential, so that the worker checks and records nothing. */
function headers(key) {
  var h = { "Content-Type": "application/json", "Idempotency-Key": key };
  var p = preview();
  if (p) h["Consent-Preview"] = p;
  return h;
}

function decision() {
  try {
    var l = loader();
    var d = l && l.decision && l.decision();
    return d && typeof d == "object" ? d : null;
  } catch (e) {
    return null;
  }
}

/** The consent id of the decision in force, as the loader read it from its cookie. */
export function decision_id() {
  var d = decision();
  return d && typeof d.id == "string" ? d.id : undefined;
}

/** The categories of the decision in force, or undefined when there is none. */
export function decision_categories() {
  var d = decision();
  return d && d.c instanceof Array
    ? d.c.filter(function (k) {
        return typeof k == "string";
      })
    : undefined;
}

/** The categories that run until the visitor objects (the loader's `exceptions()`), or none. */
export function exceptions() {
  try {
    var l = loader();
    var e = l && l.exceptions && l.exceptions();
    return e instanceof Array ? e : [];
  } catch (x) {
    return [];
  }
}

/** The Global Privacy Control signal: the loader's `gpc`, else `navigator.globalPrivacyControl`. */
export function gpc() {
  var l = loader();
  return l && typeof l.gpc == "boolean" ? l.gpc : navigator.globalPrivacyControl === true;
}

/** Hands a decision to the loader: `ConsentWidget.apply({v, id, c, ch})`. */
export function apply(v, id, c, ch) {
  var l = loader();
  if (!l || !l.apply) return console.warn("Consent widget: window.ConsentWidget is missing; decision not applied.");
  try {
    l.apply({ v: v, id: id, c: c, ch: ch });
  } catch (e) {
    console.error("Consent widget: ConsentWidget.apply failed", e);
  }
}

/** Hands an undelivered submission to the loader's offline queue; false when nothing keeps it. */
export function enqueue(url, key, body) {
  try {
    var l = loader();
    return !!(l && l.enqueue) && l.enqueue({ url: url, key: key, body: body }) !== false;
  } catch (e) {
    return false;
  }
}

/** The `key`, `recorded_at` and pending flag ("1"/"0") of a `consent-delivered` event, or undefined. */
export function delivered(event) {
  var d = event.detail;
  return d && typeof d.key == "string" && typeof d.recorded_at == "string"
    ? [d.key, d.recorded_at, d.pending ? "1" : "0"]
    : undefined;
}

/** The console's live-preview credential, if this is the preview (its POSTs are checked, not recorded). */
export function preview() {
  var l = loader();
  return (l && l.preview) || undefined;
}

/** Posts a banner decision (already JSON) with `keepalive`, so it is delivered even when the
 * decision navigates away or activates scripts that do. It carries an Idempotency-Key, fresh for
 * this decision and the same on every retry, so the worker stores it once: no answer, 408, 429
 * or a server error is retried after 2, 10 and 30 s; anything else is only logged. (This file
 * is a wasm-bindgen snippet and cannot import `sender.js`, which does the same for GPC.) */
export function post_decision(url, body) {
  var key = uuid();
  var waits = [2000, 10000, 30000];
  (function attempt() {
    fetch(url, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      keepalive: true,
      headers: headers(key),
      body: body,
    })
      .then(function (r) {
        if (!r.ok) throw r;
      })
      .catch(function (e) {
        var s = e.status;
        if ((!s || s == 408 || s == 429 || s >= 500) && waits.length) return setTimeout(attempt, waits.shift());
        console.error("Consent widget: the cookie choice was not recorded:", s ? "HTTP " + s : e);
      });
  })();
}

/** The first element matching `selector` in the banner's open shadow root, once mounted. */
function inBanner(selector) {
  var host = document.getElementById("consent-banner-host");
  return (host && host.shadowRoot && host.shadowRoot.querySelector(selector)) || undefined;
}

/** The banner's preferences dialog, once mounted. */
export function banner_dialog() {
  return inBanner("dialog[data-consent-dialog]");
}

/** Shows or hides the banner's first layer. */
export function show_layer(on) {
  var layer = inBanner("[data-consent-banner]");
  if (layer) layer.hidden = !on;
}

/** The dialog's category checkboxes, in order. */
function boxes() {
  var dialog = banner_dialog();
  return dialog ? dialog.querySelectorAll('input[type="checkbox"]') : [];
}

/** Ticks the checkboxes as the "1"/"0" characters of `ticks` say. */
export function set_ticks(ticks) {
  boxes().forEach(function (box, i) {
    box.checked = ticks[i] == "1";
  });
}

/** Which checkboxes are ticked, as "1"/"0" characters. */
export function ticks() {
  var ticks = "";
  boxes().forEach(function (box) {
    ticks += box.checked ? "1" : "0";
  });
  return ticks;
}

/** Focuses the loader's "Cookie settings" button (in its own open shadow root), if shown. */
export function focus_reopen_button() {
  var host = document.getElementById("consent-reopen");
  var button = host && host.shadowRoot && host.shadowRoot.querySelector("button");
  if (button) button.focus();
}

/** A fresh UUID (an idempotency key, a cookie consent id): `crypto.randomUUID()`, or the same
 * shape from `crypto.getRandomValues` where that is missing (pages served over plain http). */
export function uuid() {
  var c = window.crypto;
  if (c.randomUUID) return c.randomUUID();
  var b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  var h = "";
  for (var i = 0; i < 16; i++) h += (i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "") + (b[i] | 256).toString(16).slice(1);
  return h;
}
