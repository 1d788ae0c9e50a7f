//! A console session against the worker in workerd, as a browser without JavaScript has it:
//! sign in with the mailed link, then post a page's forms (urlencoded, or multipart with a file)
//! carrying that page's anti-forgery value.

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

fn cookie_headers(cookie: &Option<String>) -> Vec<(&str, &str)> {
    cookie.as_deref().map(|c| vec![("Cookie", c)]).unwrap_or_default()
}

/// The anti-forgery value of the page at `page_path`, as the session sees it.
pub fn page_csrf(base: &str, page_path: &str, session: Option<&str>) -> String {
    let cookie = session.map(|s| format!("consent_session={s}"));
    csrf_of(&call(base, "GET", page_path, &cookie_headers(&cookie), None).body)
}

/// Posts a page's form (urlencoded) with that page's anti-forgery value; redirects shown.
pub fn post_form(base: &str, page_path: &str, action: &str, session: Option<&str>, fields: &[(&str, &str)]) -> Reply {
    post_form_with(base, page_path, action, session, &[], fields)
}

/// `post_form` with `extra` headers (e.g. `Accept`).
pub fn post_form_with(
    base: &str,
    page_path: &str,
    action: &str,
    session: Option<&str>,
    extra: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> Reply {
    let csrf = page_csrf(base, page_path, session);
    let mut all = vec![("csrf", csrf.as_str()), ("lang", "en")];
    all.extend_from_slice(fields);
    let body: String = all.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let cookie = session.map(|s| format!("consent_session={s}"));
    let mut headers = cookie_headers(&cookie);
    headers.extend([("Content-Type", "application/x-www-form-urlencoded"), ("Origin", base)]);
    headers.extend_from_slice(extra);
    call_unfollowed(base, "POST", action, &headers, Some(&body))
}

/// Posts `fields` and one text file `(field, file name, contents)` as multipart/form-data, as a
/// browser sends an `<input type=file>`; `csrf` is sent as given (the page's, or a test's).
pub fn post_file(
    base: &str,
    path: &str,
    session: &str,
    csrf: &str,
    fields: &[(&str, &str)],
    file: (&str, &str, &str),
) -> Reply {
    let boundary = "----workerd-console-upload-b0undary";
    let mut body = String::new();
    for (name, value) in [("csrf", csrf), ("lang", "en")].iter().chain(fields) {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    let (name, file_name, contents) = file;
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{contents}\r\n--{boundary}--\r\n"
    ));
    let cookie = format!("consent_session={session}");
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let headers = [("Cookie", cookie.as_str()), ("Content-Type", content_type.as_str()), ("Origin", base)];
    call_unfollowed(base, "POST", path, &headers, Some(&body))
}

/// Signs `email` in through the pages with the mailed link; the session cookie's value.
pub fn sign_in(base: &str, mail: &MailCapture, email: &str) -> Result<String, String> {
    let asked = post_form(base, "/admin/sign-in", "/admin/sign-in", None, &[("email", email)]);
    ensure(asked.status == 200, || format!("sign-in form: {} {}", asked.status, asked.body))?;
    let sent =
        mail.wait_for(email, Duration::from_secs(30)).ok_or_else(|| format!("no sign-in mail to {email}"))?;
    let link = sent.link(&format!("{base}/admin/sign-in/")).ok_or("no sign-in link in the mail")?;
    let path = link.strip_prefix(base).unwrap_or_default().to_string();
    let action = path.split('?').next().unwrap_or_default().to_string();
    let started = post_form(base, &path, &action, None, &[]);
    ensure(started.status == 303, || format!("redeem: {} {}", started.status, started.body))?;
    let cookie = started.header("set-cookie").unwrap_or_default().to_string();
    Ok(cookie.split(';').next().unwrap_or_default().trim_start_matches("consent_session=").to_string())
}
