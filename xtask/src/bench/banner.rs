//! The banner against vanilla-cookieconsent and klaro in one Chromium run
//! (`bench/banner/compare.mjs`): the worker in workerd and the demo site's page without a form;
//! first unthrottled, then with the CPU throttled 4× (a slow phone) for time to banner and long tasks.

use std::process::Command;

use consent_tests::demo_host::DemoHost;
use consent_tests::secrets::worker_secrets;
use consent_tests::wrangler::{LocalD1, WranglerDev};
use consent_tests::{free_port, repo_root};

use crate::{run as run_cmd, Result};

pub fn run() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("consent-banner-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d1 = LocalD1::new(&dir);
    d1.migrate()?;
    d1.execute_file(&repo_root().join("worker/seed/demo.sql"))?;
    let worker_port = free_port();
    let host = DemoHost::start(0, &format!("http://127.0.0.1:{worker_port}"))?;
    d1.query(&format!("INSERT INTO site_origins (site_id, origin) VALUES ('demo', '{}')", host.origin()))?;
    let worker = WranglerDev::start_release(&d1, worker_port, &worker_secrets())?;
    let page = format!("{}about", host.url());
    if std::env::var_os("CONSENT_BENCH_HOLD").is_some() {
        // For profiling by hand: keep the worker (it serves dist/assets as they are rebuilt by
        // `cargo xtask build widget`) and the demo page up, and run compare.mjs against them.
        println!("CONSENT_BENCH_PAGE={page}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
    let result = run_cmd(
        Command::new("node")
            .arg(repo_root().join("bench/banner/compare.mjs"))
            .current_dir(repo_root())
            .env("CONSENT_BENCH_PAGE", page),
    );
    drop(host);
    drop(worker);
    let _ = std::fs::remove_dir_all(&dir);
    result
}
