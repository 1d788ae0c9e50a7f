//! Server-rendered pages for people arriving from an email (no JavaScript needed), written
//! with `maud`: every value spliced into a page is HTML-escaped by the template, and every page
//! carries a strict Content-Security-Policy. The small parts the pages are built from (the
//! layout, forms with their anti-forgery field, buttons, notices, the language switch) are here.

use maud::{html, Markup, PreEscaped, Render};

use super::csrf_form;
use super::page_text::PageLang;
use crate::http::HttpResponse;

/// Nothing may load or run but the page's own inline styles; forms post only to this origin.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

/// Styles for every page: readable, AA contrast in light and dark, visible focus.
const STYLE: &str = "body{font:1.05rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}\
a{color:#1a4480}\
button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:2px solid #1a4480;background:#1a4480;color:#fff;cursor:pointer}\
button.secondary{background:#fff;color:#1a4480}\
button:focus-visible,a:focus-visible,input:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #b35900;outline-offset:2px}\
input[type=text],input[type=email],textarea{font:inherit;padding:.4rem;border:2px solid #565c65;border-radius:4px;width:100%;box-sizing:border-box;background:#fff;color:#1b1b1b}\
input[type=checkbox]{width:1.3rem;height:1.3rem;margin:.2rem .6rem 0 0;flex:none}\
label{font-weight:600}\
.option{display:flex;align-items:flex-start;margin:1rem 0}\
.option p{margin:.2rem 0}\
.muted{color:#454545;font-size:.95rem}\
.status{border-left:6px solid #00703c;padding:.5rem 1rem;background:#ecf3ec}\
.error{border-left:6px solid #b50909;padding:.5rem 1rem;background:#f9eaea}\
.field-error{color:#b50909;font-weight:600;margin-top:-.5rem}\
section{border-top:1px solid #a9aeb1;margin-top:2rem}\
table{border-collapse:collapse;width:100%;font-size:.95rem}\
th,td{text-align:left;vertical-align:top;padding:.4rem;border-bottom:1px solid #a9aeb1}\
blockquote{margin:.4rem 0;padding-left:.8rem;border-left:3px solid #a9aeb1}\
nav{text-align:right}\
@media (prefers-color-scheme:dark){body{background:#161616;color:#eee}a{color:#9ecbff}\
button.secondary{background:#161616;color:#9ecbff;border-color:#9ecbff}button{border-color:#9ecbff}\
input[type=text],input[type=email],textarea{background:#222;color:#eee;border-color:#aaa}.muted{color:#c8c8c8}\
.status{background:#10261a}.error{background:#2e1212}.field-error{color:#ff9c9c}}";

/// A page with a frame above its `<main>`: the console's stylesheet, a `console` class on the
/// body, and `header` (its navigation) before the content.
pub struct Frame<'a> {
    pub style: &'a str,
    pub header: Markup,
}

/// The document around every page: the language, the title (also the page's one `<h1>`), the
/// styles, and the page's own markup in `<main>`; optionally inside a [`Frame`].
pub fn framed_layout(lang: &str, title: &str, frame: Option<Frame<'_>>, body: Markup) -> Markup {
    html! {
        (PreEscaped("<!doctype html>"))
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex";
                title { (title) }
                // A constant of this file, not data.
                style { (PreEscaped(STYLE)) @if let Some(f) = &frame { (PreEscaped(f.style)) } }
            }
            @if let Some(f) = frame {
                body class="console" { header class="console-header" { (f.header) } main { h1 { (title) } (body) } }
            } @else {
                body { main { h1 { (title) } (body) } }
            }
        }
    }
}

/// A complete page response.
pub fn page(status: u16, lang: &str, title: &str, body: Markup) -> HttpResponse {
    framed_page(status, lang, title, None, body)
}

/// [`page`] inside a [`Frame`] (the console's).
pub fn framed_page(
    status: u16,
    lang: &str,
    title: &str,
    frame: Option<Frame<'_>>,
    body: Markup,
) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("content-security-policy".into(), CSP.into()),
            ("cache-control".into(), "no-store".into()),
            ("referrer-policy".into(), "no-referrer".into()),
            ("x-frame-options".into(), "DENY".into()),
        ],
        body: framed_layout(lang, title, frame, body).into_string().into_bytes(),
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

/// A readable page for a link that cannot be used (forged, altered, expired, wrong kind). The
/// reasons are English (they come from the link checks), so the page is too.
pub fn broken_link(status: u16, reason: &str) -> HttpResponse {
    let t = PageLang::En.text();
    let mut reason = reason.to_string();
    if let Some(first) = reason.get(..1) {
        reason.replace_range(..1, &first.to_uppercase());
    }
    let body = html! { p { (reason) "." } p { (t.link_broken_help) } };
    page(status, PageLang::En.code(), t.link_broken_title, body)
}

/// Storage (or a service the page needs) failed: nothing was changed, try again. The cause is
/// logged, as the JSON path logs it; the page never shows it.
pub fn unavailable(lang: PageLang, cause: &dyn std::fmt::Display) -> HttpResponse {
    super::log_internal(&cause.to_string());
    let t = lang.text();
    page(503, lang.code(), t.try_again_title, html! { p { (t.try_again) } })
}

/// A public POST over its rate limit: 429 with `Retry-After`, in the language asked for.
pub fn too_many_requests(lang: PageLang, retry_after: u32) -> HttpResponse {
    let t = lang.text();
    let body = html! { p { (t.too_many_body.replace("{seconds}", &retry_after.to_string())) } };
    page(429, lang.code(), t.too_many_title, body).with_header("retry-after", &retry_after.to_string())
}

/// A status (`role=status`) or error (`role=alert`) message.
pub fn notice(text: impl Render, is_error: bool) -> Markup {
    html! {
        @if is_error {
            div class="error" role="alert" { p { (text) } }
        } @else {
            div class="status" role="status" { p { (text) } }
        }
    }
}

/// A form posting to `action` on this origin: the anti-forgery field (when the page has one),
/// the page's language (so the answer speaks it too), then the form's own fields.
pub fn post_form(action: &str, csrf: Option<&str>, lang: PageLang, fields: Markup) -> Markup {
    html! {
        form method="post" action=(action) {
            @if let Some(csrf) = csrf {
                (hidden(csrf_form::FIELD, csrf))
            }
            (hidden("lang", lang.code()))
            (fields)
        }
    }
}

pub fn hidden(name: &str, value: impl Render) -> Markup {
    html! { input type="hidden" name=(name) value=(value); }
}

/// The form's main button.
pub fn submit(text: &str) -> Markup {
    html! { button type="submit" { (text) } }
}

/// A button for an act that is not the page's main one.
pub fn secondary_submit(text: &str) -> Markup {
    html! { button type="submit" class="secondary" { (text) } }
}

/// The link to the same page in the other language, named in that language.
pub fn lang_switch(lang: PageLang, path: &str) -> Markup {
    let (other, other_name) = lang.other();
    html! {
        nav aria-label=(lang.text().lang_switch) {
            a href={ (path) "?lang=" (other.code()) } lang=(other.code()) hreflang=(other.code()) { (other_name) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_is_escaped_and_the_policy_is_strict() {
        let p = page(200, "en", "<script>", html! { p { "ok" } });
        let html = String::from_utf8(p.body).unwrap();
        assert!(html.contains("<title>&lt;script&gt;</title>") && !html.contains("<title><script>"));
        assert!(html.contains("<main><h1>&lt;script&gt;</h1><p>ok</p></main>"));
        assert!(p
            .headers
            .iter()
            .any(|(n, v)| n == "content-security-policy" && v.starts_with("default-src 'none'")));
    }
}
