//! `cargo xtask bench loadfault`: crash and restart under load, the long run (the `loadfault`
//! test binary runs a short one with the same code, consent_tests::loadfault). Fails on any
//! lost or duplicated submission or a ledger that does not verify.

use std::time::Duration;

use consent_tests::loadfault::{run as run_plan, Plan};

use crate::Result;

/// `CONSENT_LOADFAULT_CLIENTS` / `CONSENT_LOADFAULT_SECS` / `CONSENT_LOADFAULT_KILLS` override
/// the plan (defaults: 50 clients, 60 s, one kill at the middle).
fn plan() -> Plan {
    let var =
        |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    Plan {
        clients: var("CONSENT_LOADFAULT_CLIENTS", 50),
        duration: Duration::from_secs(var("CONSENT_LOADFAULT_SECS", 60) as u64),
        kills: var("CONSENT_LOADFAULT_KILLS", 1),
    }
}

pub fn run() -> Result {
    let report = run_plan(plan())?;
    println!("\n{}", report.text());
    let v = &report.verify;
    println!(
        "\n| clients | seconds | kills | sent | acknowledged | stored | lost | duplicated | retries | p50 ms | p99 ms | events verified |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n\
         | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {} |",
        report.plan.clients,
        report.plan.duration.as_secs_f64(),
        report.kills.len(),
        report.sent,
        report.acknowledged,
        report.stored,
        report.lost,
        report.duplicated,
        report.retries,
        report.p50.as_secs_f64() * 1000.0,
        report.p99.as_secs_f64() * 1000.0,
        v["events_checked"],
    );
    report.holds()
}
