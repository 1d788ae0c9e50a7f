//! `cargo xtask <command>` — how Consent is set up, built, run and tested. The only crate that
//! runs shell commands (besides the test harness starting the runtime it tests).
//!
//! - `setup`  install what is missing, idempotently (wasm32 std, the widget's pinned nightly with
//!   rust-src, wasm-bindgen-cli at the Cargo.lock version, worker-build, npm tools, Debian
//!   chromium for browser tests, schemathesis in `.venv/` for the API fuzz run)
//! - `build`  the widget (its two wasm bundles + JS + loader into dist/assets) and the worker
//!   (worker/build); `build widget` only the widget
//! - `dev`    build, migrate and seed local D1, run the worker on :8787 and the demo page on :8788
//! - `test`   build and run every test: native, Store contract, workerd integration, browser,
//!   a short API fuzz run (schemathesis), and a few seconds of each parser fuzz target
//! - `fuzz [SECONDS] [TARGET…]`  each parser fuzz target (`fuzz/`) for SECONDS (default 60)
//! - `bench`  measure sizes and build times (results go in docs/BENCHMARKS.md); `bench fuzz-api`
//!   the long API fuzz run; `bench ledger [N…]` the native ledger and statistics bench at the
//!   given sizes (`1M`, `100k`; default 10k, 100k and 1M)
//! - `openapi` write docs/openapi.json from the code (the worker serves that file)

mod admin;
mod bench;
mod build;
mod dev;
mod fuzz;
mod setup;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    // Started by rustc as the widget's linker (see `build::widget`), not by a person.
    if let Some(lld) = std::env::var_os(build::WIDGET_LLD_ENV) {
        return build::link_widget(lld, std::env::args_os().skip(1));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(setup::Needs::Everything),
        Some("build") => {
            setup::run(setup::Needs::Build).and_then(|()| match args.get(1).map(String::as_str) {
                Some("widget") => build::widget(),
                _ => build::all(),
            })
        }
        Some("dev") => dev::run(),
        Some("test") => test(&args[1..]),
        Some("fuzz") => setup::fuzzing().and_then(|()| fuzz::command(&args[1..])),
        Some("bench") => bench::run(args.get(1).map(String::as_str), args.get(2..).unwrap_or_default()),
        Some("openapi") => openapi(),
        Some("admin") => admin::command(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <setup|build|dev|test|fuzz|bench|openapi|admin>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes docs/openapi.json from the code: the worker's snapshot test of that file, told to
/// update it (expect-test's `UPDATE_EXPECT`). Rebuild the worker afterwards to serve it.
fn openapi() -> Result {
    let test = "openapi::tests::docs_openapi_json_is_the_generated_document";
    let args = ["test", "-p", "consent-worker", "--lib", "--", test, "--exact"];
    run(cargo().env("UPDATE_EXPECT", "1").args(args))
}

/// Every test: native units and the SQLite contract, then workerd integration and the browser
/// (the `consent-tests` crate starts and stops those servers itself). Ends with one summary
/// line over every test binary, so the last line says how many tests ran.
fn test(extra: &[String]) -> Result {
    setup::run(setup::Needs::Everything)?;
    build::all()?;
    let mut cmd = cargo();
    // --all-targets also compiles the benches, so they cannot rot between bench runs.
    cmd.args(["test", "--workspace", "--all-targets", "--no-fail-fast"]).args(extra);
    eprintln!("$ {}", describe(&cmd));
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start cargo test: {e}"))?;
    let (mut passed, mut failed) = (0u64, 0u64);
    let stdout = child.stdout.take().expect("piped stdout");
    for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        if let Some((p, f)) = counts(&line) {
            passed += p;
            failed += f;
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    // A few seconds of each parser fuzz target: its summary line counts like a test binary's.
    let fuzzed = match fuzz::run_all(fuzz::TEST_BUDGET, &[]) {
        Ok(outcomes) => {
            let failed = outcomes.iter().filter(|o| !o.ok).count();
            format!("{} passed, {failed} failed", outcomes.len() - failed)
        }
        Err(e) => {
            println!("fuzz targets: {e}");
            "0 passed, 1 failed".to_string()
        }
    };
    println!("{fuzzed}");
    if let Some((p, f)) = counts(&fuzzed) {
        passed += p;
        failed += f;
    }
    println!("\nall test binaries: {passed} passed, {failed} failed");
    if status.success() && failed == 0 {
        Ok(())
    } else {
        Err(format!("tests failed ({status})"))
    }
}

/// Pass/fail counts from libtest's `test result:` line or our harness's `N passed, N failed`.
fn counts(line: &str) -> Option<(u64, u64)> {
    let line = line.trim();
    let rest =
        line.strip_prefix("test result: ").map(|r| r.split_once(". ").map_or(r, |(_, r)| r)).unwrap_or(line);
    let mut parts = rest.split([';', ',']).map(str::trim);
    let passed = parts.next()?.strip_suffix(" passed")?.parse().ok()?;
    let failed = parts.next()?.strip_suffix(" failed")?.parse().ok()?;
    Some((passed, failed))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ has a parent").to_path_buf()
}

pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs a command with inherited output; a non-zero exit is an error naming the command.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {}", describe(cmd));
    let status = cmd.status().map_err(|e| format!("cannot start {}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

/// Runs a command quietly and returns its stdout, or `None` if it could not run or failed.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy())
        .chain(cmd.get_args().map(|a| a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_both_summary_shapes() {
        use super::counts;
        assert_eq!(counts("test result: ok. 17 passed; 0 failed; 0 ignored; 0 measured"), Some((17, 0)));
        assert_eq!(counts("test result: FAILED. 8 passed; 1 failed; 0 ignored"), Some((8, 1)));
        assert_eq!(counts("14 passed, 0 failed"), Some((14, 0)));
        assert_eq!(counts("test foo ... ok"), None);
    }
}
