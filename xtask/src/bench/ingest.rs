//! Ingestion through the real runtime: `POST …/consents` on the Consent worker versus a baseline
//! worker doing one bare D1 insert per request, both in `wrangler dev` on local D1, measured in
//! the same run. The load is bounded in time and count and stays on 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use consent_tests::bench_config::bench_d1;
use consent_tests::secrets::worker_secrets;
use consent_tests::wrangler::{LocalD1, WorkerBuild, WranglerDev};
use consent_tests::{free_port, repo_root};

use crate::Result;

/// Clients in flight at once (`CONSENT_BENCH_CONCURRENCY` overrides).
fn concurrency() -> usize {
    std::env::var("CONSENT_BENCH_CONCURRENCY").ok().and_then(|c| c.parse().ok()).unwrap_or(8)
}
const ROUND: Duration = Duration::from_secs(10);
const MAX_REQUESTS_PER_ROUND: usize = 20_000;
const ROUNDS: usize = 2;

pub struct LoadResult {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub p50_ms: f64,
    pub p99_ms: f64,
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
    // Warm both isolates and D1 files before measuring.
    load(&real_url, Duration::from_secs(2), "warm")?;
    load(&bare_url, Duration::from_secs(2), "warm")?;
    println!("\n| round | worker | requests | errors | req/s | p50 ms | p99 ms |\n|---|---|---:|---:|---:|---:|---:|");
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
        let b = load(&bare_url, ROUND, &format!("bare{round}"))?;
        let r = load(&real_url, ROUND, &format!("real{round}"))?;
        for (name, x) in [("bare D1 insert (JS)", &b), ("Consent POST /consents", &r)] {
            println!(
                "| {round} | {name} | {} | {} | {:.0} | {:.1} | {:.1} |",
                x.requests,
                x.errors,
                x.rps(),
                x.p50_ms,
                x.p99_ms
            );
        }
        ratios.push(r.rps() / b.rps());
    }
    let ratio_text: Vec<String> = ratios.iter().map(|r| format!("{r:.2}×")).collect();
    println!("\nConsent / bare-insert throughput per round: {} (target ≥ 0.80×)", ratio_text.join(", "));
    drop(real);
    drop(bare);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
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
    })
}
