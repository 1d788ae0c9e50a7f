//! Server-rendered pages for people arriving from an email (no JavaScript needed): every value
//! is HTML-escaped and every page carries a strict Content-Security-Policy.

use super::page_text::PageLang;
use crate::http::HttpResponse;

/// Nothing may load or run but the page's own inline styles; forms post only to this origin.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Styles for every page: readable, AA contrast in light and dark, visible focus.
const STYLE: &str = "body{font:1.05rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}\
a{color:#1a4480}\
button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:2px solid #1a4480;background:#1a4480;color:#fff;cursor:pointer}\
button.secondary{background:#fff;color:#1a4480}\
button:focus-visible,a:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid #b35900;outline-offset:2px}\
input[type=text],input[type=email]{font:inherit;padding:.4rem;border:2px solid #565c65;border-radius:4px;width:100%;box-sizing:border-box;background:#fff;color:#1b1b1b}\
input[type=checkbox]{width:1.3rem;height:1.3rem;margin:.2rem .6rem 0 0;flex:none}\
label{font-weight:600}\
.option{display:flex;align-items:flex-start;margin:1rem 0}\
.option p{margin:.2rem 0}\
.muted{color:#454545;font-size:.95rem}\
.status{border-left:6px solid #00703c;padding:.5rem 1rem;background:#ecf3ec}\
.error{border-left:6px solid #b50909;padding:.5rem 1rem;background:#f9eaea}\
section{border-top:1px solid #a9aeb1;margin-top:2rem}\
table{border-collapse:collapse;width:100%;font-size:.95rem}\
th,td{text-align:left;vertical-align:top;padding:.4rem;border-bottom:1px solid #a9aeb1}\
blockquote{margin:.4rem 0;padding-left:.8rem;border-left:3px solid #a9aeb1}\
nav{text-align:right}\
@media (prefers-color-scheme:dark){body{background:#161616;color:#eee}a{color:#9ecbff}\
button.secondary{background:#161616;color:#9ecbff;border-color:#9ecbff}button{border-color:#9ecbff}\
input[type=text],input[type=email]{background:#222;color:#eee;border-color:#aaa}.muted{color:#c8c8c8}\
.status{background:#10261a}.error{background:#2e1212}}";

/// A complete page. `title` is escaped here; `body` must already be safe HTML.
pub fn page(status: u16, lang: &str, title: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>",
        lang = escape(lang),
        title = escape(title),
    );
    HttpResponse {
        status,
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("content-security-policy".into(), CSP.into()),
            ("cache-control".into(), "no-store".into()),
            ("referrer-policy".into(), "no-referrer".into()),
            ("x-frame-options".into(), "DENY".into()),
        ],
        body: html.into_bytes(),
        stream: None,
    }
}

/// `303 See Other` after a successful form post, so reloading does not post again.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse {
        status: 303,
        headers: vec![
            ("location".into(), location.into()),
            ("cache-control".into(), "no-store".into()),
            ("referrer-policy".into(), "no-referrer".into()),
        ],
        body: Vec::new(),
        stream: None,
    }
}

/// A readable page for a link that cannot be used (forged, altered, expired, wrong kind).
pub fn broken_link(status: u16, reason: &str) -> HttpResponse {
    let mut reason = reason.to_string();
    if let Some(first) = reason.get(..1) {
        reason.replace_range(..1, &first.to_uppercase());
    }
    let body = format!(
        "<p>{}.</p><p>Use the link in a more recent email, or contact the organisation that sent it.</p>",
        escape(&reason)
    );
    page(status, "en", "This link does not work", &body)
}

/// Storage (or a service the page needs) failed: nothing was changed, try again. The cause is
/// logged, as the JSON path logs it; the page never shows it.
pub fn unavailable(lang: PageLang, cause: &dyn std::fmt::Display) -> HttpResponse {
    super::log_internal(&cause.to_string());
    let t = lang.text();
    page(503, lang.code(), t.try_again_title, &format!("<p>{}</p>", t.try_again))
}

/// A public POST over its rate limit: 429 with `Retry-After`, in the language asked for.
pub fn too_many_requests(lang: PageLang, retry_after: u32) -> HttpResponse {
    let t = lang.text();
    let body = format!("<p>{}</p>", t.too_many_body.replace("{seconds}", &retry_after.to_string()));
    page(429, lang.code(), t.too_many_title, &body).with_header("retry-after", &retry_after.to_string())
}

/// A status (`role=status`) or error (`role=alert`) message; `html` must be safe.
pub fn notice(html: &str, is_error: bool) -> String {
    if is_error {
        format!("<div class=\"error\" role=\"alert\"><p>{html}</p></div>")
    } else {
        format!("<div class=\"status\" role=\"status\"><p>{html}</p></div>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_become_markup() {
        assert_eq!(
            escape(r#"<a href="x">O'Neil & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
        let p = page(200, "en", "<script>", "<p>ok</p>");
        let html = String::from_utf8(p.body).unwrap();
        assert!(html.contains("<title>&lt;script&gt;</title>") && !html.contains("<title><script>"));
        assert!(p
            .headers
            .iter()
            .any(|(n, v)| n == "content-security-policy" && v.starts_with("default-src 'none'")));
    }
}
