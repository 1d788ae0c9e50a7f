//! Crash and restart under load, short version (the long one is `cargo xtask bench loadfault`):
//! clients post submissions with Idempotency-Keys while workerd is killed with SIGKILL and
//! `wrangler dev` is started again; every acknowledged submission must be in D1 exactly once
//! and the ledger must verify. The numbers are printed, never asserted (speed goes to benches).

use std::process::ExitCode;
use std::time::Duration;

use consent_tests::harness::Harness;
use consent_tests::loadfault::{run, Plan};

fn main() -> ExitCode {
    let mut h = Harness::default();
    h.case("acknowledged_submissions_survive_a_runtime_kill_exactly_once", || {
        let report = run(Plan { clients: 10, duration: Duration::from_secs(15), kills: 1 })?;
        println!("{}", report.text());
        report.holds()
    });
    h.finish()
}
