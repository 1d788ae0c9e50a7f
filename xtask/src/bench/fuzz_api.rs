//! `cargo xtask bench fuzz-api`: the long API fuzz run (the `apifuzz` test binary runs a short
//! one with the same code, consent_tests::api_fuzz). Fails on any schemathesis failure.

use std::time::Duration;

use consent_tests::api_fuzz::{run as run_plan, Plan};

use crate::{setup, Result};

/// `CONSENT_FUZZ_EXAMPLES` (cases per operation and phase, default 250), `CONSENT_FUZZ_TIMEOUT`
/// (seconds before the run is stopped and failed, default 1800), `CONSENT_FUZZ_SEED` (a fixed
/// seed; random by default) and `CONSENT_FUZZ_HEADERS` (`Name: value;…` on every request).
fn plan() -> Plan {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    Plan {
        max_examples: var("CONSENT_FUZZ_EXAMPLES").unwrap_or(250) as u32,
        timeout: Duration::from_secs(var("CONSENT_FUZZ_TIMEOUT").unwrap_or(1800)),
        seed: var("CONSENT_FUZZ_SEED"),
        extra_headers: Plan::headers_from_env(),
    }
}

pub fn run() -> Result {
    setup::schemathesis()?;
    let plan = plan();
    let report = run_plan(&plan)?;
    println!("\n{}", report.text());
    println!(
        "\n| examples per operation | cases | operations | failures | errors | seconds |\n\
         |---:|---:|---:|---:|---:|---:|\n\
         | {} | {} | {} of {} | {} | {} | {:.0} |",
        plan.max_examples,
        report.cases,
        report.operations_tested,
        report.operations_listed,
        report.failures,
        report.errors,
        report.time.as_secs_f64(),
    );
    report.holds()
}
