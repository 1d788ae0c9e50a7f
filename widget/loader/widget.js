/* Consent widget loader: a small classic script, no build step (esbuild minifies it).
 *
 *   <script src="https://WORKER/widget.js" data-site="demo"></script>
 *   in <head>, with or without defer/async; optional: data-lang="cy" (else <html lang>);
 *   data-preview="…" only on the console's live preview (its credential, sent with each POST)
 *
 * In this order it:
 * 1. sets Google Consent Mode v2 defaults to denied, before anything else can run;
 * 2. reads the visitor's decision cookie and asks the worker for the site's policy: its version,
 *    and its optional cookie categories with the Consent Mode signals each grants;
 * 3. once the DOM is ready and the answer is in, applies a decision that names only categories
 *    the site has (anything else, or an unreadable cookie, is no decision): activates
 *    <script type="text/plain" data-consent-category="…"> and [data-src] iframes/images of the
 *    accepted categories anywhere in the page, each exactly once, and those added later, and
 *    sends the Consent Mode update — without fetching the WebAssembly UI;
 * 4. when there is no decision (or it was made under another policy version) loads the UI to
 *    show the banner — unless the browser sends Global Privacy Control, which is applied and
 *    recorded as a refusal without showing a choice;
 * 5. loads the UI for opt-in forms ([data-consent-form]) and when settings are reopened (the
 *    small "Cookie settings" button or any [data-consent-open] element) — the banner-only build,
 *    or on a page with a form the build that also renders forms;
 * 6. on pages with a form, or with sign-ups waiting to be resent, and to record a GPC refusal,
 *    imports `widget/consent_sender.js` (the offline queue; see widget/js/sender.js), so a
 *    returning visit without either downloads none of it.
 * Nothing here ever throws into the host page; problems are explained in the console.
 *
 * On a slow phone every step costs: when the banner will be needed its configuration, its script
 * and its WebAssembly (compiled off the main thread as it arrives) are requested at once,
 * alongside the policy check, and the rest of the work comes in later short tasks (`later`). */
(function () {
  "use strict";
  var w = window;
  var d = document;
  w.dataLayer = w.dataLayer || [];
  function gtag() {
    w.dataLayer.push(arguments);
  }
  /* Sends every Consent Mode v2 signal: "granted" for those in `on`, else "denied". */
  function consentMode(kind, on, extra) {
    var s = extra || {};
    ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"].forEach(function (k) {
      s[k] = on.indexOf(k) < 0 ? "denied" : "granted";
    });
    gtag("consent", kind, s);
  }
  consentMode("default", [], { wait_for_update: 500 });

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
  var granted = null; // the categories of the decision in force, once applied

  /* Runs `fn` in a task of its own, after what is already queued, so that no single task is long
   * on a slow phone. A MessageChannel, not setTimeout: hidden tabs do not throttle it. */
  var queued = [];
  var channel = new MessageChannel();
  channel.port1.onmessage = function () {
    queued.shift()();
  };
  function later(fn) {
    queued.push(fn);
    channel.port2.postMessage(0);
  }
  function ignore() {}

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

  /* The Consent Mode signals the site's optional category `key` grants; not an array when the
   * site has no such category (the policy answer's `categories`). */
  function signalsOf(key) {
    return typeof key == "string" && policy && policy.categories ? policy.categories[key] : 0;
  }

  /* Whether a decision names only categories this site has. */
  function fits(dec) {
    return dec.c.every(function (k) {
      return signalsOf(k) instanceof Array;
    });
  }

  /* Whether a decision was made under the rules that apply now (one from before rule sets,
   * without `r`, was an opt-in decision and applies under any). */
  function sameRules(dec) {
    return !dec.r || !policy || !policy.rule_set || dec.r === policy.rule_set;
  }

  /* The decision in force for the UI: one that fits the site, made under these rules, else none. */
  function current() {
    var dec = readDecision();
    return dec && fits(dec) && sameRules(dec) ? dec : null;
  }

  /* Runs the held-back elements of the accepted categories. Each runs once: a script that ran
   * has no type="text/plain" any more, a frame or image no data-src. */
  function sweep() {
    function allowed(el) {
      return granted.indexOf(el.getAttribute("data-consent-category")) >= 0;
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
      s.async = false; // external ones run in page order, as they would have
      old.parentNode.replaceChild(s, old);
    });
    d.querySelectorAll("[data-consent-category][data-src]").forEach(function (el) {
      if (!allowed(el)) return;
      el.src = el.getAttribute("data-src");
      el.removeAttribute("data-src");
    });
  }

  /* Applies accepted categories to the page: the Consent Mode update with the signals the site
   * declared for them (none declared: none granted), the held-back elements already in the
   * page, and from then on those added later. Called once the DOM is ready. `quiet`: no update
   * when nothing is granted (the exceptions before any decision: the defaults already say so). */
  function activate(categories, quiet) {
    var signals = [];
    categories.forEach(function (k) {
      signals = signals.concat(signalsOf(k) || []);
    });
    if (!quiet || signals.length) consentMode("update", signals);
    if (!granted) new MutationObserver(sweep).observe(d.documentElement, { childList: true, subtree: true });
    granted = categories;
    sweep();
  }

  /* The categories that run without consent for this visitor (UK statistics and appearance:
   * `opt_out` in the policy's `treatments`) until they object. */
  function exceptions() {
    var t = (policy && policy.treatments) || {};
    return Object.keys(t).filter(function (k) {
      return t[k] == "opt_out";
    });
  }

  /* Called by the UI (and by the GPC path below) once a decision is made. `r`: the rules it
   * was made under; a decision seen under other rules is asked again. */
  function apply(dec) {
    var record = { v: dec.v, id: dec.id, c: dec.c, ch: dec.ch, r: policy && policy.rule_set, t: Date.now() };
    d.cookie =
      cookieName + "=" + encodeURIComponent(JSON.stringify(record)) +
      "; Max-Age=" + SIX_MONTHS + "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
    activate(dec.c);
    showReopenButton();
  }

  /* The banner-only UI, or on a page with an opt-in form the larger build that also has forms.
   * The WebAssembly is fetched and compiled (off the main thread, as it streams in) while the
   * script loads, not after; where streaming compilation is missing or refused (a server
   * without the application/wasm type), wasm-bindgen's own loading takes over. */
  function loadUi() {
    if (ui) return ui;
    var name = base + "/widget/consent_widget" + (d.querySelector("[data-consent-form]") ? "_forms" : "");
    var wasm = name + "_bg.wasm";
    // (`w.WebAssembly`: where WebAssembly is switched off, the glue's own loading fails, inside
    // a promise, rather than this throwing into the page.)
    var compiled = w.WebAssembly && WebAssembly.compileStreaming
      ? WebAssembly.compileStreaming(fetch(wasm)).catch(function () {
          return fetch(wasm);
        })
      : wasm;
    ui = import(name + ".js").then(function (mod) {
      return mod.default({ module_or_path: compiled }).then(function () {
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
      // Once the policy is in (it may come after this failure): it names the link.
      policyAnswer.then(offerFallbackLink);
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

  function offerFallbackLink(p) {
    if (!p || !d.body || d.getElementById("consent-fallback")) return;
    var a = d.createElement("a");
    a.id = "consent-fallback";
    a.href = p.cookie_policy_url;
    a.textContent = /^cy\b/.test(lang) ? "Gosodiadau cwcis" : "Cookie settings";
    a.setAttribute("style", "position:fixed;left:12px;bottom:12px;z-index:2147483000;background:#fff;color:#1a1a1a;padding:6px 10px");
    d.body.appendChild(a);
  }

  /* The sender module (offline queue, GPC refusal), imported once when first needed. */
  var sender = null;
  var senderLoad = null;
  function loadSender() {
    return (senderLoad =
      senderLoad ||
      import(base + "/widget/consent_sender.js").then(
        function (m) {
          m.start(site, api);
          sender = m;
        },
        function (e) {
          console.error("Consent widget: cannot load " + base + "/widget/consent_sender.js", e);
        }
      ));
  }

  /* The compact notice for a site whose optional categories all run without consent here
   * (`banner_kind: notice_only`): a small module (widget/js/notice.js), not the WebAssembly UI. */
  function showNotice() {
    import(base + "/widget/consent_notice.js").then(
      function (m) {
        m.show({ api: api, lang: lang, policy: policy, runs: exceptions(), configUrl: api + "/config" + query, takeConfig: w.ConsentWidget.takeConfig, apply: apply });
      },
      function (e) {
        console.error("Consent widget: cannot load " + base + "/widget/consent_notice.js", e);
      }
    );
  }

  w.ConsentWidget = {
    site: site,
    base: base,
    lang: lang,
    gpc: gpc,
    preview: script.getAttribute("data-preview"),
    decision: current,
    apply: apply,
    exceptions: exceptions,
    // The banner's configuration, requested with the policy when no decision is in force: the
    // UI takes it (once) instead of asking again. `url` must be the one it would ask.
    takeConfig: function (url) {
      var answer = configAnswer && configAnswer.url === url ? configAnswer.response : null;
      configAnswer = null;
      return answer;
    },
    open: openSettings,
    // Kept only once the sender is loaded (pages with a form load it at once); false otherwise,
    // and the form then says the sign-up was not sent.
    enqueue: function (item) {
      return !!sender && sender.enqueue(item);
    },
  };

  var decision = readDecision();
  var query = lang ? "?lang=" + encodeURIComponent(lang) : "";
  // Asked at once, so that with a synchronous include the answer is usually in by the time the
  // DOM is ready.
  var policyAnswer = fetch(api + "/policy" + query, {
    mode: "cors",
    credentials: "omit",
  })
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .catch(function (e) {
      console.error("Consent widget: cannot reach " + base, e);
    });

  // Without a decision (and without GPC) the banner will be needed: its configuration is asked
  // for now too, not once the UI has loaded; the UI itself in the next task (`start`), so that
  // this one stays short on a slow phone.
  var configAnswer = null;
  var bannerNeeded = !decision && !gpc;
  if (bannerNeeded) {
    var configUrl = api + "/config" + query;
    var configResponse = fetch(configUrl, { mode: "cors", credentials: "omit" });
    configResponse.catch(ignore); // the UI reports failures (a later request tries again)
    configAnswer = { url: configUrl, response: configResponse };
  }

  /* Once the DOM is ready: the UI first if the banner will be needed (its requests go out as
   * soon as the policy says it is a consent banner: a notice-only site, or one with nothing to
   * ask, downloads no WebAssembly), the rest in the following tasks. */
  function start() {
    if (bannerNeeded)
      policyAnswer.then(function (p) {
        if (p && (p.banner_kind || "consent") == "consent") loadUi();
      });
    later(startRest);
  }

  function startRest() {
    var waiting = null;
    try {
      waiting = localStorage.getItem("consent-queue:" + site);
    } catch (e) {
      /* storage disabled: nothing can be waiting */
    }
    if (waiting || d.querySelector("[data-consent-form]")) loadSender();
    d.addEventListener("click", function (e) {
      var opener = e.target && e.target.closest && e.target.closest("[data-consent-open]");
      if (opener) {
        e.preventDefault();
        openSettings();
      }
    });
    if (d.querySelector("[data-consent-form]")) {
      withUi(function (mod) {
        mod.mount(site, base, lang || undefined);
      });
    }
    policyAnswer.then(function (p) {
        if (!p) return;
        policy = p;
        // A cookie naming a category this site does not have is no decision, nor is one made
        // under other rules (a UK decision seen from the EU; shared::basis::decision_still_applies):
        // ask again.
        if (decision && !(fits(decision) && sameRules(decision))) decision = null;
        if (decision) {
          activate(decision.c);
          showReopenButton();
          if (decision.v === p.policy_version) return;
        }
        // GPC is an objection to the exceptions too: nothing non-essential runs.
        if (!decision && gpc)
          return loadSender().then(function () {
            if (sender) sender.refuseForGpc(api, p, apply);
          });
        // Until the visitor objects, the exceptions run without waiting for a click.
        if (!decision) activate(exceptions(), true);
        var kind = p.banner_kind || "consent";
        if (kind == "none") return;
        if (kind == "notice_only") return showNotice();
        withUi(function (mod) {
          if (mod.show_banner) mod.show_banner(site, base, lang || undefined);
        });
      });
  }

  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start);
  else later(start);
})();
