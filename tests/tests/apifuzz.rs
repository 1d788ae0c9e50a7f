//! API fuzzing, short version (the long one is `cargo xtask bench fuzz-api`): schemathesis
//! generates requests for every operation in the served `/openapi.json` of the worker under test
//! (real site, admin key and link tokens) and fails on any 5xx, undocumented status or content
//! type, or body that does not match its schema. Fixed seed: the same cases every run, so a
//! failure here is reproducible and not a matter of luck.

use std::process::ExitCode;
use std::time::Duration;

use consent_tests::api_fuzz::{run, Plan};
use consent_tests::harness::Harness;

fn main() -> ExitCode {
    let mut h = Harness::default();
    h.case("every_operation_answers_as_documented_under_generated_requests", || {
        let plan = Plan {
            max_examples: 10,
            timeout: Duration::from_secs(300),
            seed: Some(10),
            extra_headers: Plan::headers_from_env(),
        };
        let report = run(&plan)?;
        println!("{}", report.text());
        report.holds()
    });
    h.finish()
}
