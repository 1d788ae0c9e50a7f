//! API fuzzing, short version (the long one is `cargo xtask bench fuzz-api`): schemathesis
//! generates requests for every operation in the served `/openapi.json` of the worker under test
//! (real site, admin key, link tokens and form values) and fails on any 5xx, undocumented status
//! or content type, or body that does not match its schema. Fixed seed: the generated inputs
//! repeat from run to run (only the addresses, ids and keys the hooks make fresh differ), so a
//! failure here is reproducible and not a matter of luck. Then the regression cases for what the
//! fuzzing found that only the real runtime shows.

use std::process::ExitCode;
use std::time::Duration;

use consent_tests::api_fuzz::{run, Plan};
use consent_tests::fixture::DemoWorker;
use consent_tests::harness::{ensure, Harness};

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
    let demo = match DemoWorker::start("apifuzz", false) {
        Ok(demo) => demo,
        Err(e) => {
            h.case("start_the_demo_worker", || Err(e));
            return h.finish();
        }
    };
    let origin = demo.origin();
    // Found by the fuzz run: a GET (or HEAD, OPTIONS) with a body was answered without reading
    // it, and wrangler dev's proxy then answered the next request on that connection with 503
    // "Your worker restarted mid-request".
    h.case("a_get_with_a_body_leaves_the_connection_usable", || {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
        let url = format!("{origin}/api/v1/sites/demo/consents");
        let mut statuses = Vec::new();
        for method in ["GET", "DELETE", "OPTIONS", "DELETE", "HEAD", "DELETE"] {
            let status = match agent
                .request(method, &url)
                .set("Content-Type", "application/json")
                .send_string(r#"{"a":1}"#)
            {
                Ok(r) => r.status(),
                Err(ureq::Error::Status(s, _)) => s,
                Err(e) => return Err(format!("{method} {url}: {e}")),
            };
            statuses.push(format!("{method} {status}"));
        }
        let got = statuses.join(", ");
        ensure(got == "GET 405, DELETE 405, OPTIONS 204, DELETE 405, HEAD 405, DELETE 405", || got.clone())
    });
    drop(demo);
    h.finish()
}
