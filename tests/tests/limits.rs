//! Issue 9's limits against the real worker in workerd (wrangler dev) on local D1: rate limits
//! (Workers Rate Limiting, which wrangler dev runs locally), bounded body reads, links from
//! `PUBLIC_ORIGIN`, the Welsh unsubscribe page, and the release build without `/__contract`.
//!
//! Measured with wrangler 4.86: `wrangler dev` passes a client's `CF-Connecting-IP` through to
//! the worker (and sets 127.0.0.1 when there is none), so each case here counts under its own
//! client address and the cases do not share a rate-limit bucket.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use consent_tests::client::{call, Reply};
use consent_tests::harness::{ensure, Harness};
use consent_tests::secrets::{worker_secrets, ADMIN_BEARER};
use consent_tests::wrangler::{LocalD1, WranglerDev};
use consent_tests::{free_port, repo_root};

/// The limit of `CLIENT_LIMITER` in wrangler.toml.
const CLIENT_LIMIT: usize = 60;

/// Sends `req` until it is refused with 429, and returns how many went through and the refusal.
/// Rate-limit windows are fixed (a new one starts every period), so a window may end midway:
/// at most twice the limit are ever needed.
fn until_refused(limit: usize, send: impl Fn() -> Reply) -> Result<(usize, Reply), String> {
    for sent in 0..=2 * limit + 1 {
        let r = send();
        if r.status == 429 {
            return Ok((sent, r));
        }
    }
    Err(format!("no 429 after {} requests", 2 * limit + 2))
}

/// POSTs `total` bytes as a chunked body with no Content-Length over a raw connection, and
/// returns the status line the worker answers with. The body is written from another thread,
/// so an answer that comes before the body ends is read, not lost to a broken pipe.
fn post_chunked(port: u16, path: &str, total: usize) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Origin: http://127.0.0.1:8788\r\nCF-Connecting-IP: 10.9.0.3\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    );
    let sender = std::thread::spawn(move || -> std::io::Result<usize> {
        writer.write_all(head.as_bytes())?;
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < total {
            write!(writer, "{:x}\r\n", chunk.len())?;
            writer.write_all(&chunk)?;
            writer.write_all(b"\r\n")?;
            sent += chunk.len();
        }
        writer.write_all(b"0\r\n\r\n")?;
        Ok(sent)
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // The status line and headers are enough.
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => return Err(format!("reading the answer: {e}")),
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sender.join();
    let text = String::from_utf8_lossy(&answer);
    Ok(text.lines().next().unwrap_or("").to_string())
}

fn file_has(path: &str, needle: &[u8]) -> Result<bool, String> {
    let bytes = std::fs::read(repo_root().join(path)).map_err(|e| format!("{path}: {e}"))?;
    Ok(bytes.windows(needle.len()).any(|w| w == needle))
}

fn main() -> ExitCode {
    let dir = std::env::temp_dir().join(format!("consent-limits-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d1 = LocalD1::new(dir.join("test"));
    let setup = d1
        .migrate()
        .and_then(|()| d1.execute_file(&repo_root().join("worker/seed/demo.sql")))
        .and_then(|()| WranglerDev::start(&d1, free_port(), &worker_secrets()));
    let worker = match setup {
        Ok(w) => w,
        Err(e) => {
            println!("setup failed: {e}\n0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let base = worker.origin();
    let base = base.as_str();
    let mut h = Harness::default();

    h.case("api_answers_429_with_retry_after_after_the_client_limit", || {
        let send = || {
            let headers = [
                ("Origin", "http://127.0.0.1:8788"),
                ("Content-Type", "application/json"),
                ("CF-Connecting-IP", "10.9.0.1"),
            ];
            call(base, "POST", "/api/v1/sites/demo/consents", &headers, Some("{}"))
        };
        let (sent, refused) = until_refused(CLIENT_LIMIT, send)?;
        ensure(sent >= CLIENT_LIMIT, || format!("refused after only {sent}"))?;
        ensure(refused.header("retry-after") == Some("60"), || format!("{:?}", refused.headers))?;
        ensure(refused.json()["error"]["code"] == "rate_limited", || refused.body.clone())?;
        // Another client is not refused.
        let other = call(
            base,
            "POST",
            "/api/v1/sites/demo/consents",
            &[("Content-Type", "application/json"), ("CF-Connecting-IP", "10.9.0.2")],
            Some("{}"),
        );
        ensure(other.status != 429, || format!("another client: {} {}", other.status, other.body))
    });

    h.case("page_answers_429_with_a_readable_welsh_page", || {
        let send = || {
            let headers =
                [("Content-Type", "application/x-www-form-urlencoded"), ("CF-Connecting-IP", "10.9.0.4")];
            call(base, "POST", "/preferences/demo", &headers, Some("email=a%40example.org&lang=cy"))
        };
        let (_, refused) = until_refused(CLIENT_LIMIT, send)?;
        ensure(refused.header("retry-after") == Some("60"), || format!("{:?}", refused.headers))?;
        ensure(refused.header("content-type").is_some_and(|c| c.starts_with("text/html")), || {
            format!("{:?}", refused.headers)
        })?;
        ensure(refused.body.contains("lang=\"cy\"") && refused.body.contains("Gormod o geisiadau"), || {
            refused.body.clone()
        })
    });

    h.case("a_20_mb_chunked_body_is_refused_413_and_the_worker_stays_up", || {
        let status = post_chunked(worker.port, "/api/v1/sites/demo/consents", 20 * 1024 * 1024)?;
        ensure(status.starts_with("HTTP/1.1 413"), || format!("answered {status:?}"))?;
        let health = call(base, "GET", "/healthz", &[], None);
        ensure(health.status == 200, || format!("healthz after: {} {}", health.status, health.body))
    });

    h.case("links_start_with_public_origin_whatever_the_host", || {
        let r = call(
            base,
            "POST",
            "/api/v1/admin/sites/demo/links",
            &[
                ("Authorization", ADMIN_BEARER),
                ("Content-Type", "application/json"),
                ("Host", "evil.example"),
            ],
            Some(r#"{"email":"ada@example.org"}"#),
        );
        ensure(r.status == 200, || r.body.clone())?;
        let url = r.json()["unsubscribe_url"].as_str().unwrap_or("").to_string();
        ensure(url.starts_with(&format!("{base}/u/")), || format!("{url} does not start with {base}"))
    });

    h.case("the_unsubscribe_page_speaks_welsh", || {
        let r = call(
            base,
            "POST",
            "/api/v1/admin/sites/demo/links",
            &[("Authorization", ADMIN_BEARER), ("Content-Type", "application/json")],
            Some(r#"{"email":"ada@example.org","purpose":"news"}"#),
        );
        let url = r.json()["unsubscribe_url"].as_str().unwrap_or("").to_string();
        let path = url.strip_prefix(base).ok_or_else(|| r.body.clone())?;
        let cy = call(base, "GET", &format!("{path}?lang=cy"), &[], None);
        ensure(cy.status == 200, || cy.body.clone())?;
        ensure(
            cy.body.contains("<html lang=\"cy\"")
                && cy.body.contains("Dad-danysgrifio")
                && cy.body.contains("English"),
            || cy.body.clone(),
        )?;
        let en = call(base, "GET", path, &[], None);
        ensure(en.body.contains("<html lang=\"en\"") && en.body.contains("Cymraeg"), || en.body.clone())
    });

    h.case("the_release_build_has_no_contract_route", || {
        for file in ["worker/build/index_bg.wasm", "worker/build/index.js"] {
            ensure(!file_has(file, b"__contract")?, || format!("{file} contains the contract route"))?;
        }
        // The same check finds the route where it is compiled in.
        ensure(file_has("worker/build-test/index_bg.wasm", b"__contract")?, || "test build lacks it".into())?;
        let release_d1 = LocalD1::new(dir.join("release"));
        release_d1.migrate()?;
        let release = WranglerDev::start_release(&release_d1, free_port(), &worker_secrets())?;
        let r = call(&release.origin(), "POST", "/__contract", &[], Some(""));
        ensure(r.status == 404, || format!("release worker answered {} {}", r.status, r.body))?;
        let test_build = call(base, "POST", "/__contract", &[], Some(""));
        ensure(test_build.status == 200, || format!("test build: {} {}", test_build.status, test_build.body))
    });

    drop(worker);
    let _ = std::fs::remove_dir_all(&dir);
    h.finish()
}
