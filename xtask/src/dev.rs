//! `cargo xtask dev`: the whole system locally — the worker in workerd on local D1 at :8787, the
//! demo member page at :8788, and a local outbox standing in for the email API (preference links,
//! confirmations) — until Ctrl-C.

use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use consent_tests::demo_host::DemoHost;
use consent_tests::mail_capture::MailCapture;
use consent_tests::wrangler::{LocalD1, WranglerDev};

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

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).map_err(|e| e.to_string())?;

    let outbox = MailCapture::start()?;
    let mail_url = outbox.url();
    let mail = [
        ("MAIL_API_URL", mail_url.as_str()),
        ("MAIL_API_KEY", "local-outbox"),
        ("MAIL_FROM", "Demo Alumni Association <alumni@example.org>"),
    ];
    let worker = WranglerDev::start(&d1, WORKER_PORT, &mail)?;
    let demo = DemoHost::start(DEMO_PORT, &worker.origin())?;
    println!(
        "\nConsent is running:\n  worker (API, widget.js)  {}\n  demo member page         {}\n\
         \x20 lost your link?          {}/preferences/demo\n  outbox (mail sent)       {}\n\
         Admin key: ADMIN_KEY in .dev.vars. Records: \
         npx wrangler d1 execute DB --local --command \"SELECT * FROM consent_events\"\n\
         Worker log: {}\nPress Ctrl-C to stop.",
        worker.origin(),
        demo.url(),
        worker.origin(),
        outbox.messages_url(),
        worker.log.display()
    );
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("\nstopping…");
    drop(demo);
    drop(worker);
    drop(outbox);
    Ok(())
}

/// Creates `.dev.vars` (git-ignored) with fresh random keys when it does not exist yet.
fn ensure_dev_vars() -> Result {
    let path = root().join(".dev.vars");
    if path.exists() {
        return ensure_ledger_key(&path);
    }
    let contents = format!(
        "# Local secrets for wrangler dev (git-ignored; created by cargo xtask dev).\n\
         ADMIN_KEY={}\nSUBJECT_KEY={}\nTOKEN_KEYS=k1:{}\nLEDGER_KEY={}\n",
        random_hex(32)?,
        random_hex(32)?,
        random_hex(32)?,
        random_hex(32)?
    );
    fs::write(&path, contents).map_err(|e| format!(".dev.vars: {e}"))?;
    println!("created .dev.vars with random ADMIN_KEY, SUBJECT_KEY, TOKEN_KEYS and LEDGER_KEY");
    Ok(())
}

/// A `.dev.vars` from before the ledger was keyed gets a `LEDGER_KEY` added (nothing else changes).
fn ensure_ledger_key(path: &std::path::Path) -> Result {
    let existing = fs::read_to_string(path).map_err(|e| format!(".dev.vars: {e}"))?;
    if existing.lines().any(|l| l.trim_start().starts_with("LEDGER_KEY=")) {
        return Ok(());
    }
    let separator = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
    let updated = format!("{existing}{separator}LEDGER_KEY={}\n", random_hex(32)?);
    fs::write(path, updated).map_err(|e| format!(".dev.vars: {e}"))?;
    println!("added a random LEDGER_KEY to .dev.vars");
    Ok(())
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    use std::io::Read;
    fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf)).map_err(|e| e.to_string())?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
