//! Driving the console's HTML forms from an integration test as a browser on the worker's own
//! origin would: each post carries the anti-forgery value of the page it comes from, and
//! redirects are shown, not followed; signing in with the link captured from the mail.

use std::time::Duration;

use crate::client::{call, call_unfollowed, csrf_of, Reply};
use crate::harness::ensure;
use crate::mail_capture::MailCapture;

/// Percent-encodes a form value.
pub fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Posts `fields` to `action` with the anti-forgery value of `page_path`, as `session` (if any),
/// with `extra` headers (e.g. `Accept`).
pub fn post_form(
    base: &str,
    page_path: &str,
    action: &str,
    session: Option<&str>,
    extra: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> Reply {
    let cookie = session.map(|c| format!("consent_session={c}"));
    let mut headers = Vec::new();
    if let Some(c) = &cookie {
        headers.push(("Cookie", c.as_str()));
    }
    let page = call(base, "GET", page_path, &headers, None);
    let csrf = csrf_of(&page.body);
    let mut all = vec![("csrf", csrf.as_str()), ("lang", "en")];
    all.extend_from_slice(fields);
    let body: String = all.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    headers.extend([("Content-Type", "application/x-www-form-urlencoded"), ("Origin", base)]);
    headers.extend_from_slice(extra);
    call_unfollowed(base, "POST", action, &headers, Some(&body))
}

/// Signs `email` in through the pages with the link from the captured mail; the session value.
pub fn sign_in(base: &str, mail: &MailCapture, email: &str) -> Result<String, String> {
    let asked = post_form(base, "/admin/sign-in", "/admin/sign-in", None, &[], &[("email", email)]);
    ensure(asked.status == 200, || format!("sign-in form: {} {}", asked.status, asked.body))?;
    let sent =
        mail.wait_for(email, Duration::from_secs(30)).ok_or_else(|| format!("no sign-in mail to {email}"))?;
    let link = sent.link(&format!("{base}/admin/sign-in/")).ok_or("no sign-in link in the mail")?;
    let path = link.strip_prefix(base).unwrap_or_default().to_string();
    let action = path.split('?').next().unwrap_or_default().to_string();
    let started = post_form(base, &path, &action, None, &[], &[]);
    ensure(started.status == 303, || format!("redeem: {} {}", started.status, started.body))?;
    let cookie = started.header("set-cookie").unwrap_or_default().to_string();
    Ok(cookie.split(';').next().unwrap_or_default().trim_start_matches("consent_session=").to_string())
}
