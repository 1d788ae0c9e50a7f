//! Server-rendered pages for people arriving from an email (no JavaScript needed): every value
//! is HTML-escaped and every page carries a strict Content-Security-Policy.

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

/// A complete page. `title` is escaped here; `body` must already be safe HTML.
pub fn page(status: u16, lang: &str, title: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title}</title>\
         <style>body{{font:1.05rem/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}}\
         button{{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:2px solid #1a4480;background:#1a4480;color:#fff;cursor:pointer}}\
         button:focus-visible{{outline:3px solid #b35900;outline-offset:2px}}\
         @media (prefers-color-scheme:dark){{body{{background:#161616;color:#eee}}}}</style></head>\
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
        ],
        body: html.into_bytes(),
        stream: None,
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
