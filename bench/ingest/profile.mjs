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
