//! `cargo xtask admin add-owner EMAIL [--site SITE] [--url URL]`: makes an address an owner of
//! a site on a running worker (default: the one `cargo xtask dev` runs at :8787, site `demo`),
//! through `POST /api/v1/admin/sites/{site}/owners` with the `ADMIN_KEY` from `.dev.vars` — the
//! same endpoint a deployed worker's first owner is made with, so the act lands in the audit
//! trail like any other. The person then signs in at `{url}/admin/sign-in`.

use std::fs;

use crate::dev::WORKER_PORT;
use crate::{root, Result};

pub const DEMO_OWNER: &str = "owner@example.org";

pub fn command(args: &[String]) -> Result {
    let usage = "usage: cargo xtask admin add-owner EMAIL [--site SITE] [--url URL]";
    let (Some("add-owner"), Some(email)) = (args.first().map(String::as_str), args.get(1)) else {
        return Err(usage.into());
    };
    let mut site = "demo".to_string();
    let mut url = format!("http://127.0.0.1:{WORKER_PORT}");
    let mut rest = args[2..].iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or(usage)?;
        match flag.as_str() {
            "--site" => site = value.clone(),
            "--url" => url = value.trim_end_matches('/').to_string(),
            _ => return Err(usage.into()),
        }
    }
    add_owner(&url, &site, email, &admin_key()?)?;
    println!("{email} is an owner of site '{site}': sign in at {url}/admin/sign-in");
    Ok(())
}

/// The ADMIN_KEY `cargo xtask dev` keeps in `.dev.vars` (or `$ADMIN_KEY`, for another worker).
pub fn admin_key() -> Result<String> {
    if let Ok(key) = std::env::var("ADMIN_KEY") {
        return Ok(key);
    }
    let vars = fs::read_to_string(root().join(".dev.vars"))
        .map_err(|e| format!(".dev.vars: {e} (run `cargo xtask dev` once, or set ADMIN_KEY)"))?;
    vars.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(n, _)| n.trim() == "ADMIN_KEY")
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .ok_or_else(|| ".dev.vars has no ADMIN_KEY".into())
}

pub fn add_owner(url: &str, site: &str, email: &str, admin_key: &str) -> Result {
    let body = serde_json::json!({ "email": email }).to_string();
    let answer = ureq::post(&format!("{url}/api/v1/admin/sites/{site}/owners"))
        .set("authorization", &format!("Bearer {admin_key}"))
        .set("content-type", "application/json")
        .send_string(&body);
    match answer {
        Ok(_) => Ok(()),
        Err(ureq::Error::Status(status, r)) => {
            Err(format!("add-owner: {status} {}", r.into_string().unwrap_or_default()))
        }
        Err(e) => Err(format!("add-owner: is the worker running at {url}? {e}")),
    }
}
