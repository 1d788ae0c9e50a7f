//! `cargo xtask fuzz [SECONDS] [TARGET…]`: each libFuzzer target in `fuzz/` for a bounded time.
//!
//! The targets are built once with `cargo fuzz` on the pinned nightly, without a sanitizer: every
//! crate they reach is safe Rust, and what they look for are panics and mismatches (a sanitizer
//! would halve the executions per second). Each run starts from `fuzz/corpus/<target>` (the
//! committed `seed-*` inputs plus whatever earlier runs added, which git ignores) and leaves
//! a failing input in `fuzz/artifacts/<target>/`.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::build::{target_dir, WIDGET_NIGHTLY};
use crate::{describe, root, run, Result};

/// Seconds per target for `cargo xtask fuzz` without an argument.
pub const DEFAULT_SECONDS: u64 = 60;

/// How long each target runs.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// Explore for this many seconds (`cargo xtask fuzz`): a new crash is the point.
    Seconds(u64),
    /// Inside `cargo xtask test`: replay the corpus, then exactly this many inputs from a fixed
    /// seed, so every run tries the same inputs and a red test means a regression, never luck
    /// (1–8 s a target on 2 cores). Exploring is `cargo xtask fuzz`'s job.
    Runs(u64),
}

pub const TEST_BUDGET: Budget = Budget::Runs(200_000);

/// What one target's run came to.
pub struct Outcome {
    pub ok: bool,
    pub runs: u64,
    pub execs_per_sec: u64,
}

/// `cargo xtask fuzz [SECONDS] [TARGET…]`.
pub fn command(args: &[String]) -> Result {
    let (seconds, only) = match args.first().map(|a| a.parse::<u64>()) {
        Some(Ok(s)) => (s, &args[1..]),
        _ => (DEFAULT_SECONDS, args),
    };
    let outcomes = run_all(Budget::Seconds(seconds), only)?;
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} fuzz target(s) failed; the inputs are in fuzz/artifacts/"))
    }
}

/// Builds the targets and runs each named one (all when `only` is empty) within `budget`.
pub fn run_all(budget: Budget, only: &[String]) -> Result<Vec<Outcome>> {
    let started = std::time::Instant::now();
    run(&mut cargo_fuzz(&["build"]))?;
    eprintln!("fuzz targets built in {:.0} s", started.elapsed().as_secs_f64());
    let targets: Vec<String> = crate::output(&mut cargo_fuzz(&["list"]))
        .ok_or("cargo fuzz list failed")?
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty() && (only.is_empty() || only.iter().any(|o| o == t)))
        .map(String::from)
        .collect();
    if targets.is_empty() {
        return Err(format!("no fuzz target named {}", only.join(", ")));
    }
    targets.iter().map(|t| run_target(t, budget)).collect()
}

fn run_target(target: &str, budget: Budget) -> Result<Outcome> {
    let log = logs_dir().join(format!("{target}.log"));
    let mut cmd = cargo_fuzz(&["run", target, "--"]);
    match budget {
        Budget::Seconds(seconds) => cmd.arg(format!("-max_total_time={seconds}")),
        Budget::Runs(runs) => cmd.args([format!("-runs={runs}"), "-seed=1".into()]),
    };
    cmd.arg("-print_final_stats=1");
    if let Some(dict) = dictionary(target) {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let status = cmd
        .stdout(file.try_clone().map_err(|e| e.to_string())?)
        .stderr(Stdio::from(file))
        .status()
        .map_err(|e| format!("cannot start {}: {e}", describe(&cmd)))?;
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let stat =
        |name: &str| text.lines().find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok()).unwrap_or(0);
    let outcome = Outcome {
        ok: status.success(),
        runs: stat("stat::number_of_executed_units:"),
        execs_per_sec: stat("stat::average_exec_per_sec:"),
    };
    if outcome.ok {
        println!("fuzz {target}: ok, {} inputs ({} per second)", outcome.runs, outcome.execs_per_sec);
    } else {
        // The panic and libFuzzer's reproduce line; the whole output stays in the log.
        let failure: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.contains("panicked") && !l.contains("ERROR: libFuzzer"))
            .filter(|l| !l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && !l.contains(" at /"))
            .take(30)
            .collect();
        println!("fuzz {target}: FAILED ({status}), log {}\n{}", log.display(), failure.join("\n"));
    }
    Ok(outcome)
}

/// `cargo fuzz <args>` on the pinned nightly, with the flags every subcommand must agree on
/// (or `run` would rebuild).
fn cargo_fuzz(args: &[&str]) -> Command {
    let (sub, rest) = args.split_first().expect("a cargo fuzz subcommand");
    let mut cmd = Command::new("rustup");
    cmd.args(["run", WIDGET_NIGHTLY, "cargo", "fuzz", sub]);
    if *sub != "list" {
        cmd.args(["--sanitizer", "none", "--target-dir"]).arg(target_dir().join("fuzz"));
    }
    cmd.args(rest).current_dir(root()).env_remove("CARGO").env_remove("CARGO_ENCODED_RUSTFLAGS");
    cmd
}

/// The words a target's parser looks for (`fuzz/dict/`), which libFuzzer would take long to guess.
fn dictionary(target: &str) -> Option<PathBuf> {
    let name = match target {
        "site_definition" | "submission" => "json",
        other => other,
    };
    Some(root().join("fuzz/dict").join(format!("{name}.dict"))).filter(|p| p.exists())
}

fn logs_dir() -> PathBuf {
    let dir = target_dir().join("fuzz-logs");
    let _ = std::fs::create_dir_all(&dir);
    dir
}
