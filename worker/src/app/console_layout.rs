//! The console's look and its shared small parts: the stylesheet added to the pages' own (a
//! navigation bar that wraps, a wider column, tables that scroll sideways on their own), times
//! shown readably in the page's language, and wide tables made reachable by keyboard.

use chrono::{DateTime, Datelike, Timelike, Utc};
use maud::{html, Markup, PreEscaped};

use super::page_text::PageLang;

/// Added after the pages' styles on console pages only (the CSP allows the pages' inline styles).
/// Colours keep WCAG 2.2 AA contrast on both schemes; the focus outline is the pages' own.
pub const CONSOLE_STYLE: &str = "body.console{max-width:70rem}\
.console-header{border-bottom:1px solid #a9aeb1;padding-bottom:.6rem}\
.console-header nav{text-align:left}\
.console-header p{margin:.2rem 0}\
.console-nav{list-style:none;margin:.4rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.3rem}\
.console-nav a{display:inline-block;padding:.3rem .65rem;border-radius:4px;border:1px solid #a9aeb1;text-decoration:none}\
.console-nav a:hover{text-decoration:underline}\
.console-nav a[aria-current=page]{background:#1a4480;border-color:#1a4480;color:#fff;font-weight:600}\
.table-scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}\
.table-scroll:focus-visible{outline:3px solid #b35900;outline-offset:2px}\
time{white-space:nowrap}\
body.console select{font:inherit;padding:.3rem;border:2px solid #565c65;border-radius:4px;background:#fff;color:#1b1b1b}\
input[type=radio]{width:1.2rem;height:1.2rem;margin:.2rem .6rem 0 0;flex:none}\
.versions{list-style:none;padding:0}.versions>li{margin:.8rem 0}\
.facts dt{font-weight:600}.facts dd{margin:0 0 .5rem}\
@media (prefers-color-scheme:dark){.console-nav a{border-color:#6f7479}\
.console-nav a[aria-current=page]{background:#9ecbff;border-color:#9ecbff;color:#161616}\
body.console select{background:#222;color:#eee;border-color:#aaa}}";

/// `at` (RFC 3339, as stored) in words in `lang`: "2 December 2026, 00:18 UTC". A value that is
/// not a time is shown as it is.
pub fn readable_time(lang: PageLang, at: &str) -> String {
    let Ok(t) = DateTime::parse_from_rfc3339(at) else { return at.to_string() };
    let t = t.with_timezone(&Utc);
    let p = lang.polish();
    format!(
        "{} {} {}, {:02}:{:02} {}",
        t.day(),
        p.months[t.month0() as usize],
        t.year(),
        t.hour(),
        t.minute(),
        p.utc
    )
}

/// A stored time as `<time datetime=…>` with its readable words: every console page shows
/// times through this (downloads keep the machine format).
pub fn when(lang: PageLang, at: &str) -> Markup {
    html! { time datetime=(at) { (readable_time(lang, at)) } }
}

/// Every `<table>` of a console page inside a region that scrolls sideways, focusable so a
/// keyboard can scroll it, and named. Done on the rendered page so each section's tables get it
/// without each section having to remember (page values are escaped, so `<table` is markup).
pub fn scrollable_tables(lang: PageLang, body: Markup) -> Markup {
    let open = html! { div class="table-scroll" role="region" tabindex="0" aria-label=(lang.polish().scroll_table) {} }
        .into_string();
    let open = open.trim_end_matches("</div>");
    let html =
        body.into_string().replace("<table", &format!("{open}<table")).replace("</table>", "</table></div>");
    PreEscaped(html)
}
