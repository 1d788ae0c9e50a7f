//! A stand-in for the HTTP email API: accepts `POST /send` (JSON, `Authorization: Bearer …`) on
//! 127.0.0.1 and keeps every message; `GET /messages` returns them as a JSON array (for the
//! browser specs). Stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::local_server::LocalServer;

/// One message as the worker posted it.
#[derive(Debug, Clone)]
pub struct CapturedMail {
    pub authorization: String,
    pub body: serde_json::Value,
}

impl CapturedMail {
    pub fn to(&self) -> &str {
        self.body["to"][0].as_str().unwrap_or("")
    }

    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or("")
    }

    /// The first line of the text part that starts with `prefix` (a link).
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.text().lines().find(|l| l.starts_with(prefix)).map(str::to_string)
    }
}

pub struct MailCapture {
    pub port: u16,
    mails: Arc<Mutex<Vec<CapturedMail>>>,
    _server: LocalServer,
}

impl MailCapture {
    pub fn start() -> Result<MailCapture, String> {
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = Arc::clone(&mails);
        let server = LocalServer::start("mail capture", 0, move |stream| {
            let _ = serve(stream, &store);
        })?;
        Ok(MailCapture { port: server.port, mails, _server: server })
    }

    /// What the worker's `MAIL_API_URL` should be.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/send", self.port)
    }

    pub fn messages_url(&self) -> String {
        format!("http://127.0.0.1:{}/messages", self.port)
    }

    pub fn all(&self) -> Vec<CapturedMail> {
        self.mails.lock().expect("mail list").clone()
    }

    /// Waits (mail is sent after the response) for a message to `to`, up to `timeout`.
    pub fn wait_for(&self, to: &str, timeout: Duration) -> Option<CapturedMail> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(m) = self.all().into_iter().rev().find(|m| m.to() == to) {
                return Some(m);
            }
            thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

fn serve(stream: TcpStream, store: &Mutex<Vec<CapturedMail>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let (mut length, mut authorization) = (0usize, String::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => authorization = value.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (status, reply) = if request_line.starts_with("POST /send ") {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(body) => {
                store.lock().expect("mail list").push(CapturedMail { authorization, body });
                ("200 OK", r#"{"id":"captured"}"#.to_string())
            }
            Err(_) => ("400 Bad Request", r#"{"error":"not JSON"}"#.to_string()),
        }
    } else if request_line.starts_with("GET /messages ") {
        let all: Vec<_> = store.lock().expect("mail list").iter().map(|m| m.body.clone()).collect();
        ("200 OK", serde_json::Value::Array(all).to_string())
    } else {
        ("404 Not Found", "{}".to_string())
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\naccess-control-allow-origin: *\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{reply}",
        reply.len()
    )
}
