//! `cargo xtask bench burst`: a mass email's unsubscribe burst, time-compressed (one second
//! here stands for a minute of docs/SCALING.md's model), against the local worker; prints
//! per-second due / acknowledged / p50 / p99 / backlog. Measures, never fails on speed.

use consent_tests::burst::{run as run_plan, Plan};

use crate::Result;

/// `CONSENT_BURST_PEAK` (requests/s at the start, default 400), `CONSENT_BURST_TAU` (decay,
/// seconds, default 5), `CONSENT_BURST_SECS` (default 20), `CONSENT_BURST_CLIENTS` (default 64).
fn plan() -> Plan {
    let var =
        |name: &str, default: f64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    Plan {
        peak_per_sec: var("CONSENT_BURST_PEAK", 400.0),
        tau_secs: var("CONSENT_BURST_TAU", 5.0),
        secs: var("CONSENT_BURST_SECS", 20.0) as u64,
        clients: var("CONSENT_BURST_CLIENTS", 64.0) as usize,
    }
}

pub fn run() -> Result {
    let report = run_plan(plan())?;
    println!("\n{}", report.text());
    Ok(())
}
