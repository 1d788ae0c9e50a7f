//! `wrangler dev` as a child process: migrations and seed applied to a local D1, the worker
//! served by workerd on 127.0.0.1, the whole process group stopped on drop.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::repo_root;

/// Environment that keeps wrangler fully offline and quiet.
pub const OFFLINE_ENV: &[(&str, &str)] = &[
    ("WRANGLER_SEND_METRICS", "false"),
    ("WRANGLER_SEND_ERROR_REPORTS", "false"),
    ("CLOUDFLARE_CF_FETCH_ENABLED", "false"),
    ("WRANGLER_HIDE_BANNER", "true"),
    ("NO_COLOR", "1"),
];

/// A `wrangler` command run from the repository root with the offline environment.
pub fn wrangler(args: &[&str]) -> Command {
    let root = repo_root();
    let mut cmd = Command::new(root.join("node_modules/.bin/wrangler"));
    cmd.args(args).current_dir(&root).envs(OFFLINE_ENV.iter().copied());
    cmd.env_remove("CLOUDFLARE_API_TOKEN").env_remove("CLOUDFLARE_ACCOUNT_ID");
    cmd
}

fn run(mut cmd: Command, what: &str) -> Result<String, String> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("{what}: cannot start wrangler: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Local D1 state in `persist_dir` (wrangler's `--persist-to`).
pub struct LocalD1 {
    pub persist_dir: PathBuf,
    /// Another wrangler.toml than the repository's (the benchmark's baseline worker).
    pub config: Option<PathBuf>,
}

impl LocalD1 {
    pub fn new(persist_dir: impl Into<PathBuf>) -> LocalD1 {
        LocalD1 { persist_dir: persist_dir.into(), config: None }
    }

    pub fn with_config(persist_dir: impl Into<PathBuf>, config: impl Into<PathBuf>) -> LocalD1 {
        LocalD1 { persist_dir: persist_dir.into(), config: Some(config.into()) }
    }

    /// `wrangler <args> [--config …]` for this database's worker.
    fn wrangler(&self, args: &[&str]) -> Command {
        let mut cmd = wrangler(args);
        if let Some(config) = &self.config {
            cmd.arg("--config").arg(config);
        }
        cmd
    }

    fn persist(&self) -> String {
        self.persist_dir.display().to_string()
    }

    pub fn migrate(&self) -> Result<(), String> {
        run(
            self.wrangler(&["d1", "migrations", "apply", "DB", "--local", "--persist-to", &self.persist()]),
            "migrations apply",
        )
        .map(drop)
    }

    /// `wrangler d1 execute DB --local --persist-to … <args>`.
    fn execute(&self, args: &[&str], what: &str) -> Result<String, String> {
        let persist = self.persist();
        let mut all = vec!["d1", "execute", "DB", "--local", "--persist-to", &persist];
        all.extend_from_slice(args);
        run(self.wrangler(&all), what)
    }

    pub fn execute_file(&self, file: &Path) -> Result<(), String> {
        self.execute(&["--file", &file.display().to_string()], "d1 execute").map(drop)
    }

    /// Runs one SQL command and returns the result rows as JSON objects.
    pub fn query(&self, sql: &str) -> Result<Vec<serde_json::Value>, String> {
        let out = self.execute(&["--json", "--command", sql], "d1 execute --command")?;
        let parsed: serde_json::Value =
            serde_json::from_str(&out).map_err(|e| format!("wrangler --json output: {e}: {out}"))?;
        Ok(parsed[0]["results"].as_array().cloned().unwrap_or_default())
    }
}

/// A running `wrangler dev`. Dropping it stops workerd and wrangler.
pub struct WranglerDev {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
    /// Wrangler's inspector (Chrome DevTools Protocol) for the worker, on 127.0.0.1.
    pub inspector_port: u16,
}

/// Which build of the worker `cargo xtask build` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerBuild {
    /// `worker/build`: what deploys and what `cargo xtask dev` runs.
    Release,
    /// `worker/build-test`: the release worker plus `POST /__contract` (feature `contract-tests`).
    Test,
}

impl WorkerBuild {
    pub fn main(self) -> &'static str {
        match self {
            WorkerBuild::Release => "worker/build/index.js",
            WorkerBuild::Test => "worker/build-test/index.js",
        }
    }
}

impl WranglerDev {
    /// Starts the test build of the worker (see `cargo xtask build`) on `127.0.0.1:port` and
    /// waits for `/healthz`. `vars` become `--var NAME:VALUE` (they override `.dev.vars`);
    /// `PUBLIC_ORIGIN` is this server's origin unless `vars` names one.
    pub fn start(d1: &LocalD1, port: u16, vars: &[(&str, &str)]) -> Result<WranglerDev, String> {
        Self::start_build(d1, port, vars, WorkerBuild::Test)
    }

    /// Starts the release build, as deployed (no test-only routes).
    pub fn start_release(d1: &LocalD1, port: u16, vars: &[(&str, &str)]) -> Result<WranglerDev, String> {
        Self::start_build(d1, port, vars, WorkerBuild::Release)
    }

    pub fn start_build(
        d1: &LocalD1,
        port: u16,
        vars: &[(&str, &str)],
        build: WorkerBuild,
    ) -> Result<WranglerDev, String> {
        if d1.config.is_none() && !repo_root().join(build.main()).exists() {
            return Err(format!("{} is missing: run `cargo xtask build` first", build.main()));
        }
        fs::create_dir_all(&d1.persist_dir).map_err(|e| e.to_string())?;
        let log = d1.persist_dir.join(format!("wrangler-{port}.log"));
        let log_file = fs::File::create(&log).map_err(|e| e.to_string())?;
        let port_s = port.to_string();
        let inspector_port = crate::free_port();
        let inspector = inspector_port.to_string();
        let persist = d1.persist();
        let mut args = vec!["dev"];
        if d1.config.is_none() {
            args.push(build.main());
        }
        args.extend([
            "--local",
            "--ip",
            "127.0.0.1",
            "--port",
            &port_s,
            "--inspector-port",
            &inspector,
            "--persist-to",
            &persist,
            "--log-level",
            "warn",
            "--show-interactive-dev-session=false",
            // `GET /__scheduled` runs the cron handler (wrangler dev never fires crons itself, and
            // its `/cdn-cgi/handler/scheduled` fails for workers-rs: "Could not serialize
            // object of type ScheduledController").
            "--test-scheduled",
        ]);
        let mut var_args: Vec<String> = vars.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        if d1.config.is_none() && !vars.iter().any(|(k, _)| *k == "PUBLIC_ORIGIN") {
            var_args.push(format!("PUBLIC_ORIGIN:http://127.0.0.1:{port}"));
        }
        for v in &var_args {
            args.extend(["--var", v]);
        }
        let mut cmd = d1.wrangler(&args);
        cmd.stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .process_group(0);
        let child = cmd.spawn().map_err(|e| format!("cannot start wrangler dev: {e}"))?;
        let dev = WranglerDev { child, port, log, inspector_port };
        dev.wait_healthy(Duration::from_secs(90))?;
        Ok(dev)
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The process group of wrangler and everything it started (workerd among them).
    pub fn process_group(&self) -> i32 {
        self.child.id() as i32
    }

    /// The workerd processes that run the worker (and its local D1). Measured with wrangler
    /// 4.86: `wrangler dev` starts two workerd processes, a proxy listening on the public port
    /// and the worker's runtime behind it on a port of its own; this returns the latter.
    pub fn runtime_pids(&self) -> Vec<i32> {
        let public = format!("--socket-addr=entry=127.0.0.1:{} ", self.port);
        processes_named(self.process_group(), "workerd")
            .into_iter()
            .filter(|pid| {
                let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                !String::from_utf8_lossy(&cmdline).replace('\0', " ").contains(&public)
            })
            .collect()
    }

    /// Whether the wrangler process itself is still running.
    pub fn wrangler_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn wait_healthy(&self, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        let url = format!("{}/healthz", self.origin());
        while start.elapsed() < timeout {
            if ureq::get(&url).timeout(Duration::from_secs(2)).call().is_ok() {
                return Ok(());
            }
            sleep(Duration::from_millis(200));
        }
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        Err(format!("wrangler dev did not answer {url} within {timeout:?}; its log:\n{log}"))
    }
}

impl Drop for WranglerDev {
    fn drop(&mut self) {
        stop_group(&mut self.child);
    }
}

/// The processes in process group `pgid` whose command name is `name`, read from /proc (Linux).
pub fn processes_named(pgid: i32, name: &str) -> Vec<i32> {
    let Ok(dir) = fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|entry| {
        let pid: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        // "pid (comm) state ppid pgrp …": comm may hold spaces, so split at its last ')'.
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (head, tail) = stat.rsplit_once(')')?;
        let comm = head.split_once('(')?.1;
        let group: i32 = tail.split_whitespace().nth(2)?.parse().ok()?;
        (group == pgid && comm == name).then_some(pid)
    })
    .collect()
}

/// Stops a child started with `process_group(0)` and everything it spawned.
pub fn stop_group(child: &mut Child) {
    let pgid = child.id() as i32;
    // SAFETY: plain syscalls on a process group we created; errors (already gone) are harmless.
    unsafe { libc::kill(-pgid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    let _ = child.wait();
}
