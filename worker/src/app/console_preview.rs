//! `/admin/sites/{site}/wording/preview?target=&v=&wlang=`: one wording version as the widget
//! shows it, for the wording page's sandboxed `<iframe>` (same origin as the console, no script).
//!
//! The markup is the widget's: the banner's first layer (`widget/src/components/banner.rs`, with
//! its CSS `banner.css`, included here at compile time so it cannot drift; its `:host` rules —
//! the widget renders the banner in a shadow root — apply to the preview's root instead) and an
//! opt-in option (`opt_in_form.rs`: the form lives in the host page's DOM and takes the host
//! page's styles, so it is shown unstyled, as on a page without its own form styles). The
//! widget's fixed strings are repeated in `page_text::console_wording` (English and Welsh).

use consent_shared::basis::LawfulBasis;
use consent_shared::site::Channel;
use maud::{html, PreEscaped, DOCTYPE};

use super::console_site::Console;
use crate::http::{HttpRequest, HttpResponse};

const WIDGET_CSS: &str = include_str!("../../../widget/src/components/banner.css");

/// What the preview page may do: show styles, be framed by the console only.
const PREVIEW_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

/// The preview's address for one version of a target in `lang`.
pub fn href(site: &str, target: &str, version: u32, lang: &str) -> String {
    format!("/admin/sites/{site}/wording/preview?target={target}&v={version}&wlang={lang}")
}

pub fn page(c: &Console, req: &HttpRequest) -> HttpResponse {
    let t = c.lang.wording();
    let target = req.query_param("target").unwrap_or_default();
    let version = req.query_param("v").and_then(|v| v.parse::<u32>().ok());
    let lang = req.query_param("wlang").unwrap_or_else(|| c.site.default_lang.clone());
    // The widget speaks English or Welsh: its fixed strings in the wording's language.
    let w_text = super::page_text::PageLang::parse(&lang).unwrap_or(super::page_text::PageLang::En).wording();
    let org = &c.site.organisation;
    let body = if target == "banner" {
        let version = version.unwrap_or(c.site.policy_version);
        let Some(b) = c.site.banner.iter().find(|b| b.version == version && b.lang == lang) else {
            return not_found(t.unknown_target);
        };
        html! {
            style { (PreEscaped(WIDGET_CSS.replace(":host", ":root"))) }
            section class="layer" role="region" aria-label=(w_text.widget_cookie_choices) {
                h2 class="title" { (org.name) }
                p class="text" lang=(b.lang) { (b.text) }
                p class="links" {
                    a href=(org.cookie_policy_url) target="_blank" rel="noopener" { (w_text.widget_cookie_policy) }
                    " "
                    a href=(org.privacy_notice_url) target="_blank" rel="noopener" { (w_text.widget_privacy_notice) }
                }
                div class="actions" {
                    button type="button" class="btn" { (w_text.widget_accept_all) }
                    button type="button" class="btn" { (w_text.widget_reject_all) }
                    button type="button" class="btn" aria-haspopup="dialog" { (w_text.widget_choose) }
                }
            }
        }
    } else {
        let Some((purpose, channel)) =
            target.rsplit_once('.').and_then(|(p, ch)| Some((p, Channel::parse(ch)?)))
        else {
            return not_found(t.unknown_target);
        };
        let Some(pc) = c.site.purpose(purpose, channel) else { return not_found(t.unknown_target) };
        let version = version.unwrap_or(pc.current_version);
        let Some(w) = pc.wordings.iter().find(|w| w.version == version && w.lang == lang) else {
            return not_found(t.unknown_target);
        };
        let name = format!("{purpose}:{}", channel.as_str());
        let id = format!("consent-1-{purpose}-{}", channel.as_str());
        let legend = w_text.widget_how_we_may_contact;
        html! {
            form class="consent-form" novalidate {
                fieldset class="consent-form__fields" {
                    legend { (legend) }
                    @if pc.basis == LawfulBasis::CharitySoftOptIn {
                        div class="consent-form__option consent-form__notice" {
                            p id={ (id) "-notice" } {
                                strong class="consent-form__option-label" { (w.label) } " "
                                span class="consent-form__option-text" { (w.text) }
                            }
                            input type="checkbox" id=(id) name={ (name) ":refuse" } value=(version) aria-describedby={ (id) "-notice" };
                            label for=(id) { (w.refusal.clone().unwrap_or_default()) }
                        }
                    } @else {
                        div class="consent-form__option" {
                            input type="checkbox" id=(id) name=(name) value=(version);
                            label for=(id) {
                                strong class="consent-form__option-label" { (w.label) } " "
                                span class="consent-form__option-text" { (w.text) }
                            }
                        }
                    }
                }
            }
        }
    };
    let doc = html! {
        (DOCTYPE)
        html lang=(lang) {
            head { meta charset="utf-8"; title { (t.preview) } }
            body { main { (body) } }
        }
    };
    answer(200, doc.into_string())
}

fn not_found(why: &str) -> HttpResponse {
    answer(
        404,
        html! { (DOCTYPE) html { head { meta charset="utf-8"; title { (why) } } body { p { (why) } } } }
            .into_string(),
    )
}

fn answer(status: u16, body: String) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("content-security-policy".into(), PREVIEW_CSP.into()),
            ("cache-control".into(), "no-store".into()),
            ("referrer-policy".into(), "no-referrer".into()),
            ("x-frame-options".into(), "SAMEORIGIN".into()),
        ],
        body: body.into_bytes(),
        stream: None,
    }
}
