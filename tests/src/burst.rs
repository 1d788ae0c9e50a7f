//! A mass-email burst, time-compressed, against the release worker in `wrangler dev` on local
//! D1 (docs/SCALING.md section 5). Open loop: requests are due on a fixed schedule whose rate
//! decays as `peak · e^(−t/τ)`, whatever the worker's speed, so a slow worker shows up as
//! backlog (requests due but not yet answered) rather than as a slower sender. Each request is
//! a real submission (`POST /api/v1/sites/demo/consents`, a fresh address and Idempotency-Key),
//! the same one-batch append that a one-click unsubscribe makes. Only 127.0.0.1; bounded by
//! `Plan::secs` and the schedule's count.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

use crate::bench_config::bench_d1;
use crate::secrets::worker_secrets;
use crate::wrangler::{WorkerBuild, WranglerDev};
use crate::{free_port, repo_root};

const SITE: &str = "demo";
const PAGE_ORIGIN: &str = "http://127.0.0.1:8788";
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Requests per second at t = 0.
    pub peak_per_sec: f64,
    /// Decay constant of the rate, seconds.
    pub tau_secs: f64,
    /// Length of the schedule, seconds (nothing is due after it).
    pub secs: u64,
    /// Client threads: the most requests in flight at once.
    pub clients: usize,
}

impl Plan {
    /// Due times (from the start) of every request: the n-th is due when the integral of the
    /// rate reaches n.
    pub fn schedule(&self) -> Vec<Duration> {
        let total = self.peak_per_sec * self.tau_secs * (1.0 - (-(self.secs as f64) / self.tau_secs).exp());
        (0..total.floor() as u64)
            .map(|n| {
                let t = -self.tau_secs * (1.0 - n as f64 / (self.peak_per_sec * self.tau_secs)).ln();
                Duration::from_secs_f64(t)
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
struct Outcome {
    due: Duration,
    done: Duration,
    ok: bool,
}

/// One line per second of the run.
#[derive(Debug)]
pub struct Second {
    pub second: u64,
    pub due: usize,
    pub acked: usize,
    pub failed: usize,
    /// Latency from the moment a request was due (client-side waiting included) to its answer,
    /// for the requests answered in this second.
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Requests due by the end of this second and not yet answered.
    pub backlog: usize,
}

pub struct Report {
    pub plan: Plan,
    pub sent: usize,
    pub acked: usize,
    pub failed: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub drained_after: Duration,
    pub seconds: Vec<Second>,
}

impl Report {
    pub fn text(&self) -> String {
        let p = &self.plan;
        let mut s = format!(
            "burst: peak {:.0}/s, τ {:.0} s, {} s schedule, {} clients: {} sent, {} acknowledged, {} failed; \
             p50 {:.1} ms, p99 {:.1} ms (from due time); last answer {:.1} s after the start\n\n\
             | second | due | acknowledged | failed | p50 ms | p99 ms | backlog at end |\n|---:|---:|---:|---:|---:|---:|---:|\n",
            p.peak_per_sec,
            p.tau_secs,
            p.secs,
            p.clients,
            self.sent,
            self.acked,
            self.failed,
            self.p50_ms,
            self.p99_ms,
            self.drained_after.as_secs_f64()
        );
        for r in &self.seconds {
            s += &format!(
                "| {} | {} | {} | {} | {:.1} | {:.1} | {} |\n",
                r.second, r.due, r.acked, r.failed, r.p50_ms, r.p99_ms, r.backlog
            );
        }
        s
    }
}

pub fn run(plan: Plan) -> Result<Report, String> {
    let dir = std::env::temp_dir().join(format!("consent-burst-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d1 = bench_d1(&dir)?;
    d1.migrate()?;
    d1.execute_file(&repo_root().join("worker/seed/demo.sql"))?;
    let port = free_port();
    let origin = format!("http://127.0.0.1:{port}");
    let mut vars: Vec<(&str, &str)> = worker_secrets();
    vars.push(("PUBLIC_ORIGIN", &origin));
    let dev = WranglerDev::start_build(&d1, port, &vars, WorkerBuild::Release)?;

    let url = format!("{origin}/api/v1/sites/{SITE}/consents");
    warm_up(&url)?;
    let schedule = Arc::new(plan.schedule());
    let next = Arc::new(AtomicUsize::new(0));
    let outcomes = Arc::new(Mutex::new(Vec::with_capacity(schedule.len())));
    let start = Instant::now();
    let clients: Vec<_> = (0..plan.clients)
        .map(|c| {
            let (url, schedule, next, outcomes) =
                (url.clone(), Arc::clone(&schedule), Arc::clone(&next), Arc::clone(&outcomes));
            thread::spawn(move || client(c, &url, start, &schedule, &next, &outcomes))
        })
        .collect();
    for c in clients {
        c.join().map_err(|_| "a client thread panicked".to_string())?;
    }
    drop(dev);
    let _ = std::fs::remove_dir_all(&dir);
    let outcomes = Arc::try_unwrap(outcomes).map_err(|_| "outcomes still shared")?.into_inner().unwrap();
    Ok(report(plan, &outcomes))
}

/// A few requests first, so the first second of the burst does not pay for a cold isolate.
fn warm_up(url: &str) -> Result<(), String> {
    for n in 0..20 {
        post(url, 9_999, &format!("burst-warm-{n}")).map_err(|e| format!("warm-up request failed: {e}"))?;
    }
    Ok(())
}

fn client(
    c: usize,
    url: &str,
    start: Instant,
    schedule: &[Duration],
    next: &AtomicUsize,
    outcomes: &Mutex<Vec<Outcome>>,
) {
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(&due) = schedule.get(i) else { return };
        sleep((start + due).saturating_duration_since(Instant::now()));
        let ok = post(url, c, &format!("burst-{i}")).is_ok();
        let done = start.elapsed();
        outcomes.lock().unwrap().push(Outcome { due, done, ok });
    }
}

fn post(url: &str, client: usize, key: &str) -> Result<(), String> {
    let body = format!(
        r#"{{"email":"{key}@example.org","consents":[{{"purpose":"news","channel":"email","wording_version":1}}],"page_url":"{PAGE_ORIGIN}/join"}}"#
    );
    let r = ureq::post(url)
        .timeout(REQUEST_TIMEOUT)
        .set("Content-Type", "application/json")
        .set("Origin", PAGE_ORIGIN)
        .set("CF-Connecting-IP", &format!("10.78.{}.{}", client / 256, client % 256))
        .set("Idempotency-Key", key)
        .send_string(&body);
    match r {
        Ok(r) if (200..300).contains(&r.status()) => Ok(()),
        Ok(r) => Err(format!("status {}", r.status())),
        Err(e) => Err(e.to_string()),
    }
}

fn report(plan: Plan, outcomes: &[Outcome]) -> Report {
    let latency = |o: &Outcome| (o.done.saturating_sub(o.due)).as_secs_f64() * 1000.0;
    let last = outcomes.iter().map(|o| o.done).max().unwrap_or_default();
    let seconds = (0..=last.as_secs())
        .map(|s| {
            let end = Duration::from_secs(s + 1);
            let in_second = |t: Duration| t >= Duration::from_secs(s) && t < end;
            let mut lat: Vec<f64> =
                outcomes.iter().filter(|o| in_second(o.done) && o.ok).map(latency).collect();
            Second {
                second: s,
                due: outcomes.iter().filter(|o| in_second(o.due)).count(),
                acked: lat.len(),
                failed: outcomes.iter().filter(|o| in_second(o.done) && !o.ok).count(),
                p50_ms: percentile(&mut lat, 0.50),
                p99_ms: percentile(&mut lat, 0.99),
                backlog: outcomes.iter().filter(|o| o.due < end && o.done >= end).count(),
            }
        })
        .collect();
    let mut all: Vec<f64> = outcomes.iter().filter(|o| o.ok).map(latency).collect();
    Report {
        plan,
        sent: outcomes.len(),
        acked: all.len(),
        failed: outcomes.iter().filter(|o| !o.ok).count(),
        p50_ms: percentile(&mut all, 0.50),
        p99_ms: percentile(&mut all, 0.99),
        drained_after: last,
        seconds,
    }
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1));
    v.get(i).copied().unwrap_or_default()
}
