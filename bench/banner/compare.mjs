// Banner comparison for `cargo xtask bench banner`: Consent's widget against
// vanilla-cookieconsent 3.1.0 and klaro 0.7.22 (npm dev dependencies), in one headless Chromium
// run. For each: bytes a first visit downloads (every resource but the HTML page, each body
// gzipped at level 9 by us, so servers' own compression does not matter), bytes a returning
// visitor downloads with an empty HTTP cache (the decision is in a cookie), time from the
// library's script request to its banner being visible, and cumulative layout shift.
// Then the same first visit with the CPU throttled 4× (CDP Emulation.setCPUThrottlingRate, a slow
// phone): time to banner, and the main-thread long tasks (> 50 ms) between navigation start and the
// banner being visible — their total blocking time and the longest — with the scripts the Long
// Animation Frames API blames for them, and those of them in which one of the library's own scripts
// ran; and how much of the time to banner went on waiting for the last response.
// CONSENT_BENCH_TRACE=1 adds one traced visit per library: its long tasks as trees of trace events,
// with thread time (which leaves out waiting for a core on a busy machine).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const consentPage = process.env.CONSENT_BENCH_PAGE; // the demo site's /about page (no form)
const RUNS = Number(process.env.CONSENT_BENCH_RUNS || 7);

const ARTICLE = '<main><h1>About the association</h1><p>' + 'Alumni news and events. '.repeat(40) + '</p></main>';
const pages = {
  '/vcc': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vanilla-cookieconsent</title>
<link rel="stylesheet" href="/lib/vanilla-cookieconsent/dist/cookieconsent.css">
<script src="/lib/vanilla-cookieconsent/dist/cookieconsent.umd.js"></script></head><body>${ARTICLE}
<script>CookieConsent.run({hideFromBots:false,categories:{necessary:{enabled:true,readOnly:true},analytics:{}},
language:{default:'en',translations:{en:{consentModal:{title:'Demo Alumni Association uses cookies',
description:'Strictly necessary cookies keep this site working; with your agreement we would also use analytics cookies.',
acceptAllBtn:'Accept all',acceptNecessaryBtn:'Reject all',showPreferencesBtn:'Choose'},
preferencesModal:{title:'Cookie choices',acceptAllBtn:'Accept all',acceptNecessaryBtn:'Reject all',savePreferencesBtn:'Save choices',
sections:[{title:'Strictly necessary',linkedCategory:'necessary'},{title:'Analytics',linkedCategory:'analytics'}]}}}}});</script></body></html>`,
  '/klaro': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>klaro</title>
<script>var klaroConfig={storageMethod:'cookie',mustConsent:false,acceptAll:true,hideDeclineAll:false,
translations:{en:{privacyPolicyUrl:'https://example.org/privacy',consentNotice:{description:'Strictly necessary cookies keep this site working; with your agreement we would also use analytics cookies.'},
purposes:{analytics:'Analytics'}}},services:[{name:'analytics',title:'Analytics',purposes:['analytics']}]};</script>
<script defer src="/lib/klaro/dist/klaro.js"></script></head><body>${ARTICLE}</body></html>`,
};

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (pages[url.pathname]) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return res.end(pages[url.pathname]);
  }
  if (url.pathname.startsWith('/lib/')) {
    const file = path.join(root, 'node_modules', url.pathname.slice(5));
    if (fs.existsSync(file)) {
      const type = file.endsWith('.css') ? 'text/css' : 'text/javascript';
      res.writeHead(200, { 'content-type': type });
      return res.end(fs.readFileSync(file));
    }
  }
  res.writeHead(404);
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const local = `http://127.0.0.1:${server.address().port}`;

const subjects = [
  // `own`: how the library's scripts' URLs end (a page's inline script is the page's URL).
  { name: 'Consent (this project)', url: consentPage, script: '/widget.js', own: ['/widget.js', '/consent_widget.js'], banner: '#consent-banner-host [data-consent-banner]' },
  { name: 'vanilla-cookieconsent 3.1.0', url: `${local}/vcc`, script: 'cookieconsent.umd.js', own: ['cookieconsent.umd.js', '/vcc'], banner: '#cc-main .cm' },
  { name: 'klaro 0.7.22', url: `${local}/klaro`, script: 'klaro.js', own: ['klaro.js', '/klaro'], banner: '.klaro .cookie-notice' },
];

// CONSENT_BENCH_SUBJECTS=consent,vanilla (first words of the names) runs only those.
const only = process.env.CONSENT_BENCH_SUBJECTS;
if (only) subjects.splice(0, subjects.length, ...subjects.filter((s) => only.split(',').includes(s.name.split(/[ -]/)[0].toLowerCase())));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Records layout shifts and the moment the banner selector first becomes visible, which it
// reports on the console: waiting with page.waitForFunction would have Playwright inject its own
// large script into the page while the library starts — a long task of the bench's, on the main
// thread, counted against whichever library it lands on.
const BANNER_SEEN = 'consent-bench: banner visible';
const observe = ([selector, BANNER_SEEN]) => {
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
  const find = (sel) => {
    // Look through open shadow roots too.
    const walk = (node) => {
      const hit = node.querySelector(sel.split(' ')[0]);
      return hit;
    };
    if (sel.startsWith('#consent-banner-host')) {
      const host = document.getElementById('consent-banner-host');
      return host && host.shadowRoot && host.shadowRoot.querySelector(sel.split(' ').slice(1).join(' '));
    }
    return document.querySelector(sel);
  };
  const tick = () => {
    const el = find(selector);
    if (el) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden') {
        window.__bannerAt = performance.now();
        console.debug(BANNER_SEEN);
        return;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.__frameScripts = [];
  try {
    new PerformanceObserver((list) => {
      for (const f of list.getEntries()) for (const s of f.scripts || [])
        window.__frameScripts.push({ start: s.startTime, duration: s.duration, source: s.sourceURL || s.invoker });
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch { /* no Long Animation Frames API */ }
};

/// Resolves when the page's observer reports the banner visible (rejects after 30 s).
function bannerSeen(page) {
  const said = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s on ${page.url()}; the console said:\n${said.join('\n')}`)), 30000);
    page.on('pageerror', (e) => said.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => said.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
    page.on('console', (m) => {
      if (m.text() !== BANNER_SEEN) said.push(`${m.type()}: ${m.text()}`);
      if (m.text() === BANNER_SEEN) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function visit(subject, cookies, cpuSlowdown) {
  const context = await browser.newContext();
  if (cookies) await context.addCookies(cookies);
  const page = await context.newPage();
  if (cpuSlowdown) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
  }
  const bodies = [];
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'document') return;
    try {
      const body = await r.body();
      bodies.push({ url: r.url(), raw: body.length, gz: zlib.gzipSync(body, { level: 9 }).length });
    } catch { /* redirects and aborted requests have no body */ }
  });
  await page.addInitScript(observe, [subject.banner, BANNER_SEEN]);
  const seen = cookies ? null : bannerSeen(page);
  await page.goto(subject.url);
  let bannerMs = null;
  let navBannerMs = null;
  let netMs = null;
  if (!cookies) {
    await seen;
    bannerMs = await page.evaluate((script) => {
      const entry = performance.getEntriesByType('resource').find((e) => e.name.includes(script));
      return window.__bannerAt - (entry ? entry.startTime : 0);
    }, subject.script);
    navBannerMs = await page.evaluate(() => window.__bannerAt);
    // The last response the banner waited for (any request that ended before it showed), from the
    // script's request: what of the time to banner was the network and the servers.
    netMs = await page.evaluate((script) => {
      const all = performance.getEntriesByType('resource');
      const start = (all.find((e) => e.name.includes(script)) || { startTime: 0 }).startTime;
      const done = all.filter((e) => e.responseEnd <= window.__bannerAt).reduce((n, e) => Math.max(n, e.responseEnd), start);
      return done - start;
    }, subject.script);
  }
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
  const cls = await page.evaluate(() => window.__cls);
  // Long tasks that began before the banner was visible (performance.now() is from navigation start).
  const { longTasks, frameScripts } = await page.evaluate(() => ({
    longTasks: window.__longTasks.filter((t) => t.start < window.__bannerAt),
    frameScripts: window.__frameScripts.filter((s) => s.start < window.__bannerAt),
  }));
  const state = await context.cookies();
  await context.close();
  const tbt = longTasks.reduce((n, t) => n + Math.max(0, t.duration - 50), 0);
  const longest = longTasks.reduce((n, t) => Math.max(n, t.duration), 0);
  // The library's own: long tasks in which one of its scripts ran (Long Animation Frames).
  const mine = (source) => subject.own.some((name) => (source || '').split('?')[0].endsWith(name));
  const ownTasks = longTasks.filter((t) => frameScripts.some((f) => mine(f.source) && f.start >= t.start - 1 && f.start < t.start + t.duration));
  const ownTbt = ownTasks.reduce((n, t) => n + Math.max(0, t.duration - 50), 0);
  const ownLongest = ownTasks.reduce((n, t) => Math.max(n, t.duration), 0);
  return { bodies, bannerMs, navBannerMs, netMs, cls, cookies: state, longTasks, frameScripts, tbt, longest, ownTasks, ownTbt, ownLongest };
}

/// A returning visitor's cookie: accept on a first visit, keep the cookies it set.
async function decidedCookies(subject) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(subject.url);
  const accept = {
    'Consent (this project)': '#consent-banner-host button[data-consent-action="accept"]',
    'vanilla-cookieconsent 3.1.0': '#cc-main .cm button[data-role="all"]',
    'klaro 0.7.22': '.klaro .cookie-notice .cm-btn-success',
  }[subject.name];
  await page.locator(accept).first().click();
  await page.waitForTimeout(500);
  const cookies = await context.cookies();
  await context.close();
  return cookies;
}

/// For finding out what the long tasks are (`CONSENT_BENCH_TRACE=1`): one more throttled first
/// visit under a Chromium trace, then every main-thread task over 30 ms before the banner, as a tree
/// of what ran in it (trace events of 1 ms or more), times in throttled ms from navigation start.
async function traceVisit(subject, cpuSlowdown) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
  await page.addInitScript(observe, [subject.banner, BANNER_SEEN]);
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink.user_timing', 'loading', 'toplevel', 'disabled-by-default-v8.compile', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed'],
  });
  const seen = bannerSeen(page);
  await page.goto(subject.url);
  await seen;
  const bannerAt = await page.evaluate(() => window.__bannerAt);
  await page.waitForTimeout(300);
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString());
  await context.close();
  const label = (e) => {
    const d = (e.args && (e.args.data || e.args.beginData)) || {};
    const url = d.url || (d.stackTrace && d.stackTrace[0] && d.stackTrace[0].url) || '';
    const extra = [d.functionName, url.split('?')[0].split('/').pop(), d.type].filter(Boolean).join(' ');
    return extra ? `${e.name} [${extra}]` : e.name;
  };
  // The page's main thread: the renderer thread that ran the library's script.
  const hit = traceEvents.find((e) => e.name === 'EvaluateScript' && JSON.stringify(e.args || {}).includes(subject.script))
    || traceEvents.find((e) => JSON.stringify(e.args || {}).includes(subject.script) && e.ph === 'X');
  if (!hit) return console.log(`trace ${subject.name}: no event names ${subject.script}`);
  const mine = traceEvents.filter((e) => e.pid === hit.pid && e.tid === hit.tid);
  const nav = traceEvents.find((e) => e.name === 'navigationStart' && e.pid === hit.pid);
  const t0 = nav ? nav.ts : Math.min(...mine.map((e) => e.ts));
  // Complete events, with B/E pairs joined.
  const spans = [];
  const open = [];
  for (const e of mine.sort((a, b) => a.ts - b.ts)) {
    if (e.ph === 'X' && e.dur !== undefined) spans.push({ ts: e.ts, end: e.ts + e.dur, cpu: e.tdur, label: label(e) });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b) spans.push({ ts: b.ts, end: e.ts, cpu: b.tts !== undefined && e.tts !== undefined ? e.tts - b.tts : undefined, label: label(b) });
    }
  }
  spans.sort((a, b) => a.ts - b.ts || b.end - a.end);
  const roots = [];
  const stack = [];
  for (const s of spans) {
    s.kids = [];
    while (stack.length && stack[stack.length - 1].end <= s.ts) stack.pop();
    (stack.length ? stack[stack.length - 1].kids : roots).push(s);
    stack.push(s);
  }
  const ms = (us) => (us / 1000).toFixed(1);
  console.log(`\ntrace ${subject.name}, CPU ${cpuSlowdown}×: banner visible at ${bannerAt.toFixed(0)} ms; tasks over 30 ms before it:`);
  const print = (s, depth) => {
    if (s.end - s.ts < 1000 || depth > 7) return;
    console.log(`${'  '.repeat(depth + 1)}${ms(s.end - s.ts)} ms${s.cpu !== undefined ? ` (cpu ${ms(s.cpu)})` : ''} @${ms(s.ts - t0)} ${s.label}`);
    for (const k of s.kids) print(k, depth + 1);
  };
  for (const r of roots) if (r.end - r.ts > 30000 && (r.ts - t0) / 1000 < bannerAt) print(r, 0);
  // The main thread's time per task on its thread clock ("cpu"), which leaves out the time the
  // thread waited for a core while other processes ran (a busy machine), but not the throttling
  // (Chromium's throttler keeps the thread busy): each task as an idle machine would run it.
  const heavy = spans.filter((r) => r.label === 'ThreadControllerImpl::RunTask' && r.cpu > 20000 && (r.ts - t0) / 1000 < bannerAt);
  console.log(`  tasks over 20 ms of thread time before the banner: ${heavy.map((r) => `@${ms(r.ts - t0)} ${ms(r.cpu)} ms (wall ${ms(r.end - r.ts)}): ${r.kids.map((k) => k.label).slice(0, 3).join(', ')}`).join('; ') || 'none'}`);
  // Every script evaluation, compile and wasm step, whatever its length.
  console.log('  all script/wasm events on the main thread before the banner:');
  for (const s of spans) if ((s.ts - t0) / 1000 < bannerAt && /Evaluate|Compile|compile|wasm|Wasm|FunctionCall|ParseHTML|Layout|UpdateLayoutTree|Paint|v8.run|ScriptStreamer/.test(s.label) && s.end - s.ts >= 500)
    console.log(`    @${ms(s.ts - t0)} ${ms(s.end - s.ts)} ms ${s.label}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (bytes) => (bytes / 1024).toFixed(1);
console.log('\n| library | first visit gzip KB (requests) | returning visit gzip KB (requests) | wasm on return | script → banner ms (median of ' + RUNS + ') | CLS |');
console.log('|---|---:|---:|---|---:|---:|');
// CONSENT_BENCH_THROTTLED_ONLY=1 skips this table (for profiling).
if (!process.env.CONSENT_BENCH_THROTTLED_ONLY) for (const subject of subjects) {
  const first = [];
  for (let i = 0; i < RUNS; i++) first.push(await visit(subject));
  const returning = await visit(subject, await decidedCookies(subject));
  const f = first[0].bodies;
  const sum = (bs) => bs.reduce((n, b) => n + b.gz, 0);
  console.log(`| ${subject.name} | ${kb(sum(f))} (${f.length}) | ${kb(sum(returning.bodies))} (${returning.bodies.length}) | ${returning.bodies.some((b) => b.url.endsWith('.wasm')) ? 'yes' : 'no'} | ${median(first.map((r) => r.bannerMs)).toFixed(0)} | ${Math.max(...first.map((r) => r.cls)).toFixed(3)} |`);
  if (process.env.CONSENT_BENCH_VERBOSE) for (const b of f) console.log(`    ${b.url} raw ${b.raw} gz ${b.gz}`);
}

// The same first visit on a slow phone: CPU throttled 4×.
const SLOWDOWN = 4;
console.log(`\nCPU throttled ${SLOWDOWN}× (CDP Emulation.setCPUThrottlingRate), first visit, median of ${RUNS}:`);
console.log('\n| library | script → banner ms (of which until the last response) | navigation → banner ms | TBT to banner ms | longest task ms | long tasks | long-frame scripts (longest ms) | the library\'s own long tasks: TBT ms, longest ms, count per run |');
console.log('|---|---:|---:|---:|---:|---:|---|---|');
const throttled = {};
for (const subject of subjects) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await visit(subject, null, SLOWDOWN));
  throttled[subject.name] = runs;
  const sources = new Map();
  for (const r of runs) for (const s of r.frameScripts) {
    const name = (s.source || '?').split('?')[0].split('/').pop() || s.source;
    sources.set(name, Math.max(sources.get(name) || 0, s.duration));
  }
  const blame = [...sources].sort((a, b) => b[1] - a[1]).map(([n, d]) => `${n} (${d.toFixed(0)})`).join(', ') || '—';
  console.log(`| ${subject.name} | ${median(runs.map((r) => r.bannerMs)).toFixed(0)} (${median(runs.map((r) => r.netMs)).toFixed(0)}) | ${median(runs.map((r) => r.navBannerMs)).toFixed(0)} | ${median(runs.map((r) => r.tbt)).toFixed(0)} (max ${Math.max(...runs.map((r) => r.tbt)).toFixed(0)}) | ${median(runs.map((r) => r.longest)).toFixed(0)} (max ${Math.max(...runs.map((r) => r.longest)).toFixed(0)}) | ${runs.map((r) => r.longTasks.length).join(' ')} | ${blame} | ${median(runs.map((r) => r.ownTbt)).toFixed(0)} (max ${Math.max(...runs.map((r) => r.ownTbt)).toFixed(0)}), ${median(runs.map((r) => r.ownLongest)).toFixed(0)} (max ${Math.max(...runs.map((r) => r.ownLongest)).toFixed(0)}), ${runs.map((r) => r.ownTasks.length).join(' ')} |`);
  if (process.env.CONSENT_BENCH_VERBOSE) for (const r of runs) console.log(`    long tasks ${JSON.stringify(r.longTasks.map((t) => [Math.round(t.start), Math.round(t.duration)]))}; long-frame scripts ${JSON.stringify(r.frameScripts.map((f) => [Math.round(f.start), Math.round(f.duration), (f.source || '').split('/').pop()]))}`);
}
if (process.env.CONSENT_BENCH_TRACE) for (const subject of subjects) await traceVisit(subject, SLOWDOWN);
if (throttled[subjects[0].name] && subjects[1] && throttled[subjects[1].name]) {
const ratio = (key) => median(throttled[subjects[0].name].map((r) => r[key])) / median(throttled[subjects[1].name].map((r) => r[key]));
console.log(`\nThrottled ${SLOWDOWN}×: Consent / vanilla-cookieconsent time to banner = ${ratio('bannerMs').toFixed(2)}× (script → banner), ${ratio('navBannerMs').toFixed(2)}× (navigation → banner); target ≤ 1.0×, and TBT 0.`);
}
await browser.close();
server.close();
