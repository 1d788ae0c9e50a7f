// The compact cookie notice, imported by `loader/widget.js` (bundled by `cargo xtask build` as
// `widget/consent_notice.js`) only for a site whose optional categories all run without consent
// for this visitor (UK statistics and appearance cookies, PECR Schedule A1: `banner_kind:
// notice_only`). It is not a consent banner: it says, in the site's words, what runs and offers
// "Turn off" as prominently as "OK". Turning off is an objection, recorded like any cookie
// decision (choice `object`); "OK" only keeps the notice from coming back. No WebAssembly.

// English and Welsh, as the rest of the widget (widget/src/i18n.rs holds the banner's).
var TEXT = {
  en: {
    region: "Cookie notice",
    runs: "We use these without asking, because the law allows it, unless you turn them off:",
    ok: "OK",
    off: "Turn off",
    policy: "Cookie policy",
  },
  cy: {
    region: "Hysbysiad cwcis",
    runs: "Rydym yn defnyddio'r rhain heb ofyn, gan fod y gyfraith yn caniatáu hynny, oni bai eich bod yn eu diffodd:",
    ok: "Iawn",
    off: "Diffodd",
    policy: "Polisi cwcis",
  },
};

function uuid() {
  var c = window.crypto;
  if (c.randomUUID) return c.randomUUID();
  var b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  var h = "";
  for (var i = 0; i < 16; i++) h += (i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "") + (b[i] | 256).toString(16).slice(1);
  return h;
}

/** A POST's headers: JSON, its Idempotency-Key and, on the console's live preview only (the
 * loader's `preview`), the preview's credential, so that the worker checks and records nothing. */
function headers(key) {
  var h = { "Content-Type": "application/json", "Idempotency-Key": key };
  var l = window.ConsentWidget;
  if (l && l.preview) h["Consent-Preview"] = l.preview;
  return h;
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return "&#" + c.charCodeAt(0) + ";";
  });
}

var STYLE =
  "section{position:fixed;left:12px;right:12px;bottom:12px;max-width:40rem;z-index:2147483000;font:15px/1.45 system-ui,sans-serif;" +
  "background:#fff;color:#1a1a1a;border:1px solid #555;border-radius:8px;padding:12px 16px;box-shadow:0 2px 12px #0004}" +
  "p,ul{margin:0 0 8px}a{color:#1a4f9c}" +
  "button{font:inherit;font-weight:600;min-width:7rem;padding:8px 14px;margin:4px 8px 0 0;border:2px solid #1a4f9c;border-radius:6px;background:#1a4f9c;color:#fff;cursor:pointer}" +
  "button:focus-visible,a:focus-visible{outline:3px solid #b35900;outline-offset:2px}" +
  "@media (prefers-color-scheme:dark){section{background:#1e1e1e;color:#eee;border-color:#aaa}a{color:#9cc4ff}" +
  "button{background:#9cc4ff;border-color:#9cc4ff;color:#111}button:focus-visible,a:focus-visible{outline-color:#ffb86b}}";

/** Shows the notice. `o`: { api, lang, policy, runs (category keys that run), configUrl,
 * takeConfig (the loader's: the configuration it already asked for), apply (the loader's) }. */
export function show(o) {
  var answer = o.takeConfig(o.configUrl) || fetch(o.configUrl, { mode: "cors", credentials: "omit" });
  answer
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(function (config) {
      draw(o, config);
    })
    .catch(function (e) {
      console.error("Consent widget: cannot load the cookie notice.", e);
    });
}

function draw(o, config) {
  if (document.getElementById("consent-notice") || !document.body) return;
  var t = /^cy\b/.test(config.lang || o.lang) ? TEXT.cy : TEXT.en;
  var items = (config.cookie_categories || [])
    .filter(function (c) {
      return o.runs.indexOf(c.key) >= 0;
    })
    .map(function (c) {
      return "<li><strong>" + esc(c.label) + "</strong>: " + esc(c.description) + "</li>";
    })
    .join("");
  var host = document.createElement("div");
  host.id = "consent-notice";
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" + STYLE + "</style>" +
    '<section role="region" aria-label="' + t.region + '" lang="' + (t === TEXT.cy ? "cy" : "en") + '">' +
    (config.banner ? "<p>" + esc(config.banner.text) + "</p>" : "") +
    "<p>" + t.runs + "</p><ul>" + items + "</ul>" +
    '<p><a href="' + esc(o.policy.cookie_policy_url) + '" target="_blank" rel="noopener">' + t.policy + "</a></p>" +
    '<button type="button" data-notice-ok>' + t.ok + '</button><button type="button" data-notice-off>' + t.off + "</button>" +
    "</section>";
  root.querySelector("[data-notice-ok]").addEventListener("click", function () {
    // Not a decision to record: the exceptions keep running; the notice does not come back.
    host.remove();
    o.apply({ v: o.policy.policy_version, id: uuid(), c: o.runs, ch: "notice" });
  });
  root.querySelector("[data-notice-off]").addEventListener("click", function () {
    host.remove();
    var id = uuid();
    o.apply({ v: o.policy.policy_version, id: id, c: [], ch: "object" });
    if (!config.banner) return;
    fetch(o.api + "/cookie-consents", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      keepalive: true,
      headers: headers(uuid()),
      body: JSON.stringify({
        consent_id: id,
        categories: [],
        choice: "object",
        policy_version: o.policy.policy_version,
        wording_sha256: config.banner.sha256,
        reject_on_first_layer: true,
        gpc: false,
        client_time: new Date().toISOString(),
      }),
    }).then(
      function (r) {
        if (!r.ok) console.error("Consent widget: the objection was not recorded (HTTP " + r.status + ").");
      },
      function (e) {
        console.error("Consent widget: the objection was not recorded.", e);
      }
    );
  });
  document.body.appendChild(host);
}
