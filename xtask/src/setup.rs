//! Installs what the build and tests need, each step skipped when already in place, so running
//! it again costs a few version checks.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{output, root, Result};

pub const WORKER_BUILD_VERSION: &str = "0.8.7";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Compilers and npm tools: enough for `build` and `dev`.
    Build,
    /// Also the browser for the browser tests.
    Everything,
}

pub fn run(needs: Needs) -> Result {
    wasm_target()?;
    widget_nightly()?;
    wasm_bindgen_cli()?;
    worker_build()?;
    npm_tools()?;
    if needs == Needs::Everything {
        chromium()?;
        cargo_fuzz()?;
        schemathesis()?;
    }
    Ok(())
}

/// What `cargo xtask fuzz` needs: the pinned nightly and cargo-fuzz.
pub fn fuzzing() -> Result {
    widget_nightly()?;
    cargo_fuzz()
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin").join(name)
}

fn wasm_target() -> Result {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    crate::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"])).map_err(|e| {
        format!(
            "{e}\nrustup could not install the wasm32 standard library. The offline fallback \
             (Debian rustc-web + build-std) is described in ../shared/notes/wasm-toolchain.md."
        )
    })
}

/// The pinned nightly the widget is built with (`-Zbuild-std` needs its `rust-src`; the wasm32
/// standard library is compiled from that, so the toolchain needs no wasm32 target of its own).
fn widget_nightly() -> Result {
    let nightly = crate::build::WIDGET_NIGHTLY;
    let sysroot = output(Command::new("rustup").args(["run", nightly, "rustc", "--print", "sysroot"]));
    let has_src =
        sysroot.is_some_and(|s| Path::new(s.trim()).join("lib/rustlib/src/rust/library/std").is_dir());
    if has_src {
        return Ok(());
    }
    crate::run(Command::new("rustup").args([
        "toolchain",
        "install",
        nightly,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
    ]))
    .map_err(|e| format!("{e}\nthe widget is built with {nightly} and -Zbuild-std (see xtask/src/build.rs)"))
}

/// The exact wasm-bindgen version Cargo.lock resolved: the CLI must match it to the digit.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen not found in Cargo.lock".into())
}

fn wasm_bindgen_cli() -> Result {
    let version = locked_wasm_bindgen_version()?;
    let have = output(Command::new(cargo_bin("wasm-bindgen")).arg("--version")).unwrap_or_default();
    if have.trim() == format!("wasm-bindgen {version}") {
        return Ok(());
    }
    // No --locked: 0.2.130's own lockfile pins a yanked crate (see shared notes).
    crate::run(crate::cargo().args(["install", "wasm-bindgen-cli", "--version", &version, "--force"]))
}

fn worker_build() -> Result {
    let have = output(Command::new(cargo_bin("worker-build")).arg("--version")).unwrap_or_default();
    if have.contains(WORKER_BUILD_VERSION) {
        return Ok(());
    }
    crate::run(crate::cargo().args([
        "install",
        "worker-build",
        "--version",
        WORKER_BUILD_VERSION,
        "--locked",
        "--force",
    ]))
}

/// libFuzzer's driver (`cargo fuzz`), for the parser fuzz targets in `fuzz/`. Any version will
/// do; it runs on the pinned nightly (`xtask/src/fuzz.rs`).
fn cargo_fuzz() -> Result {
    if output(crate::cargo().args(["fuzz", "--version"])).is_some() {
        return Ok(());
    }
    crate::run(crate::cargo().args(["install", "cargo-fuzz", "--locked"]))
}

/// schemathesis at the pinned version in the project's own virtualenv (`.venv/`, git-ignored),
/// for the API fuzz run (`consent_tests::api_fuzz`). Needs python3 with the venv module.
pub fn schemathesis() -> Result {
    use consent_tests::api_fuzz::{schemathesis_bin, venv_dir, SCHEMATHESIS_VERSION};
    let have = output(Command::new(schemathesis_bin()).arg("--version")).unwrap_or_default();
    if have.trim().ends_with(&format!("version {SCHEMATHESIS_VERSION}")) {
        return Ok(());
    }
    let venv = venv_dir();
    if !venv.join("bin/pip").exists() {
        crate::run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).map_err(|e| {
            format!("{e}\nthe API fuzz run needs python3 with venv (Debian: apt-get install python3-venv)")
        })?;
    }
    crate::run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
    ]))
}

fn npm_tools() -> Result {
    let root = root();
    let marker = root.join("node_modules/.package-lock.json");
    if is_newer_or_equal(&marker, &root.join("package-lock.json"))
        && root.join("node_modules/.bin/wrangler").exists()
    {
        return Ok(());
    }
    crate::run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&root))
}

fn is_newer_or_equal(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(a), modified(b)), (Some(a), Some(b)) if a >= b)
}

pub const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium() -> Result {
    if Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    let apt = |args: &[&str]| {
        let mut cmd = Command::new("apt-get");
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        crate::run(&mut cmd)
    };
    apt(&["update", "-q"])?;
    apt(&["install", "-y", "-q", "chromium"])
        .map_err(|e| format!("{e}\nthe browser tests need Debian's chromium (apt-get install chromium)"))
}
