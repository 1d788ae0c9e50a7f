//! `cargo xtask <command>` — how Consent is set up, built, run and tested. The only crate that
//! runs shell commands (besides the test harness starting the runtime it tests).
//!
//! - `setup`  install what is missing, idempotently (wasm32 std, wasm-bindgen-cli at the
//!            Cargo.lock version, worker-build, npm tools, Debian chromium for browser tests)
//! - `build`  the widget (wasm + glue + loader into dist/assets) and the worker (worker/build)
//! - `dev`    build, migrate and seed local D1, run the worker on :8787 and the demo page on :8788
//! - `test`   build and run every test: native, Store contract, workerd integration, browser
//! - `bench`  measure sizes and build times (results go in docs/BENCHMARKS.md)

mod bench;
mod build;
mod dev;
mod setup;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(setup::Needs::Everything),
        Some("build") => setup::run(setup::Needs::Build).and_then(|()| build::all()),
        Some("dev") => dev::run(),
        Some("test") => test(&args[1..]),
        Some("bench") => bench::run(args.get(1).map(String::as_str)),
        _ => {
            eprintln!("usage: cargo xtask <setup|build|dev|test|bench>");
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

/// Every test: native units and the SQLite contract, then workerd integration and the browser
/// (the `consent-tests` crate starts and stops those servers itself).
fn test(extra: &[String]) -> Result {
    setup::run(setup::Needs::Everything)?;
    build::all()?;
    let mut cmd = cargo();
    cmd.args(["test", "--workspace", "--no-fail-fast"]).args(extra);
    run(&mut cmd)
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

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy())
        .chain(cmd.get_args().map(|a| a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}
