//! Helpers for running Consent's real parts locally: `wrangler dev` (workerd + local D1) and the
//! demo host page, each started on 127.0.0.1 and stopped when dropped. Used by the integration
//! and browser tests and by `cargo xtask dev`.

pub mod api_fuzz;
pub mod bench_config;
pub mod burst;
pub mod client;
pub mod console_forms;
pub mod demo_host;
pub mod fixture;
pub mod harness;
pub mod loadfault;
pub mod local_server;
pub mod mail_capture;
pub mod secrets;
pub mod wrangler;

use std::net::TcpListener;
use std::path::PathBuf;

/// The repository root (this crate lives in `<root>/tests`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("bind 127.0.0.1:0").port()
}
