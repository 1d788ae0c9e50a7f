//! `cargo xtask bench`: measurements that are targets, never assertions in tests. Prints
//! Markdown tables to paste into docs/BENCHMARKS.md.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::{build, root, setup, Result};

mod banner;
mod burst;
mod fuzz_api;
mod ingest;
mod ledger;
mod loadfault;

/// `cargo xtask bench [sizes|ledger [N…]|ingest|banner|loadfault|burst|fuzz-api]` (all when none
/// is named).
pub fn run(which: Option<&str>, rest: &[String]) -> Result {
    // The ledger bench is native (SQLite): it needs neither the wasm build nor the npm tools.
    if which == Some("ledger") {
        return ledger::run_sizes(rest);
    }
    setup::run(setup::Needs::Build)?;
    let start = Instant::now();
    // `CONSENT_BENCH_NO_BUILD=1`: measure the artefacts `cargo xtask build` just wrote (for
    // repeated runs on a slow machine; `sizes` then reports no build time).
    if std::env::var("CONSENT_BENCH_NO_BUILD").is_ok_and(|v| v == "1") {
        eprintln!("CONSENT_BENCH_NO_BUILD=1: using the artefacts already built");
    } else {
        build::all()?;
    }
    let build_secs = start.elapsed().as_secs_f64();
    if matches!(which, None | Some("sizes")) {
        sizes()?;
        println!("\n(build of widget + worker in this run: {build_secs:.1} s; incremental unless target/ was empty)");
    }
    if matches!(which, None | Some("ledger")) {
        ledger::run_sizes(&[])?;
    }
    if matches!(which, None | Some("ingest")) {
        ingest::run()?;
    }
    if matches!(which, None | Some("banner")) {
        banner::run()?;
    }
    if matches!(which, None | Some("loadfault")) {
        loadfault::run()?;
    }
    if matches!(which, None | Some("burst")) {
        burst::run()?;
    }
    if matches!(which, None | Some("fuzz-api")) {
        fuzz_api::run()?;
    }
    Ok(())
}

fn sizes() -> Result {
    let root = root();
    let assets = build::assets_dir();
    // A first visit to a page without a form downloads the first three (the CSS is in the wasm);
    // a page with a form gets the forms build instead of the banner build.
    let rows = [
        ("widget loader (widget.js)", assets.join("widget.js")),
        ("widget banner wasm", assets.join("widget/consent_widget_bg.wasm")),
        ("widget banner JS (glue + ui.js + host.js)", assets.join("widget/consent_widget.js")),
        ("widget forms wasm (banner + forms)", assets.join("widget/consent_widget_forms_bg.wasm")),
        ("widget forms JS", assets.join("widget/consent_widget_forms.js")),
        (
            "widget sender (offline queue, GPC; pages with a form or a waiting sign-up)",
            assets.join("widget/consent_sender.js"),
        ),
        (
            "widget notice (notice-only sites: every optional category an exception here)",
            assets.join("widget/consent_notice.js"),
        ),
        ("worker wasm", root.join("worker/build/index_bg.wasm")),
        ("worker JS shim", root.join("worker/build/index.js")),
    ];
    println!("\n| artefact | raw bytes | gzip -9 bytes |\n|---|---:|---:|");
    let mut first_visit = (0, 0);
    for (i, (name, path)) in rows.iter().enumerate() {
        let (raw, gz) = measure(path)?;
        if i < 3 {
            first_visit = (first_visit.0 + raw, first_visit.1 + gz);
        }
        println!("| {name} | {raw} | {gz} |");
    }
    println!(
        "| widget first visit, no form (loader + banner wasm + banner JS) | {} | {} |",
        first_visit.0, first_visit.1
    );
    let (loader, notice) = (measure(&rows[0].1)?, measure(&rows[6].1)?);
    println!(
        "| widget first visit, notice-only site (loader + notice; the configuration is JSON) | {} | {} |",
        loader.0 + notice.0,
        loader.1 + notice.1
    );
    Ok(())
}

fn measure(path: &Path) -> Result<(usize, usize)> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let compressed = gz.finish().map_err(|e| e.to_string())?;
    Ok((bytes.len(), compressed.len()))
}
