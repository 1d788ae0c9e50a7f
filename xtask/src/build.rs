//! Builds the two wasm artefacts: the widget into `dist/assets` (served as static assets by the
//! worker) and the worker into `worker/build` (what wrangler runs).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::setup::cargo_bin;
use crate::{cargo, root, run, Result};

pub fn all() -> Result {
    widget()?;
    worker()
}

pub fn assets_dir() -> PathBuf {
    root().join("dist/assets")
}

fn node_bin(rel: &str) -> PathBuf {
    root().join("node_modules").join(rel)
}

fn esbuild() -> PathBuf {
    node_bin("@esbuild/linux-x64/bin/esbuild")
}

/// Any page may load the widget's files; the API itself checks origins per site.
const ASSET_HEADERS: &str = "\
/widget.js
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=300
/widget/*
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=300
";

pub fn widget() -> Result {
    let root = root();
    run(cargo().args([
        "build",
        "-p",
        "consent-widget",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ]))?;
    let assets = assets_dir();
    let out = assets.join("widget");
    let _ = fs::remove_dir_all(&assets);
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let wasm = root.join("target/wasm32-unknown-unknown/release/consent_widget.wasm");
    run(Command::new(cargo_bin("wasm-bindgen"))
        .args(["--target", "web", "--no-typescript", "--remove-name-section", "--remove-producers-section"])
        .arg("--out-dir")
        .arg(&out)
        .arg(&wasm))?;
    let bg = out.join("consent_widget_bg.wasm");
    run(Command::new(node_bin(".bin/wasm-opt")).arg(&bg).arg("-Oz").arg("-o").arg(&bg))?;
    let glue = out.join("consent_widget.js");
    minify(&glue, &glue, &["--format=esm"])?;
    minify(&root.join("widget/loader/widget.js"), &assets.join("widget.js"), &[])?;
    fs::write(assets.join("_headers"), ASSET_HEADERS).map_err(|e| e.to_string())
}

fn minify(input: &Path, output: &Path, extra: &[&str]) -> Result {
    run(Command::new(esbuild())
        .arg(input)
        .args(["--minify", "--log-level=warning", "--allow-overwrite"])
        .args(extra)
        .arg(format!("--outfile={}", output.display())))
}

pub fn worker() -> Result {
    let root = root();
    run(Command::new(cargo_bin("worker-build"))
        .arg("--release")
        .current_dir(root.join("worker"))
        .env("WASM_BINDGEN_BIN", cargo_bin("wasm-bindgen"))
        .env("ESBUILD_BIN", esbuild())
        .env("WASM_OPT_BIN", node_bin(".bin/wasm-opt")))
}
