//! Unsubscribe links (`/u/{token}`).
//!
//! `GET` shows a page naming the organisation and the list with one button — and changes
//! nothing, because mail scanners prefetch links. `POST` from that button (method
//! `unsubscribe_link`) or an RFC 8058 one-click `POST` with `List-Unsubscribe=One-Click`
//! (method `one_click`, no cookies, no JavaScript) records the withdrawal at once. Repeating it
//! writes nothing more.

use consent_shared::consent::{Action, Method};
use consent_shared::ledger::{Choice, Provenance};
use consent_shared::site::{Channel, SiteConfig};
use consent_shared::token::Scope;
use maud::html;

use super::ledger::{append_for_subject, request_context, Answering};
use super::links::{form_and_lang, open_link};
use super::page_text::PageLang;
use super::pages::{broken_link, lang_switch, page, post_form, unavailable};
use super::{App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// `GET` or `POST /u/{token}`: always a readable page, whatever went wrong.
pub async fn unsubscribe<S: Store + 'static>(
    app: &App<S>,
    token: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    match handle(app, token, req, facts).await {
        Ok(response) => response,
        Err(problem) => problem,
    }
}

async fn handle<S: Store + 'static>(
    app: &App<S>,
    token: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, HttpResponse> {
    let (claims, site) = open_link(app, token, facts.now, |s| matches!(s, Scope::Unsubscribe { .. })).await?;
    let Scope::Unsubscribe { purpose, channel } = &claims.scope else {
        return Err(broken_link(400, "this link is for a different page"));
    };
    let (_, lang) = form_and_lang(req, &site);
    let t = lang.text();
    let targets: Vec<_> = site
        .purposes
        .iter()
        .filter(|p| p.channel == *channel && purpose.as_ref().is_none_or(|wanted| &p.purpose == wanted))
        .collect();
    let list = list_name(&site, lang, &targets, *channel);
    let org = &site.organisation.name;
    match req.method.as_str() {
        "GET" | "HEAD" => {
            let mail = &site.organisation.contact_email;
            let button = html! {
                button type="submit" name="confirm" value="1" { (t.unsubscribe_button) }
            };
            let body = html! {
                (lang_switch(lang, &format!("/u/{token}")))
                p { (t.unsubscribe_ask.replace("{list}", &list).replace("{org}", org)) }
                (post_form(&format!("/u/{token}"), None, lang, button))
                p { (t.questions) " " a href={ "mailto:" (mail) } { (mail) } }
            };
            Ok(page(200, lang.code(), t.unsubscribe_title, body))
        }
        "POST" => {
            let one_click = is_one_click(req.header("content-type").unwrap_or(""), &req.body);
            let method = if one_click { Method::OneClick } else { Method::UnsubscribeLink };
            let current =
                app.store.current_consents(&site.id, &claims.sub).await.map_err(|e| unavailable(lang, &e))?;
            let choices: Vec<Choice> = targets
                .iter()
                .filter(|t| {
                    !current.iter().any(|c| {
                        c.purpose == t.purpose && c.channel == t.channel && c.action == Action::Withdrawn
                    })
                })
                .map(|t| Choice {
                    purpose: t.purpose.clone(),
                    channel: t.channel,
                    action: Action::Withdrawn,
                    wording_version: None,
                })
                .collect();
            if !choices.is_empty() {
                let provenance = Provenance {
                    method,
                    source_url: None,
                    lang: site.default_lang.clone(),
                    client_time: None,
                    direct_from_person: None,
                    support_context: None,
                };
                let ctx = request_context(req, facts).map_err(|e| unavailable(lang, &e.cause()))?;
                let recorded = append_for_subject(
                    app,
                    &site,
                    claims.sub.clone(),
                    None,
                    &choices,
                    &provenance,
                    &ctx,
                    Answering::Trusted,
                    req,
                    facts,
                )
                .await;
                // Withdrawals are never refused for suppression: anything but an error is done.
                if let Err(e) = recorded {
                    return Err(unavailable(lang, &e.cause()));
                }
            }
            let body = t.unsubscribed_body.replace("{org}", org).replace("{list}", &list);
            Ok(page(200, lang.code(), t.unsubscribed_title, html! { p { (body) } }))
        }
        _ => Err(page(405, lang.code(), t.unsubscribe_title, html! { p { (t.unsubscribe_use_button) } })),
    }
}

/// Whether a POST body carries RFC 8058's `List-Unsubscribe=One-Click`, form-encoded or as a
/// multipart/form-data field: exactly that value, read as the form parser reads fields (the
/// fuzz target `form_body` holds the two to agreeing: trimming here once accepted
/// `One-Click ` that the form parser reads as another value).
pub fn is_one_click(content_type: &str, body: &[u8]) -> bool {
    if content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        let Some(boundary) = content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary=")) else {
            return false;
        };
        let body = String::from_utf8_lossy(body);
        let boundary = format!("--{}", boundary.trim_matches('"'));
        return body.split(boundary.as_str()).any(|part| {
            let (head, value) = part.split_once("\r\n\r\n").unwrap_or((part, ""));
            // The CRLF before the next delimiter belongs to the delimiter (RFC 2046).
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            head.contains("name=\"List-Unsubscribe\"") && value == "One-Click"
        });
    }
    form_urlencoded::parse(body).any(|(name, value)| name == "List-Unsubscribe" && value == "One-Click")
}

/// What the link stops, as plain text in the page's language: one list's label and channel, or
/// everything on the channel.
fn list_name(
    site: &SiteConfig,
    lang: PageLang,
    targets: &[&consent_shared::site::PurposeChannel],
    channel: Channel,
) -> String {
    let t = lang.text();
    match targets {
        [one] => match site.current_wording(one, lang.code()) {
            Some(w) => format!("{} ({})", w.label, t.channel(channel)),
            None => t.everything.replace("{by}", t.channel(channel)),
        },
        _ => t.everything.replace("{by}", t.channel(channel)),
    }
}

#[cfg(test)]
mod tests {
    use super::is_one_click;

    #[test]
    fn one_click_bodies_as_data() {
        let multipart =
            "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n";
        let cases = [
            ("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click", true),
            ("application/x-www-form-urlencoded", "a=1&List-Unsubscribe=One-Click", true),
            ("application/x-www-form-urlencoded", "confirm=1", false),
            ("multipart/form-data; boundary=b", multipart, true),
            ("multipart/form-data; boundary=\"b\"", multipart, true),
            ("multipart/form-data; boundary=b", &multipart.replace("One-Click", "Other"), false),
            ("multipart/form-data", multipart, false),
            // Found by fuzzing (fuzz/fuzz_targets/form_body.rs): the value is read exactly, and
            // decoded, as the form parser reads it.
            ("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click ", false),
            ("application/x-www-form-urlencoded", "List-Unsubscribe=One%2DClick", true),
            ("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click&x", true),
            ("multipart/form-data; boundary=b", &multipart.replace("One-Click", "One-Click "), false),
        ];
        for (ct, body, want) in cases {
            assert_eq!(is_one_click(ct, body.as_bytes()), want, "{ct} {body:?}");
        }
    }
}
