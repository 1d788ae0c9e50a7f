//! A small blocking HTTP client for the integration binaries: every answer (2xx or not) as a
//! `Reply`, redirects followed or not, and the few request shapes every suite sends.

use crate::secrets::ADMIN_BEARER;

/// An answer from the worker under test, whatever its status.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Sends a request, following redirects. A transport error (no answer at all) panics: the
/// harness reports it as the case's failure.
pub fn call(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    send(ureq::request(method, &format!("{base}{path}")), method, path, headers, body)
}

/// `call` that shows a redirect instead of following it (the page's own answer).
pub fn call_unfollowed(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    send(agent.request(method, &format!("{base}{path}")), method, path, headers, body)
}

fn send(
    mut req: ureq::Request,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    for (n, v) in headers {
        req = req.set(n, v);
    }
    let result = match body {
        Some(b) => req.send_string(b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: transport error {e}"),
    };
    let status = resp.status();
    let headers = resp
        .headers_names()
        .into_iter()
        .filter_map(|n| resp.header(&n).map(|v| (n.clone(), v.to_string())))
        .collect();
    Reply { status, headers, body: resp.into_string().unwrap_or_default() }
}

/// A JSON request with the admin key.
pub fn admin(base: &str, method: &str, path: &str, body: &str) -> Reply {
    call(
        base,
        method,
        path,
        &[("Authorization", ADMIN_BEARER), ("Content-Type", "application/json")],
        Some(body),
    )
}

/// The anti-forgery value in a page's first form.
pub fn csrf_of(html: &str) -> String {
    let Some(at) = html.find("name=\"csrf\" value=\"").map(|i| i + 19) else { return String::new() };
    html[at..].split('"').next().unwrap_or_default().to_string()
}

/// A form body (`application/x-www-form-urlencoded`) of `fields`, percent-encoded.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |v: &str| -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}
