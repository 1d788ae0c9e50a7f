/* Consent widget loader: a small synchronous classic script, no build step (esbuild minifies it).
 *
 *   <script src="https://WORKER/widget.js" data-site="demo" defer></script>
 *   optional: data-lang="cy" (else <html lang>)
 *
 * In this order it:
 * 1. sets Google Consent Mode v2 defaults to denied, before anything else can run;
 * 2. reads the visitor's decision cookie and, if there is one, applies it at once: activates
 *    <script type="text/plain" data-consent-category="…"> and [data-src] iframes/images of the
 *    accepted categories and sends the Consent Mode update — without fetching the WebAssembly UI;
 * 3. asks the worker for the site's policy version: when there is no decision (or it was made
 *    under another version) it loads the UI to show the banner — unless the browser sends Global
 *    Privacy Control, which is applied and recorded as a refusal without showing a choice;
 * 4. loads the UI for opt-in forms ([data-consent-form]) and when settings are reopened (the
 *    small "Cookie settings" button or any [data-consent-open] element) — the banner-only build,
 *    or on a page with a form the build that also renders forms;
 * 5. resends opt-in submissions that could not be delivered (kept in localStorage with their
 *    Idempotency-Key, so each is recorded exactly once) on every page load and when the browser
 *    comes back online.
 * Nothing here ever throws into the host page; problems are explained in the console. */
(function () {
  "use strict";
  var w = window;
  var d = document;
  w.dataLayer = w.dataLayer || [];
  function gtag() {
    w.dataLayer.push(arguments);
  }
  gtag("consent", "default", {
    ad_storage: "denied",
    analytics_storage: "denied",
    ad_user_data: "denied",
    ad_personalization: "denied",
    wait_for_update: 500,
  });

  var script = d.currentScript || d.querySelector('script[data-site][src*="widget.js"]');
  var site = script && script.getAttribute("data-site");
  if (!site || !/^[a-z0-9_-]{1,64}$/.test(site)) {
    console.error("Consent widget: data-site missing or invalid.");
    return;
  }
  var lang = script.getAttribute("data-lang") || d.documentElement.lang || "";
  var base = new URL(script.src, d.baseURI).origin;
  var api = base + "/api/v1/sites/" + site;
  var cookieName = "consent_" + site;
  var SIX_MONTHS = 15552000; // seconds: the ICO expects consent to be refreshed at least this often
  var gpc = navigator.globalPrivacyControl === true;
  var policy = null;
  var ui = null;

  function readDecision() {
    var parts = d.cookie.split("; ");
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf(cookieName + "=") === 0) {
        try {
          var dec = JSON.parse(decodeURIComponent(parts[i].slice(cookieName.length + 1)));
          if (dec && typeof dec.v === "number" && dec.c instanceof Array) return dec;
        } catch (e) {
          /* an unreadable cookie is no decision */
        }
      }
    }
    return null;
  }

  // Marketing-type categories map to the ad_* signals, analytics to analytics_storage.
  var ADS = { marketing: 1, advertising: 1, ads: 1 };
  function activate(categories) {
    function allowed(el) {
      return categories.indexOf(el.getAttribute("data-consent-category")) >= 0;
    }
    d.querySelectorAll('script[type="text/plain"][data-consent-category]').forEach(function (old) {
      if (!allowed(old)) return;
      var s = d.createElement("script");
      for (var i = 0; i < old.attributes.length; i++) {
        var a = old.attributes[i];
        if (a.name !== "type") s.setAttribute(a.name, a.value);
      }
      if (old.getAttribute("data-type")) s.type = old.getAttribute("data-type");
      if (!old.src) s.text = old.text;
      old.parentNode.replaceChild(s, old);
    });
    d.querySelectorAll("[data-consent-category][data-src]").forEach(function (el) {
      if (!allowed(el)) return;
      el.src = el.getAttribute("data-src");
      el.removeAttribute("data-src");
    });
    var ads = categories.some(function (c) {
      return ADS[c];
    })
      ? "granted"
      : "denied";
    gtag("consent", "update", {
      analytics_storage: categories.indexOf("analytics") >= 0 ? "granted" : "denied",
      ad_storage: ads,
      ad_user_data: ads,
      ad_personalization: ads,
    });
  }

  /* Called by the UI (and by the GPC path below) once a decision is made. */
  function apply(dec) {
    var record = { v: dec.v, id: dec.id, c: dec.c, ch: dec.ch, t: Date.now() };
    d.cookie =
      cookieName + "=" + encodeURIComponent(JSON.stringify(record)) +
      "; Max-Age=" + SIX_MONTHS + "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
    activate(dec.c);
    showReopenButton();
  }

  function uuid() {
    return crypto.randomUUID
      ? crypto.randomUUID()
      : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
          return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
        });
  }

  /* The banner-only UI, or on a page with an opt-in form the larger build that also has forms. */
  function loadUi() {
    var name = base + "/widget/consent_widget" + (d.querySelector("[data-consent-form]") ? "_forms" : "");
    ui =
      ui ||
      import(name + ".js").then(function (mod) {
        return mod.default({ module_or_path: name + "_bg.wasm" }).then(function () {
          return mod;
        });
      });
    ui.catch(function (e) {
      var csp = /WebAssembly|wasm|Content Security Policy|unsafe-eval/i.test(String(e && e.message));
      console.error(
        "Consent widget: " +
          (csp
            ? "this page's Content-Security-Policy does not allow WebAssembly (add 'wasm-unsafe-eval' to script-src)."
            : "cannot load its interface from " + base + "."),
        e
      );
      offerFallbackLink();
    });
    return ui;
  }

  function withUi(call) {
    loadUi().then(function (mod) {
      call(mod);
    }, function () {});
  }

  function openSettings() {
    withUi(function (mod) {
      if (mod.open_settings) mod.open_settings(site, base, lang || undefined);
    });
  }

  /* A small, unobtrusive way back to the settings, in its own shadow root so host CSS can't hide it. */
  var reopen = null;
  function showReopenButton() {
    if (reopen || !d.body) return;
    reopen = d.createElement("div");
    reopen.id = "consent-reopen";
    var root = reopen.attachShadow({ mode: "open" });
    root.innerHTML =
      "<style>button{position:fixed;left:12px;bottom:12px;z-index:2147483000;font:13px system-ui;padding:6px 10px;" +
      "border:1px solid #555;border-radius:6px;background:#fff;color:#111}" +
      "button:focus-visible{outline:3px solid #1a5fb4}" +
      "@media (prefers-color-scheme:dark){button{background:#222;color:#eee}}</style>" +
      '<button type="button" data-consent-reopen>' +
      (/^cy\b/.test(lang) ? "Gosodiadau cwcis" : "Cookie settings") +
      "</button>";
    root.querySelector("button").addEventListener("click", openSettings);
    d.body.appendChild(reopen);
  }

  function offerFallbackLink() {
    if (!policy || !d.body || d.getElementById("consent-fallback")) return;
    var a = d.createElement("a");
    a.id = "consent-fallback";
    a.href = policy.cookie_policy_url;
    a.textContent = /^cy\b/.test(lang) ? "Gosodiadau cwcis" : "Cookie settings";
    a.setAttribute("style", "position:fixed;left:12px;bottom:12px;z-index:2147483000;background:#fff;color:#1a1a1a;padding:6px 10px");
    d.body.appendChild(a);
  }

  function recordGpcRefusal() {
    var dec = { v: policy.policy_version, id: uuid(), c: [], ch: "gpc_signal" };
    apply(dec);
    if (!policy.banner_sha256) return;
    fetch(api + "/cookie-consents", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        consent_id: dec.id,
        categories: [],
        choice: "gpc_signal",
        policy_version: policy.policy_version,
        wording_sha256: policy.banner_sha256,
        reject_on_first_layer: false,
        gpc: true,
        client_time: new Date().toISOString(),
      }),
    }).catch(function (e) {
      console.error("Consent widget: GPC refusal not recorded.", e);
    });
  }

  /* The offline queue: submissions the form could not deliver, resent under their original
   * Idempotency-Key so a retry can never record twice. */
  var QUEUE = "consent-queue:" + site;
  var MAX_QUEUED = 20;
  var MAX_AGE = 30 * 24 * 3600 * 1000;
  function readQueue() {
    try {
      var q = JSON.parse(localStorage.getItem(QUEUE) || "[]");
      return q instanceof Array ? q : [];
    } catch (e) {
      return [];
    }
  }
  function writeQueue(q) {
    try {
      if (q.length) localStorage.setItem(QUEUE, JSON.stringify(q));
      else localStorage.removeItem(QUEUE);
      return true;
    } catch (e) {
      return false; // storage disabled or full: the form will say the send failed
    }
  }
  function enqueue(item) {
    var q = readQueue().filter(function (x) {
      return x.key !== item.key;
    });
    q.push({ url: item.url, key: item.key, body: item.body, t: Date.now() });
    var kept = writeQueue(q.slice(-MAX_QUEUED));
    if (kept) setTimeout(flush, 10000);
    return kept;
  }
  var flushing = false;
  function flush() {
    var q = readQueue();
    if (flushing || !q.length || navigator.onLine === false) return;
    flushing = true;
    var item = q[0];
    fetch(item.url, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key },
      body: item.body,
    })
      .then(function (r) {
        // Delivered, or refused for good (4xx): either way it leaves the queue.
        if (r.ok || (r.status >= 400 && r.status < 500)) {
          writeQueue(readQueue().filter(function (x) {
            return x.key !== item.key;
          }));
          return r.json().then(function (receipt) {
            if (!r.ok) return console.error("Consent widget: saved sign-up refused.", receipt);
            var pending = (receipt.events || []).some(function (e) {
              return e.action == "pending";
            });
            w.dispatchEvent(new CustomEvent("consent-delivered", { detail: { key: item.key, recorded_at: receipt.recorded_at, pending: pending } }));
          });
        }
        throw new Error("HTTP " + r.status);
      })
      .then(
        function () {
          flushing = false;
          flush();
        },
        function () {
          flushing = false;
          setTimeout(flush, 30000);
        }
      );
  }
  // Entries too old to be what the person still means are dropped, not sent.
  writeQueue(readQueue().filter(function (x) {
    return Date.now() - x.t < MAX_AGE;
  }));
  w.addEventListener("online", flush);

  w.ConsentWidget = {
    site: site,
    base: base,
    lang: lang,
    gpc: gpc,
    decision: readDecision,
    apply: apply,
    open: openSettings,
    enqueue: enqueue,
  };

  // A decision already made applies straight away, before any network request.
  var decision = readDecision();
  if (decision) activate(decision.c);

  function start() {
    if (decision) showReopenButton();
    flush();
    d.addEventListener("click", function (e) {
      var opener = e.target && e.target.closest && e.target.closest("[data-consent-open]");
      if (opener) {
        e.preventDefault();
        openSettings();
      }
    });
    // Without a decision the banner will be needed: fetch the UI alongside the policy check.
    if (!decision && !gpc) loadUi();
    if (d.querySelector("[data-consent-form]")) {
      withUi(function (mod) {
        mod.mount(site, base, lang || undefined);
      });
    }
    fetch(api + "/policy" + (lang ? "?lang=" + encodeURIComponent(lang) : ""), { mode: "cors", credentials: "omit" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (p) {
        policy = p;
        if (decision && decision.v === p.policy_version) return;
        if (!decision && gpc) return recordGpcRefusal();
        withUi(function (mod) {
          if (mod.show_banner) mod.show_banner(site, base, lang || undefined);
        });
      })
      .catch(function (e) {
        console.error("Consent widget: cannot reach " + base, e);
      });
  }

  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start);
  else start();
})();
