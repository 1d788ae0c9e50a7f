//! `cargo xtask dev`: the whole system locally — the worker in workerd on local D1 at :8787, the
//! demo member page at :8788, and a local outbox standing in for the email API (preference links,
//! confirmations) — until Ctrl-C, SIGTERM or SIGHUP, which all stop wrangler, workerd, the demo
//! host and the outbox, so port 8787 is free for the next start.

use std::fs;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use consent_tests::demo_host::DemoHost;
use consent_tests::mail_capture::MailCapture;
use consent_tests::wrangler::{LocalD1, WranglerDev};

use crate::admin::DEMO_OWNER;
use crate::{build, root, setup, Result};

pub const WORKER_PORT: u16 = 8787;
pub const DEMO_PORT: u16 = 8788;

pub fn run() -> Result {
    setup::run(setup::Needs::Build)?;
    build::all()?;
    ensure_dev_vars()?;
    // wrangler's default local state, so `wrangler d1 execute DB --local` sees the same data.
    let d1 = LocalD1::new(root().join(".wrangler/state"));
    d1.migrate()?;
    d1.execute_file(&root().join("worker/seed/demo.sql"))?;

    let stop = stop_on_signals()?;

    let outbox = MailCapture::start()?;
    let mail_url = outbox.url();
    let mail = [
        ("MAIL_API_URL", mail_url.as_str()),
        ("MAIL_API_KEY", "local-outbox"),
        ("MAIL_FROM", "Demo Alumni Association <alumni@example.org>"),
    ];
    let worker = WranglerDev::start_release(&d1, WORKER_PORT, &mail)?;
    let demo = DemoHost::start(DEMO_PORT, &worker.origin())?;
    // A demo owner, so the console is one sign-in away (the link arrives in the outbox).
    crate::admin::add_owner(&worker.origin(), "demo", DEMO_OWNER, &crate::admin::admin_key()?)?;
    println!(
        "\nConsent is running:\n  worker (API, widget.js)  {}\n  demo member page         {}\n\
         \x20 lost your link?          {}/preferences/demo\n  outbox (mail sent)       {}\n\
         \x20 console                  {}/admin (sign in as {DEMO_OWNER}; the link arrives in the outbox)\n\
         Admin key: ADMIN_KEY in .dev.vars. Records: \
         npx wrangler d1 execute DB --local --command \"SELECT * FROM consent_events\"\n\
         Worker log: {}\nPress Ctrl-C to stop (SIGTERM and SIGHUP stop it the same way).",
        worker.origin(),
        demo.url(),
        worker.origin(),
        outbox.messages_url(),
        worker.origin(),
        worker.log.display()
    );
    while stop.load(Ordering::SeqCst) == 0 {
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("\nstopping…");
    drop(demo);
    drop(worker);
    drop(outbox);
    Ok(())
}

/// Counts SIGINT, SIGTERM and SIGHUP (ctrlc's `termination` feature). `kill`, systemd and
/// container runtimes stop with SIGTERM; a closed terminal sends SIGHUP: each must stop the
/// children as Ctrl-C does, or wrangler and workerd keep port 8787.
fn stop_on_signals() -> Result<Arc<AtomicUsize>> {
    let signals = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&signals);
    ctrlc::set_handler(move || {
        count.fetch_add(1, Ordering::SeqCst);
    })
    .map_err(|e| e.to_string())?;
    Ok(signals)
}

/// The keys a local worker needs, each at least `MIN_KEY_BYTES` (as deployed; see
/// worker/src/app/config.rs), and how a fresh one looks.
const DEV_KEYS: [(&str, &str); 4] =
    [("ADMIN_KEY", ""), ("SUBJECT_KEY", ""), ("TOKEN_KEYS", "k1:"), ("LEDGER_KEY", "")];
const MIN_KEY_BYTES: usize = 32;

/// Creates `.dev.vars` (git-ignored) with fresh random keys, or completes an existing one: a
/// missing or too-short key is added or replaced; everything else is kept. Idempotent.
fn ensure_dev_vars() -> Result {
    let path = root().join(".dev.vars");
    let existing = fs::read_to_string(&path).ok();
    let mut fresh = || random_hex(32);
    let (contents, changed) = complete_dev_vars(existing.as_deref(), &mut fresh)?;
    if !changed.is_empty() {
        fs::write(&path, contents).map_err(|e| format!(".dev.vars: {e}"))?;
        println!(".dev.vars: added or replaced {}", changed.join(", "));
    }
    Ok(())
}

/// `.dev.vars` with every key of `DEV_KEYS` present and long enough, and the names it added or
/// replaced.
fn complete_dev_vars(
    existing: Option<&str>,
    fresh: &mut dyn FnMut() -> Result<String>,
) -> Result<(String, Vec<&'static str>)> {
    let mut lines: Vec<String> = match existing {
        Some(text) => text.lines().map(str::to_string).collect(),
        None => vec!["# Local secrets for wrangler dev (git-ignored; created by cargo xtask dev).".into()],
    };
    let mut changed = Vec::new();
    for (name, prefix) in DEV_KEYS {
        let at = lines.iter().position(|l| l.split_once('=').is_some_and(|(n, _)| n.trim() == name));
        let value = at.and_then(|i| lines[i].split_once('=')).map(|(_, v)| v.trim().trim_matches('"'));
        if value.is_some_and(|v| long_enough(name, v)) {
            continue;
        }
        let line = format!("{name}={prefix}{}", fresh()?);
        match at {
            Some(i) => lines[i] = line,
            None => lines.push(line),
        }
        changed.push(name);
    }
    // Links start with PUBLIC_ORIGIN; a bare `wrangler dev` then links to itself (xtask dev and
    // the test harnesses pass their own with --var).
    if !lines.iter().any(|l| l.split_once('=').is_some_and(|(n, _)| n.trim() == "PUBLIC_ORIGIN")) {
        lines.push(format!("PUBLIC_ORIGIN=http://127.0.0.1:{WORKER_PORT}"));
        changed.push("PUBLIC_ORIGIN");
    }
    let mut contents = lines.join("\n");
    contents.push('\n');
    Ok((contents, changed))
}

/// Every secret in the value is at least `MIN_KEY_BYTES` (`TOKEN_KEYS` holds `id:secret,…`).
fn long_enough(name: &str, value: &str) -> bool {
    if name != "TOKEN_KEYS" {
        return value.len() >= MIN_KEY_BYTES;
    }
    value
        .split(',')
        .all(|key| key.split_once(':').is_some_and(|(_, secret)| secret.trim().len() >= MIN_KEY_BYTES))
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    use std::io::Read;
    fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf)).map_err(|e| e.to_string())?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn complete(existing: Option<&str>) -> String {
        let mut n = 0;
        let mut fresh = || {
            n += 1;
            Ok(format!("{n}").repeat(32))
        };
        let (contents, changed) = complete_dev_vars(existing, &mut fresh).unwrap();
        format!("changed: {changed:?}\n{contents}")
    }

    #[test]
    fn dev_vars_are_created_completed_and_left_alone_as_data() {
        let k = "a".repeat(32);
        let cases = [
            ("none yet", None),
            (
                "short ADMIN_KEY, no LEDGER_KEY, a short token key",
                Some(format!(
                    "# mine\nADMIN_KEY=short\nSUBJECT_KEY={k}\nTOKEN_KEYS=k2:{k},k1:short\nMAIL_FROM=x\n"
                )),
            ),
            (
                "complete",
                Some(format!("ADMIN_KEY={k}\nSUBJECT_KEY={k}\nTOKEN_KEYS=k1:{k}\nLEDGER_KEY={k}\n")),
            ),
        ];
        let actual: String = cases
            .iter()
            .map(|(name, existing)| format!("== {name}\n{}", complete(existing.as_deref())))
            .collect();
        expect![[r#"
            == none yet
            changed: ["ADMIN_KEY", "SUBJECT_KEY", "TOKEN_KEYS", "LEDGER_KEY", "PUBLIC_ORIGIN"]
            # Local secrets for wrangler dev (git-ignored; created by cargo xtask dev).
            ADMIN_KEY=11111111111111111111111111111111
            SUBJECT_KEY=22222222222222222222222222222222
            TOKEN_KEYS=k1:33333333333333333333333333333333
            LEDGER_KEY=44444444444444444444444444444444
            PUBLIC_ORIGIN=http://127.0.0.1:8787
            == short ADMIN_KEY, no LEDGER_KEY, a short token key
            changed: ["ADMIN_KEY", "TOKEN_KEYS", "LEDGER_KEY", "PUBLIC_ORIGIN"]
            # mine
            ADMIN_KEY=11111111111111111111111111111111
            SUBJECT_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            TOKEN_KEYS=k1:22222222222222222222222222222222
            MAIL_FROM=x
            LEDGER_KEY=33333333333333333333333333333333
            PUBLIC_ORIGIN=http://127.0.0.1:8787
            == complete
            changed: ["PUBLIC_ORIGIN"]
            ADMIN_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            SUBJECT_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            TOKEN_KEYS=k1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            LEDGER_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            PUBLIC_ORIGIN=http://127.0.0.1:8787
        "#]]
        .assert_eq(&actual);
        // Completing twice changes nothing the second time.
        let once = complete_dev_vars(Some("ADMIN_KEY=x\n"), &mut || random_hex(32)).unwrap().0;
        assert_eq!(complete_dev_vars(Some(&once), &mut || random_hex(32)).unwrap(), (once, vec![]));
    }

    /// SIGTERM, SIGHUP and SIGINT each reach the stop flag `dev` polls (the one test in this
    /// binary that installs the process-wide handler).
    #[test]
    fn termination_signals_reach_the_stop_flag() {
        let stop = stop_on_signals().unwrap();
        for (n, signal) in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT].into_iter().enumerate() {
            // SAFETY: sends a signal to this process, whose handler ctrlc has just installed.
            unsafe { libc::kill(libc::getpid(), signal) };
            while stop.load(Ordering::SeqCst) <= n {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        assert_eq!(stop.load(Ordering::SeqCst), 3);
    }
}
