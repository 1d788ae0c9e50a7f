// What only some page views need, imported on demand by `loader/widget.js` (bundled by
// `cargo xtask build` as `widget/consent_sender.js`), so a returning visit without a form
// downloads none of it: the offline queue of sign-ups the form could not deliver, and recording
// a Global Privacy Control refusal.
//
// The queue (localStorage `consent-queue:<site>`, entries `{ key, body, t }`) resends each
// sign-up under its original Idempotency-Key, so it is recorded once however often it is sent.
// It keeps nothing after delivery, gives up on answers that will never change, posts only to
// the site's own consents URL on the worker the loader came from (an entry names no URL; one
// that does is not believed), and drops what has waited a week.

var MAX_QUEUED = 20;
// A sign-up a week old is no longer what the person meant to send now, and their email address
// should not stay on the device longer than that.
var MAX_AGE = 7 * 24 * 3600 * 1000;
// A GPC refusal is retried after 2, 10 and 30 s.
var WAITS = [2000, 10000, 30000];

var storageKey = null;
var consentsUrl = null;
var flushing = false;

/** A fresh UUID v4 (the Idempotency-Key and consent id of a GPC refusal). */
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

/** Whether an answer that is not a success may succeed later: none at all (offline), 408, 429
 * or a server error — but not a 503 `unavailable`, which a double opt-in site without mail
 * gives every time. */
export function transient(status, code) {
  return !status || status == 408 || status == 429 || (status >= 500 && code != "unavailable");
}

/** A POST's headers: JSON, its Idempotency-Key and, on the console's live preview only (the
 * loader's `preview`), the preview's credential, so that the worker checks and records nothing. */
function headers(key) {
  var h = { "Content-Type": "application/json", "Idempotency-Key": key };
  var l = window.ConsentWidget;
  if (l && l.preview) h["Consent-Preview"] = l.preview;
  return h;
}

/** POSTs `body` under `key`; resolves to `{ ok, status, body }` (`status` 0 without an answer,
 * `body` the parsed JSON or null). */
function post(url, key, body, keepalive) {
  return fetch(url, {
    method: "POST",
    mode: "cors",
    credentials: "omit",
    keepalive: !!keepalive,
    headers: headers(key),
    body: body,
  }).then(
    function (r) {
      return r.json().then(
        function (json) {
          return { ok: r.ok, status: r.status, body: json };
        },
        function () {
          return { ok: r.ok, status: r.status, body: null };
        }
      );
    },
    function () {
      return { ok: false, status: 0, body: null };
    }
  );
}

function errorCode(answer) {
  var e = answer.body && answer.body.error;
  return e && e.code;
}

/** The waiting sign-ups: well-formed and younger than a week; anything else is dropped. */
function read() {
  try {
    var q = JSON.parse(localStorage.getItem(storageKey) || "[]");
    return q instanceof Array
      ? q.filter(function (x) {
          return x && typeof x.key == "string" && typeof x.body == "string" && Date.now() - x.t < MAX_AGE;
        })
      : [];
  } catch (e) {
    return [];
  }
}

/** Stores `q` as entries `{ key, body, t }` only (an older loader also kept a URL: not kept);
 * an empty queue leaves nothing behind. */
function write(q) {
  try {
    if (q.length)
      localStorage.setItem(
        storageKey,
        JSON.stringify(
          q.map(function (x) {
            return { key: x.key, body: x.body, t: x.t };
          })
        )
      );
    else localStorage.removeItem(storageKey);
    return true;
  } catch (e) {
    return false; // storage disabled or full: the form will say the send failed
  }
}

function drop(key) {
  write(
    read().filter(function (x) {
      return x.key !== key;
    })
  );
}

/** Starts the queue for `site` whose API is `api` (`{worker}/api/v1/sites/{site}`): drops
 * expired and malformed entries, sends what is left, and again when the browser is back online. */
export function start(site, api) {
  storageKey = "consent-queue:" + site;
  consentsUrl = api + "/consents";
  write(read());
  window.addEventListener("online", flush);
  flush();
}

/** Keeps an undelivered sign-up `{ url, key, body }` to resend; false when it is not for this
 * site's consents URL or cannot be stored. */
export function enqueue(item) {
  if (!consentsUrl || !item || item.url !== consentsUrl || typeof item.key != "string" || typeof item.body != "string")
    return false;
  var q = read().filter(function (x) {
    return x.key !== item.key;
  });
  q.push({ key: item.key, body: item.body, t: Date.now() });
  var kept = write(q.slice(-MAX_QUEUED));
  if (kept) setTimeout(flush, 10000);
  return kept;
}

function flush() {
  var q = read();
  if (flushing || !q.length || navigator.onLine === false) return;
  flushing = true;
  var item = q[0];
  post(consentsUrl, item.key, item.body).then(function (a) {
    flushing = false;
    if (!a.ok && transient(a.status, errorCode(a))) return setTimeout(flush, 30000);
    // Delivered, or refused for good: either way nothing of it stays on the device.
    drop(item.key);
    if (a.ok) {
      var pending = ((a.body && a.body.events) || []).some(function (e) {
        return e.action == "pending";
      });
      var detail = { key: item.key, recorded_at: a.body && a.body.recorded_at, pending: pending };
      window.dispatchEvent(new CustomEvent("consent-delivered", { detail: detail }));
    } else {
      console.error("Consent widget: a saved sign-up was refused (HTTP " + a.status + ") and removed.", a.body);
    }
    flush();
  });
}

/** Records a Global Privacy Control refusal: `apply` (the loader's) writes the cookie, and the
 * record is posted under one Idempotency-Key, the same on each retry, so it is stored once. */
export function refuseForGpc(api, policy, apply) {
  var decision = { v: policy.policy_version, id: uuid(), c: [], ch: "gpc_signal" };
  apply(decision);
  if (!policy.banner_sha256) return;
  var body = JSON.stringify({
    consent_id: decision.id,
    categories: [],
    choice: "gpc_signal",
    policy_version: policy.policy_version,
    wording_sha256: policy.banner_sha256,
    reject_on_first_layer: false,
    gpc: true,
    client_time: new Date().toISOString(),
  });
  var key = uuid();
  var waits = WAITS.slice();
  (function attempt() {
    post(api + "/cookie-consents", key, body, true).then(function (a) {
      if (a.ok) return;
      if (transient(a.status, errorCode(a)) && waits.length) return setTimeout(attempt, waits.shift());
      console.error("Consent widget: GPC refusal not recorded (HTTP " + a.status + ").", a.body);
    });
  })();
}
