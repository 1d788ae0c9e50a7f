//! `/admin/sites/{site}/embed`: the exact tags for this site, the Content-Security-Policy sources
//! a host page needs, and the origins the widget answers on. Each snippet is in a read-only
//! `<textarea>` with its label: selectable and copyable without JavaScript. With JavaScript, a
//! "Copy" button beside each (`embed/copy.js`, from the worker's own origin: this page's CSP
//! allows `script-src 'self'` and nothing inline) copies it and says so in an `aria-live` region.
//!
//! `…/embed/live` is the live preview: the real widget for this site, loaded by the same tags
//! from the worker's own origin, with a short-lived credential (`embed_preview`) that makes
//! every POST a dry run — checked as on the site, never recorded.

use consent_shared::preview::MAX_AGE_SECS;
use maud::{html, Markup};

use super::auth::session_token;
use super::console_site::Console;
use super::{embed_preview, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// The Embed page's policy: the console's, plus scripts from this origin (the copy buttons).
const EMBED_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; \
                         form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The live preview's policy: exactly what the widget needs — its loader, glue and wasm from this
/// origin ('self', 'wasm-unsafe-eval'), its requests to this origin, its inline styles (in its
/// shadow roots) — and nothing else.
const LIVE_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; \
                        style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The copy buttons' script, served at `…/embed/copy.js`.
const COPY_JS: &str = include_str!("console_embed_copy.js");

/// Where the widget is served from: the configured public origin, else this request's.
fn worker_origin<S>(app: &App<S>, req: &HttpRequest) -> String {
    app.config.public_origin.clone().unwrap_or_else(|| req.origin.clone())
}

/// The snippets for `site` served from `origin`: (script tag, form, soft opt-in form, held-back
/// script, CSP sources).
pub fn snippets(origin: &str, site: &str) -> [String; 5] {
    [
        format!("<script src=\"{origin}/widget.js\" data-site=\"{site}\"></script>"),
        "<div data-consent-form=\"signup\"></div>".to_string(),
        "<div data-consent-form=\"donation\" data-consent-context=\"donation\"></div>".to_string(),
        "<script type=\"text/plain\" data-consent-category=\"analytics\">\n  /* your analytics code */\n</script>"
            .to_string(),
        format!("script-src {origin} 'wasm-unsafe-eval';\nconnect-src {origin};"),
    ]
}

/// `response` with `csp` as its Content-Security-Policy instead of the console's.
fn with_csp(mut response: HttpResponse, csp: &str) -> HttpResponse {
    response.headers.retain(|(name, _)| name != "content-security-policy");
    response.with_header("content-security-policy", csp)
}

/// `/admin/sites/{site}/embed[/live|/copy.js]`.
pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    item: Option<&str>,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    match item {
        None => embed_page(app, c, req),
        Some("live") => live(app, c, req, facts),
        Some("copy.js") => HttpResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/javascript; charset=utf-8".into()),
                ("cache-control".into(), "no-store".into()),
                ("x-content-type-options".into(), "nosniff".into()),
            ],
            body: COPY_JS.as_bytes().to_vec(),
            stream: None,
        },
        Some(_) => c.page(404, c.text().no_such_page, html! { p { (c.text().no_such_page) } }),
    }
}

fn embed_page<S>(app: &App<S>, c: &Console, req: &HttpRequest) -> HttpResponse {
    let t = c.lang.wording();
    let e = c.lang.embed();
    let [script, form, soft, held, csp] = snippets(&worker_origin(app, req), &c.site.id);
    // Each box: its label, the text (readonly: selectable without JavaScript) and a Copy button
    // that only the script shows.
    let block = |id: &str, heading: &str, text: &str| -> Markup {
        let rows = text.lines().count().max(1) + 1;
        html! {
            div class="field" {
                label for=(id) { (heading) }
                textarea id=(id) readonly rows=(rows) aria-describedby="select-hint" spellcheck="false" { (text) }
                button type="button" class="secondary" hidden data-copy=(id)
                    aria-label=(e.copy_label.replace("{what}", heading)) { (e.copy) }
            }
        }
    };
    let live =
        format!("{}/live?lang={}", super::console_site::Section::Embed.href(&c.site.id), c.lang.code());
    let body = html! {
        style { (super::console_wording::STYLE) }
        p { (t.embed_intro) }
        p class="muted" id="select-hint" { (t.embed_select_hint) }
        p id="copy-status" class="muted" role="status" aria-live="polite" data-copied=(e.copied) data-failed=(e.copy_failed) {}
        (block("embed-script", t.embed_script, &script))
        (block("embed-form", t.embed_form, &form))
        (block("embed-soft", t.embed_form_soft, &soft))
        (block("embed-held", t.embed_hold_back, &held))
        h2 { (t.embed_csp) }
        p { (t.embed_csp_intro) }
        (block("embed-csp", t.embed_csp, &csp))
        @if c.site.allowed_origins.is_empty() {
            p class="error" role="status" { (t.embed_no_origins) }
        } @else {
            p { (t.embed_origins) }
            ul { @for o in &c.site.allowed_origins { li { code { (o) } } } }
        }
        h2 { (e.live_heading) }
        p { (e.live_offer) }
        p { a href=(live) { (e.live_link) } }
        script src={ (super::console_site::Section::Embed.href(&c.site.id)) "/copy.js" } defer {}
    };
    with_csp(c.page(200, t.embed_title, body), EMBED_CSP)
}

/// The languages the site's texts are in, the default first.
fn site_languages(c: &Console) -> Vec<String> {
    let site = &c.site;
    let mut langs = vec![site.default_lang.clone()];
    let all = site
        .banner
        .iter()
        .map(|b| &b.lang)
        .chain(site.purposes.iter().flat_map(|p| p.wordings.iter().map(|w| &w.lang)));
    for lang in all {
        if !langs.contains(lang) {
            langs.push(lang.clone());
        }
    }
    langs
}

/// A language's own name where the console knows it, else its code.
fn language_name(code: &str) -> &str {
    match code {
        "en" => "English",
        "cy" => "Cymraeg",
        other => other,
    }
}

/// `…/embed/live[?wlang=]`: the real widget for this site on the worker's own origin — the
/// Embed page's script tag (with the preview's credential and the language to show) and its
/// sign-up form — under a policy that allows exactly what the widget needs.
fn live<S>(app: &App<S>, c: &Console, req: &HttpRequest, facts: &RequestFacts<'_>) -> HttpResponse {
    let e = c.lang.embed();
    let site = &c.site.id;
    let langs = site_languages(c);
    let wlang =
        req.query_param("wlang").filter(|l| langs.contains(l)).unwrap_or_else(|| c.site.default_lang.clone());
    let session = session_token(app, req).unwrap_or_default();
    let credential = embed_preview::credential(app, site, &session, facts.now.timestamp());
    let here = format!("{}/live", super::console_site::Section::Embed.href(site));
    let minutes = (MAX_AGE_SECS / 60).to_string();
    let body = html! {
        div class="status" role="status" { p { strong { (e.live_not_recorded) } } }
        p { (e.live_intro) }
        p class="muted" { (e.live_expires.replace("{minutes}", &minutes)) }
        @if langs.len() > 1 {
            p { (e.live_languages) " "
                @for (i, l) in langs.iter().enumerate() {
                    @if i > 0 { " · " }
                    @if *l == wlang {
                        strong lang=(l) aria-current="true" { (language_name(l)) }
                    } @else {
                        a href={ (here) "?lang=" (c.lang.code()) "&wlang=" (l) } lang=(l) { (language_name(l)) }
                    }
                }
            }
        }
        p { button type="button" class="secondary" data-consent-open { (e.live_open_settings) } }
        h2 { (e.live_form_heading) }
        div data-consent-form="signup" lang=(wlang) {}
        p { a href={ (super::console_site::Section::Embed.href(site)) "?lang=" (c.lang.code()) } { (e.live_back) } }
        // The Embed page's script tag for this site, from this origin, plus the credential.
        script src={ (req.origin) "/widget.js" } data-site=(site) data-lang=(wlang) data-preview=(credential) {}
    };
    with_csp(c.page(200, e.live_title, body), LIVE_CSP)
}
