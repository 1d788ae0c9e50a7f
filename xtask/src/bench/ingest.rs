//! Ingestion through the real runtime: `POST …/consents` on the Consent worker versus a baseline
//! worker doing one bare D1 insert per request, both in `wrangler dev` on local D1, measured in
//! the same run. The load is bounded in time and count and stays on 127.0.0.1.
//!
//! Besides rate and latency it reports the CPU each side's processes spent per request (from
//! /proc: wrangler's node, its proxy workerd, and the workerd that runs the worker and its local
//! D1), which is what decides throughput on a machine whose cores are all busy, and is far less
//! noisy there than wall-clock rates. `CONSENT_BENCH_PROFILE=1` also takes a CPU profile of the
//! Consent worker through its inspector during the first measured round
//! (`bench/ingest/profile.mjs`) and prints the functions with the most self time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use consent_tests::bench_config::bench_d1;
use consent_tests::secrets::worker_secrets;
use consent_tests::wrangler::{processes_named, LocalD1, WorkerBuild, WranglerDev};
use consent_tests::{free_port, repo_root};

use crate::{run as run_cmd, Result};

/// Clients in flight at once (`CONSENT_BENCH_CONCURRENCY` overrides).
fn concurrency() -> usize {
    std::env::var("CONSENT_BENCH_CONCURRENCY").ok().and_then(|c| c.parse().ok()).unwrap_or(8)
}
const ROUND: Duration = Duration::from_secs(10);
const WARM_UP: Duration = Duration::from_secs(5);
const MAX_REQUESTS_PER_ROUND: usize = 20_000;
/// Measured rounds (`CONSENT_BENCH_ROUNDS` overrides): each one bare, then Consent.
fn rounds() -> usize {
    std::env::var("CONSENT_BENCH_ROUNDS").ok().and_then(|c| c.parse().ok()).unwrap_or(3)
}

pub struct LoadResult {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// CPU milliseconds per acknowledged request: (wrangler's node, proxy workerd, runtime workerd).
    pub cpu_ms: Option<CpuPerRequest>,
}

/// CPU per request of a `wrangler dev`'s processes, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct CpuPerRequest {
    pub node: f64,
    pub proxy: f64,
    pub runtime: f64,
}

impl CpuPerRequest {
    fn total(&self) -> f64 {
        self.node + self.proxy + self.runtime
    }
}

/// CPU ticks (utime + stime, 1/100 s) so far of the wrangler process group's node processes, its
/// proxy workerd and its runtime workerd.
fn cpu_ticks(dev: &WranglerDev) -> [u64; 3] {
    let ticks = |pid: i32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let Some((_, tail)) = stat.rsplit_once(')') else { return 0 };
        let fields: Vec<&str> = tail.split_whitespace().collect();
        // After "(comm)": state is field 0, utime field 11, stime field 12.
        fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
            + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
    };
    let runtime = dev.runtime_pids();
    let workerd = processes_named(dev.process_group(), "workerd");
    let node: u64 = processes_named(dev.process_group(), "node").into_iter().map(ticks).sum();
    let proxy: u64 = workerd.iter().filter(|p| !runtime.contains(p)).map(|&p| ticks(p)).sum();
    let runtime: u64 = runtime.into_iter().map(ticks).sum();
    [node, proxy, runtime]
}

/// `load`, with the CPU `dev`'s processes spent on it.
fn measured(dev: &WranglerDev, url: &str, tag: &str) -> Result<LoadResult> {
    let before = cpu_ticks(dev);
    let mut result = load(url, ROUND, tag)?;
    let after = cpu_ticks(dev);
    let per = |i: usize| (after[i] - before[i]) as f64 * 10.0 / result.requests.max(1) as f64;
    result.cpu_ms = Some(CpuPerRequest { node: per(0), proxy: per(1), runtime: per(2) });
    Ok(result)
}

impl LoadResult {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

pub fn run() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("consent-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // The release build, as deployed, with the rate limits raised (not off) so that the load
    // fits under them: consent_tests::bench_config.
    let real_d1 = bench_d1(dir.join("real"))?;
    real_d1.migrate()?;
    real_d1.execute_file(&repo_root().join("worker/seed/demo.sql"))?;
    let real_port = free_port();
    let real_origin = format!("http://127.0.0.1:{real_port}");
    let mut vars: Vec<(&str, &str)> = worker_secrets();
    vars.push(("PUBLIC_ORIGIN", &real_origin));
    let real = WranglerDev::start_build(&real_d1, real_port, &vars, WorkerBuild::Release)?;
    let bare_d1 = LocalD1::with_config(dir.join("bare"), repo_root().join("bench/bare-insert/wrangler.toml"));
    bare_d1.migrate()?;
    let bare = WranglerDev::start(&bare_d1, free_port(), &[])?;

    let real_url = format!("{}/api/v1/sites/demo/consents", real.origin());
    let bare_url = format!("{}/insert", bare.origin());
    // Warm both isolates and D1 files before measuring. After a 2 s warm-up the Consent
    // worker's first round was often its slowest, with its worst p99 (probably its 1.4 MB of
    // wasm still being compiled by the optimising tier); both sides get the same longer one.
    load(&real_url, WARM_UP, "warm")?;
    load(&bare_url, WARM_UP, "warm")?;
    let profile = std::env::var("CONSENT_BENCH_PROFILE").is_ok_and(|v| v == "1");
    let mut rows = Vec::new();
    let mut ratios = Vec::new();
    let mut totals = Vec::new();
    for round in 1..=rounds() {
        let b = measured(&bare, &bare_url, &format!("bare{round}"))?;
        let profiler = (profile && round == 1).then(|| profile_during_round(&real));
        let r = measured(&real, &real_url, &format!("real{round}"))?;
        if let Some(profiler) = profiler {
            profiler.join().map_err(|_| "profiler thread panicked".to_string())??;
        }
        for (name, x) in [("bare D1 insert (JS)", &b), ("Consent POST /consents", &r)] {
            let cpu = x.cpu_ms.map_or(String::new(), |c| {
                format!("{:.2} | {:.2} | {:.2} | {:.2}", c.total(), c.node, c.proxy, c.runtime)
            });
            rows.push(format!(
                "| {round} | {name} | {} | {} | {:.0} | {:.1} | {:.1} | {cpu} |",
                x.requests,
                x.errors,
                x.rps(),
                x.p50_ms,
                x.p99_ms
            ));
        }
        ratios.push((r.rps() / b.rps(), r.p99_ms / b.p99_ms));
        totals.push((b, r));
    }
    println!(
        "\n| round | worker | requests | errors | req/s | p50 ms | p99 ms | CPU ms/req | node | proxy workerd | runtime workerd |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for row in rows {
        println!("{row}");
    }
    let ratio_text: Vec<String> = ratios.iter().map(|(r, _)| format!("{r:.2}×")).collect();
    let p99_text: Vec<String> = ratios.iter().map(|(_, p)| format!("{p:.2}×")).collect();
    println!(
        "\nConsent / bare-insert throughput per round: {} (target ≥ 0.80×); p99: {} (target ≤ 1.5×)",
        ratio_text.join(", "),
        p99_text.join(", ")
    );
    // Over all rounds: the machine's other load comes and goes within a round, so the sums say
    // more than any single round.
    let sum = |pick: &dyn Fn(&(LoadResult, LoadResult)) -> &LoadResult| {
        let requests: usize = totals.iter().map(|t| pick(t).requests).sum();
        let secs: f64 = totals.iter().map(|t| pick(t).elapsed.as_secs_f64()).sum();
        let cpu: f64 =
            totals.iter().map(|t| pick(t).cpu_ms.map_or(0.0, |c| c.total()) * pick(t).requests as f64).sum();
        (requests as f64 / secs, cpu / requests.max(1) as f64)
    };
    let (bare_rps, bare_cpu) = sum(&|t| &t.0);
    let (real_rps, real_cpu) = sum(&|t| &t.1);
    println!(
        "All rounds: bare {bare_rps:.0} req/s, Consent {real_rps:.0} req/s: {:.2}×; CPU per request \
         {bare_cpu:.2} ms vs {real_cpu:.2} ms: bare / Consent = {:.2}×",
        real_rps / bare_rps,
        bare_cpu / real_cpu
    );
    drop(real);
    drop(bare);
    // `CONSENT_BENCH_KEEP=1` keeps the databases and wrangler logs for a look afterwards.
    if std::env::var("CONSENT_BENCH_KEEP").is_ok_and(|v| v == "1") {
        println!("kept: {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// Runs the CPU profiler against `dev`'s inspector for most of a round, in the background.
fn profile_during_round(dev: &WranglerDev) -> thread::JoinHandle<Result<()>> {
    let port = dev.inspector_port.to_string();
    let out = std::env::temp_dir().join(format!("consent-ingest-{}.cpuprofile", std::process::id()));
    let secs = (ROUND.as_secs() - 2).to_string();
    thread::spawn(move || {
        run_cmd(
            std::process::Command::new("node")
                .arg(repo_root().join("bench/ingest/profile.mjs"))
                .args([&port, &secs])
                .arg(&out)
                .current_dir(repo_root()),
        )
    })
}

/// `concurrency()` threads POSTing distinct consents to `url` until `duration` or the cap.
pub fn load(url: &str, duration: Duration, tag: &str) -> Result<LoadResult> {
    let sent = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..concurrency())
        .map(|t| {
            let url = url.to_string();
            let sent = Arc::clone(&sent);
            let tag = tag.to_string();
            thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut i = 0;
                while start.elapsed() < duration && sent.fetch_add(1, Ordering::Relaxed) < MAX_REQUESTS_PER_ROUND {
                    i += 1;
                    let body = format!(
                        r#"{{"email":"load-{tag}-{t}-{i}@example.org","consents":[{{"purpose":"news","channel":"email","wording_version":1}}],"page_url":"http://127.0.0.1:8788/"}}"#
                    );
                    let t0 = Instant::now();
                    let result = agent
                        .post(&url)
                        .set("Content-Type", "application/json")
                        .set("Origin", "http://127.0.0.1:8788")
                        .set("Idempotency-Key", &format!("{tag}-{t}-{i}"))
                        // One client address per request (wrangler dev passes CF-Connecting-IP
                        // through); every limit counts, raised for the bench (bench_config.rs).
                        .set("CF-Connecting-IP", &format!("10.{}.{}.{}", t % 256, (i / 256) % 256, i % 256))
                        .send_string(&body);
                    match result {
                        Ok(r) if r.status() == 201 => latencies.push(t0.elapsed()),
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (l, e) = h.join().map_err(|_| "load thread panicked".to_string())?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
    };
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Ok(LoadResult {
        requests: latencies.len(),
        errors,
        elapsed,
        p50_ms: ms(pct(0.50)),
        p99_ms: ms(pct(0.99)),
        cpu_ms: None,
    })
}
