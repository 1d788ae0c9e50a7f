//! Crash and restart under load: concurrent clients post real consent submissions to the
//! release worker in `wrangler dev` on local D1, each with a fresh address and its own
//! Idempotency-Key, retrying with the same key and body until acknowledged or the run ends.
//! Midway the runtime (workerd) is killed with SIGKILL and `wrangler dev` is started again on the
//! same persisted D1 and port. Afterwards every acknowledged submission must be in D1 exactly
//! once and `…/ledger/verify` must report the chain valid, no unmarked rows and no state
//! disagreement. `cargo xtask bench loadfault` runs the long version, the `loadfault` test
//! binary a short one; both print the same report.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

use crate::bench_config::bench_d1;
use crate::secrets::{worker_secrets, ADMIN_BEARER};
use crate::wrangler::{LocalD1, WorkerBuild, WranglerDev};
use crate::{free_port, repo_root};

/// The demo site and the page origin it registers (worker/seed/demo.sql).
const SITE: &str = "demo";
const PAGE_ORIGIN: &str = "http://127.0.0.1:8788";
/// Prefix of every Idempotency-Key (and address) a run sends, so the check finds only them.
const KEY_PREFIX: &str = "lf";
/// How long a request may take before the client gives up on it and retries.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// How long to watch for wrangler bringing a killed runtime back by itself.
const SELF_RECOVERY_WINDOW: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub clients: usize,
    pub duration: Duration,
    /// Kills, spread evenly over the run (one: at the middle).
    pub kills: usize,
}

/// What happened at one kill.
#[derive(Debug, Clone)]
pub struct Kill {
    /// Since the load started.
    pub at: Duration,
    pub workerd_pids: Vec<i32>,
    /// Whether the worker answered again within `SELF_RECOVERY_WINDOW` without a restart.
    pub recovered_by_itself: bool,
    /// Whether the wrangler process was still running with its runtime dead.
    pub wrangler_survived: bool,
    /// From the kill until the restarted worker answered `/healthz`.
    pub unavailable: Duration,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub plan: Plan,
    /// Submissions started (each with a new key).
    pub sent: usize,
    pub acknowledged: usize,
    /// Acknowledged submissions found in D1 (at least once).
    pub stored: usize,
    /// Acknowledged but not in D1.
    pub lost: usize,
    /// Keys with more than one event in D1.
    pub duplicated: usize,
    /// Sent but not acknowledged when the run ended (still retrying), and how many of them D1
    /// holds anyway (their first attempt was written, the answer lost).
    pub unacknowledged: usize,
    pub unacknowledged_stored: usize,
    /// Attempts after the first, and acknowledgements that were replays of an earlier write.
    pub retries: usize,
    pub replayed: usize,
    /// Answered 429 (retried like any failure).
    pub refused: usize,
    /// Refused with another 4xx: a bug in the bench or the worker (first few kept).
    pub rejected: Vec<String>,
    pub p50: Duration,
    pub p99: Duration,
    /// Longest time from a submission's first attempt to its acknowledgement.
    pub longest_wait: Duration,
    pub kills: Vec<Kill>,
    pub verify: serde_json::Value,
    pub load_time: Duration,
    pub wall_time: Duration,
    /// Where the D1 state and wrangler logs are kept when the run failed.
    pub kept_dir: Option<PathBuf>,
}

impl Report {
    /// `Err` naming every broken promise: a lost or duplicated submission, a rejected request,
    /// a failed verification, a kill that did not happen.
    pub fn holds(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.lost > 0 {
            problems.push(format!("{} acknowledged submissions are not in D1", self.lost));
        }
        if self.duplicated > 0 {
            problems.push(format!("{} submissions are in D1 more than once", self.duplicated));
        }
        if !self.rejected.is_empty() {
            problems.push(format!("requests rejected: {}", self.rejected.join("; ")));
        }
        if self.acknowledged == 0 {
            problems.push("nothing was acknowledged".into());
        }
        if self.kills.len() != self.plan.kills {
            problems.push(format!("{} of {} kills happened", self.kills.len(), self.plan.kills));
        }
        if self.plan.kills > 0 && self.retries == 0 {
            problems.push("no request was retried: the kill disturbed nothing".into());
        }
        let v = &self.verify;
        let verified = v["valid"] == true
            && v["chain_valid"] == true
            && v["unmarked_events"] == 0
            && v["state_disagreements"] == 0
            && v.get("sealing_stopped_at").is_none();
        if !verified {
            problems.push(format!("verify: {v}"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            let kept = self.kept_dir.as_ref().map(|d| format!(" (state and logs kept in {})", d.display()));
            Err(format!("{}{}", problems.join("\n"), kept.unwrap_or_default()))
        }
    }

    /// The report as printed by the bench and the test.
    pub fn text(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mut out = format!(
            "loadfault: {} clients for {:.0} s, {} kill(s) of the runtime (SIGKILL on workerd)\n",
            self.plan.clients,
            self.plan.duration.as_secs_f64(),
            self.plan.kills
        );
        for (i, k) in self.kills.iter().enumerate() {
            out += &format!(
                "  kill {} at {:.1} s: the worker's workerd (pid {:?}); back by itself within {:.0} s: {}; wrangler \
                 still running: {}; restarted, answering again {:.1} s after the kill\n",
                i + 1,
                k.at.as_secs_f64(),
                k.workerd_pids,
                SELF_RECOVERY_WINDOW.as_secs_f64(),
                if k.recovered_by_itself { "yes" } else { "no" },
                if k.wrangler_survived { "yes" } else { "no" },
                k.unavailable.as_secs_f64()
            );
        }
        out += &format!(
            "  sent {} | acknowledged {} | stored {} | lost {} | duplicated {}\n",
            self.sent, self.acknowledged, self.stored, self.lost, self.duplicated
        );
        out += &format!(
            "  unacknowledged at the end {} (of them in D1: {}) | retries {} | replayed answers {} | 429s {} | \
             rejected {}\n",
            self.unacknowledged,
            self.unacknowledged_stored,
            self.retries,
            self.replayed,
            self.refused,
            self.rejected.len()
        );
        out += &format!(
            "  latency of acknowledged requests p50 {:.1} ms, p99 {:.1} ms; longest wait for an \
             acknowledgement {:.1} s\n",
            ms(self.p50),
            ms(self.p99),
            self.longest_wait.as_secs_f64()
        );
        let v = &self.verify;
        out += &format!(
            "  verify: valid {} | chain valid {} | events checked {} | unmarked {} | state disagreements {}\n",
            v["valid"], v["chain_valid"], v["events_checked"], v["unmarked_events"], v["state_disagreements"]
        );
        out += &format!(
            "  load {:.1} s, whole run {:.1} s (setup, restarts and checks included)",
            self.load_time.as_secs_f64(),
            self.wall_time.as_secs_f64()
        );
        out
    }
}

/// Runs the plan against a fresh local D1 (migrated and seeded) in a temporary directory.
pub fn run(plan: Plan) -> Result<Report, String> {
    let wall = Instant::now();
    let dir = std::env::temp_dir().join(format!("consent-loadfault-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d1 = bench_d1(&dir)?;
    d1.migrate()?;
    d1.execute_file(&repo_root().join("worker/seed/demo.sql"))?;
    let port = free_port();
    let origin = format!("http://127.0.0.1:{port}");
    let mut vars: Vec<(&str, &str)> = worker_secrets();
    vars.push(("PUBLIC_ORIGIN", &origin));
    let dev = WranglerDev::start_build(&d1, port, &vars, WorkerBuild::Release)?;
    let mut server = Server { d1: &d1, port, vars: &vars, dev: Some(dev) };

    let url = format!("{origin}/api/v1/sites/{SITE}/consents");
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let clients: Vec<_> = (0..plan.clients)
        .map(|c| {
            let url = url.clone();
            let stop = Arc::clone(&stop);
            thread::spawn(move || client(c, &url, &stop))
        })
        .collect();
    let mut kills = Vec::new();
    let mut schedule = || -> Result<(), String> {
        for k in 1..=plan.kills {
            sleep_until(start + plan.duration.mul_f64(k as f64 / (plan.kills + 1) as f64));
            kills.push(server.kill_and_restart(start)?);
        }
        sleep_until(start + plan.duration);
        Ok(())
    };
    let scheduled = schedule();
    stop.store(true, Ordering::Relaxed);
    let mut tally = Tally::default();
    for c in clients {
        tally.add(c.join().map_err(|_| "a client thread panicked".to_string())?);
    }
    let load_time = start.elapsed();
    scheduled?;

    let verify = server.verify()?;
    drop(server);
    let counts = stored_counts(&d1)?;

    let lost = tally.acknowledged.iter().filter(|k| !counts.contains_key(*k)).count();
    let mut report = Report {
        plan,
        sent: tally.sent,
        acknowledged: tally.acknowledged.len(),
        stored: tally.acknowledged.len() - lost,
        lost,
        duplicated: counts.values().filter(|&&n| n > 1).count(),
        unacknowledged: tally.unacknowledged.len(),
        unacknowledged_stored: tally.unacknowledged.iter().filter(|k| counts.contains_key(*k)).count(),
        retries: tally.retries,
        replayed: tally.replayed,
        refused: tally.refused,
        rejected: tally.rejected,
        p50: percentile(&mut tally.latencies, 0.50),
        p99: percentile(&mut tally.latencies, 0.99),
        longest_wait: tally.longest_wait,
        kills,
        verify,
        load_time,
        wall_time: Duration::ZERO,
        kept_dir: None,
    };
    if report.holds().is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        report.kept_dir = Some(dir);
    }
    report.wall_time = wall.elapsed();
    Ok(report)
}

/// The running worker, and what it takes to start it again.
struct Server<'a> {
    d1: &'a LocalD1,
    port: u16,
    vars: &'a [(&'a str, &'a str)],
    dev: Option<WranglerDev>,
}

impl Server<'_> {
    /// SIGKILLs the workerd process running the worker, watches whether wrangler brings the
    /// worker back by itself, then stops what is left (wrangler and its proxy workerd) and
    /// starts `wrangler dev` again on the same D1 and port.
    ///
    /// Measured with wrangler 4.86: wrangler does not restart a killed runtime; it stays up, and
    /// its proxy holds requests to the port without answering, until wrangler is stopped.
    fn kill_and_restart(&mut self, start: Instant) -> Result<Kill, String> {
        let dev = self.dev.as_mut().ok_or("no wrangler dev running")?;
        let workerd_pids = dev.runtime_pids();
        if workerd_pids.is_empty() {
            return Err(format!("no worker runtime in wrangler's process group {}", dev.process_group()));
        }
        let at = start.elapsed();
        let killed = Instant::now();
        for &pid in &workerd_pids {
            // SAFETY: a plain syscall on a process we started (found in our child's group).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        let recovered_by_itself = answers_within(&dev.origin(), SELF_RECOVERY_WINDOW);
        let wrangler_survived = dev.wrangler_running();
        // Whatever wrangler did, start it again as an operator would: stop the whole group
        // (wrangler and any runtime left) and run `wrangler dev` on the same persisted D1.
        drop(self.dev.take());
        wait_for_port(self.port, Duration::from_secs(15))?;
        self.dev = Some(WranglerDev::start_build(self.d1, self.port, self.vars, WorkerBuild::Release)?);
        Ok(Kill { at, workerd_pids, recovered_by_itself, wrangler_survived, unavailable: killed.elapsed() })
    }

    fn verify(&self) -> Result<serde_json::Value, String> {
        let dev = self.dev.as_ref().ok_or("no wrangler dev running")?;
        let url = format!("{}/api/v1/sites/{SITE}/ledger/verify", dev.origin());
        let response = ureq::get(&url)
            .set("Authorization", ADMIN_BEARER)
            .timeout(Duration::from_secs(300))
            .call()
            .map_err(|e| format!("GET {url}: {e}"))?;
        response.into_json().map_err(|e| format!("verify report: {e}"))
    }
}

/// What one client did.
#[derive(Default)]
struct Tally {
    sent: usize,
    acknowledged: Vec<String>,
    unacknowledged: Vec<String>,
    latencies: Vec<Duration>,
    longest_wait: Duration,
    retries: usize,
    replayed: usize,
    refused: usize,
    rejected: Vec<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.sent += other.sent;
        self.acknowledged.extend(other.acknowledged);
        self.unacknowledged.extend(other.unacknowledged);
        self.latencies.extend(other.latencies);
        self.longest_wait = self.longest_wait.max(other.longest_wait);
        self.retries += other.retries;
        self.replayed += other.replayed;
        self.refused += other.refused;
        self.rejected.extend(other.rejected.into_iter().take(5usize.saturating_sub(self.rejected.len())));
    }
}

/// One client: a browser-like POST per new submission from its own address
/// (`CF-Connecting-IP`, which `wrangler dev` passes through), retried with the same key and
/// body after any failure — transport error, timeout, 5xx, 429 — until acknowledged or stopped.
fn client(c: usize, url: &str, stop: &AtomicBool) -> Tally {
    let agent =
        ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(2)).timeout(REQUEST_TIMEOUT).build();
    let ip = format!("10.77.{}.{}", c / 256, c % 256);
    let mut tally = Tally::default();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let key = format!("{KEY_PREFIX}-{c}-{n}");
        let body = format!(
            r#"{{"email":"{key}@example.org","consents":[{{"purpose":"news","channel":"email","wording_version":1}}],"page_url":"{PAGE_ORIGIN}/join"}}"#
        );
        tally.sent += 1;
        let first = Instant::now();
        let mut backoff = FIRST_BACKOFF;
        loop {
            let attempt = Instant::now();
            let result = agent
                .post(url)
                .set("Content-Type", "application/json")
                .set("Origin", PAGE_ORIGIN)
                .set("CF-Connecting-IP", &ip)
                .set("Idempotency-Key", &key)
                .send_string(&body);
            match result {
                Ok(r) if (200..300).contains(&r.status()) => {
                    tally.latencies.push(attempt.elapsed());
                    tally.longest_wait = tally.longest_wait.max(first.elapsed());
                    if r.header("idempotent-replayed").is_some() {
                        tally.replayed += 1;
                    }
                    tally.acknowledged.push(key);
                    break;
                }
                Err(ureq::Error::Status(429, _)) => tally.refused += 1,
                Err(ureq::Error::Status(status, _)) if status >= 500 => {}
                Err(ureq::Error::Transport(_)) => {}
                Ok(r) | Err(ureq::Error::Status(_, r)) => {
                    let status = r.status();
                    tally.rejected.push(format!("{key}: {status} {}", r.into_string().unwrap_or_default()));
                    tally.unacknowledged.push(key);
                    break;
                }
            }
            if stop.load(Ordering::Relaxed) {
                tally.unacknowledged.push(key);
                break;
            }
            sleep(backoff);
            backoff = (backoff * 2).min(MAX_BACKOFF);
            tally.retries += 1;
        }
    }
    tally
}

/// Events per Idempotency-Key of this run's submissions, read from D1 after the worker stopped.
fn stored_counts(d1: &LocalD1) -> Result<HashMap<String, u64>, String> {
    let rows = d1.query(&format!(
        "SELECT idempotency_key AS k, COUNT(*) AS n FROM consent_events \
         WHERE site_id = '{SITE}' AND idempotency_key LIKE '{KEY_PREFIX}-%' GROUP BY idempotency_key"
    ))?;
    rows.iter()
        .map(|r| match (r["k"].as_str(), r["n"].as_u64()) {
            (Some(k), Some(n)) => Ok((k.to_string(), n)),
            _ => Err(format!("unexpected row {r}")),
        })
        .collect()
}

fn percentile(sorted: &mut [Duration], p: f64) -> Duration {
    sorted.sort_unstable();
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).copied().unwrap_or_default()
}

fn sleep_until(t: Instant) {
    sleep(t.saturating_duration_since(Instant::now()));
}

/// Whether `{origin}/healthz` answers 200 within `window`.
fn answers_within(origin: &str, window: Duration) -> bool {
    let until = Instant::now() + window;
    let url = format!("{origin}/healthz");
    while Instant::now() < until {
        if ureq::get(&url).timeout(Duration::from_millis(500)).call().is_ok() {
            return true;
        }
        sleep(Duration::from_millis(100));
    }
    false
}

/// Waits until nothing listens on `port` any more (the stopped runtime has let it go).
fn wait_for_port(port: u16, timeout: Duration) -> Result<(), String> {
    let until = Instant::now() + timeout;
    while Instant::now() < until {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        sleep(Duration::from_millis(100));
    }
    Err(format!("port {port} still taken {timeout:?} after wrangler dev stopped"))
}
