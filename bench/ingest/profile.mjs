// A CPU profile of a worker running in `wrangler dev`, through its inspector (Chrome DevTools
// Protocol): `node bench/ingest/profile.mjs <inspector port> <seconds> <out.cpuprofile>`.
// Samples for <seconds>, writes the profile (open it in Chrome DevTools) and prints the functions
// with the most self time, so `cargo xtask bench ingest` can say where a request's CPU goes.
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

const [port, seconds, out] = process.argv.slice(2);
const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
const target = targets.find((t) => t.webSocketDebuggerUrl);
if (!target) throw new Error(`no inspector target on port ${port}`);
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
let nextId = 1;
const pending = new Map();
ws.on('message', (data) => {
  const msg = JSON.parse(data.toString());
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});
const send = (method, params = {}) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, (msg) => (msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result)));
    ws.send(JSON.stringify({ id, method, params }));
  });

await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 100 });
await send('Profiler.start');
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
const { profile } = await send('Profiler.stop');
ws.close();
writeFileSync(out, JSON.stringify(profile));

// Self time per function (samples × interval), and the share of sampled time that was idle.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
const total = profile.samples.length;
const perFunction = new Map();
for (const [id, count] of selfSamples) {
  const f = byId.get(id).callFrame;
  const name = `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').pop() : ''}`.trim();
  perFunction.set(name, (perFunction.get(name) ?? 0) + count);
}
const ms = (n) => ((n / total) * (profile.endTime - profile.startTime)) / 1000;
const idle = perFunction.get('(idle)') ?? 0;
console.log(`\nCPU profile: ${total} samples over ${(ms(total) / 1000).toFixed(1)} s, ${(100 * (1 - idle / total)).toFixed(1)}% not idle; written to ${out}`);
console.log('\n| function (self time) | ms | % of busy |\n|---|---:|---:|');
const busy = total - idle;
[...perFunction.entries()]
  .filter(([name]) => name !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, 40)
  .forEach(([name, n]) => console.log(`| ${name.replaceAll('|', '\\|')} | ${ms(n).toFixed(0)} | ${((100 * n) / busy).toFixed(1)} |`));

// Busy time by stage: a sample counts for the stage of the innermost frame of its stack that
// names one (a D1 call made while building the append counts as D1, an HMAC as the plan). Async
// continuations start from the runtime's microtask queue, so work after an await counts for what
// it runs, not for who awaited.
const stages = [
  ['sealing after the response (chain head, pending rows, links)', ['seal_store', 'seal_chain', 'append_links', 'unsealed_events']],
  ['rate limits (2 counters)', ['rate_limit', 'ratelimit', 'over_limit', 'BindingLimiter']],
  ['parse + validate the submission', ['json_body', 'validate_submission', 'serde_json::de', 'Email::parse', 'browser_context']],
  ['plan + marks + receipt (HMACs, ids)', ['append_for_subject', 'plan_events', 'hmac_sha256', 'subject_id', 'Uuid']],
  ['append batch (statements built, D1 call)', ['record_submission', 'D1Executor']],
  ['D1 client (JS, any caller)', ['d1-api']],
  ['request in (headers, URL, body)', ['arrayBuffer', 'Headers', 'Url', 'url::', 'gen_Request', 'read_whole', 'read_capped', 'wasm_streams', 'ReadableStream', 'getReader', 'stream::next']],
  ['response out', ['to_worker', 'Response', 'IntoResponse']],
  ['handler (routing, site cache, CORS)', ['App<S>::handle', 'with_site', 'allowed_origin', 'consents::submit', 'cached_site']],
  // Most of the handler's Rust code is inlined into the request future's poll, so it lands here.
  ['async runtime + handler code inlined into the request future', ['js_sys::futures', 'queueMicrotask', 'JsFuture', 'wasm_bindgen::closure']],
  ['garbage collector', ['(garbage collector)']],
  ['(program) — runtime outside JS', ['(program)']],
];
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const stageCount = new Map();
for (const id of profile.samples) {
  const frames = [];
  for (let q = id; q; q = parentOf.get(q)) {
    const f = byId.get(q).callFrame;
    frames.push(`${f.functionName} ${f.url}`);
  }
  if (frames[0].startsWith('(idle)')) continue;
  let stage;
  for (const f of frames) {
    stage = stages.find(([, pats]) => pats.some((p) => f.includes(p)));
    if (stage) break;
  }
  const name = stage ? stage[0] : 'other';
  stageCount.set(name, (stageCount.get(name) ?? 0) + 1);
}
console.log('\n| stage (busy time of the worker isolate) | % |\n|---|---:|');
for (const [name] of [...stages, ['other']]) {
  const n = stageCount.get(name) ?? 0;
  console.log(`| ${name} | ${((100 * n) / busy).toFixed(1)} |`);
}
