//! The demo host page: a stand-in member website on its own origin, embedding the widget with
//! one script tag that points at the worker. Serves `demo/index.html` at `/` and
//! `demo/about.html` (no form) at `/about` — and at `/strict-csp` under a Content-Security-Policy
//! that forbids WebAssembly — and `demo/sync.html` (the loader included synchronously in
//! `<head>`, for the site named by `?site=`, default `demo`) at `/sync`, with
//! `{{WORKER_ORIGIN}}` filled in (and `demo/donate.html`, a donation form with the charitable soft opt-in, at `/donate`) and `<html lang>` from `?lang=` (en or cy), on 127.0.0.1, until
//! dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

use crate::local_server::LocalServer;
use crate::repo_root;

pub struct DemoHost {
    pub port: u16,
    _server: LocalServer,
}

impl DemoHost {
    /// Serves on `port` (0: any free port; see `self.port`).
    pub fn start(port: u16, worker_origin: &str) -> Result<DemoHost, String> {
        let read = |name: &str| {
            std::fs::read_to_string(repo_root().join("demo").join(name))
                .map(|t| t.replace("{{WORKER_ORIGIN}}", worker_origin))
                .map_err(|e| format!("demo/{name}: {e}"))
        };
        let strict_csp = format!(
            "script-src 'self' 'unsafe-inline' {worker_origin}; connect-src {worker_origin}; object-src 'none'"
        );
        let pages = Pages {
            index: read("index.html")?,
            about: read("about.html")?,
            sync: read("sync.html")?,
            donate: read("donate.html")?,
            strict_csp,
        };
        let server = LocalServer::start("demo host", port, move |stream| serve(stream, &pages))?;
        Ok(DemoHost { port: server.port, _server: server })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

struct Pages {
    index: String,
    about: String,
    sync: String,
    /// A donation page whose form declares its support context (the soft opt-in notice shows).
    donate: String,
    /// A policy without 'wasm-unsafe-eval', as some host sites have.
    strict_csp: String,
}

fn serve(mut stream: TcpStream, pages: &Pages) {
    let mut request_line = String::new();
    let mut reader = BufReader::new(&stream);
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers so the browser sees a well-behaved server.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let lang = if query.split('&').any(|p| p == "lang=cy") { "cy" } else { "en" };
    let page = match route {
        "/" | "/index.html" => Some(&pages.index),
        "/about" | "/strict-csp" => Some(&pages.about),
        "/sync" => Some(&pages.sync),
        "/donate" => Some(&pages.donate),
        _ => None,
    };
    let site = query
        .split('&')
        .find_map(|p| p.strip_prefix("site="))
        .filter(|s| {
            (1..=64).contains(&s.len())
                && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
        .unwrap_or("demo");
    let csp = if route == "/strict-csp" {
        format!("Content-Security-Policy: {}\r\n", pages.strict_csp)
    } else {
        String::new()
    };
    let page = page.map(|p| p.replace("{{LANG}}", lang).replace("{{SITE}}", site));
    let (status, content_type, body) = match &page {
        Some(page) => ("200 OK", "text/html; charset=utf-8", page.as_str()),
        None => ("404 Not Found", "text/plain; charset=utf-8", "not found"),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{csp}Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}
