//! `/admin/sites/{site}/embed`: the exact tags for this site, the Content-Security-Policy sources
//! a host page needs, and the origins the widget answers on. Each snippet is in a read-only
//! `<textarea>`: selectable and copyable without JavaScript (the console's pages run no script:
//! their CSP has no `script-src`).

use maud::{html, Markup};

use super::console_site::Console;
use super::{App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

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

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    _facts: &RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.wording();
    let [script, form, soft, held, csp] = snippets(&worker_origin(app, req), &c.site.id);
    let block = |id: &str, heading: &str, text: &str| -> Markup {
        let rows = text.lines().count().max(1) + 1;
        html! {
            div class="field" {
                label for=(id) { (heading) }
                textarea id=(id) readonly rows=(rows) aria-describedby="select-hint" spellcheck="false" { (text) }
            }
        }
    };
    let body = html! {
        style { (super::console_wording::STYLE) }
        p { (t.embed_intro) }
        p class="muted" id="select-hint" { (t.embed_select_hint) }
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
    };
    c.page(200, t.embed_title, body)
}
