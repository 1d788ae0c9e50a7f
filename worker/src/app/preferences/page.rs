//! The preference centre's markup (maud templates): the page with every choice and the exact
//! words it stands for, the history, the rectification and data-rights forms, and the pages
//! left when nothing (or nothing any more) is held.

use consent_shared::basis::{basis_in_force, LawfulBasis};
use consent_shared::consent::{Action, ConsentEvent};
use consent_shared::site::{PurposeChannel, SiteConfig, Wording};
use maud::{html, Markup};

use super::{field, state_of, Held, Person, MAX_NAME_CHARS};
use crate::app::complaints::{next_steps, text_field};
use crate::app::csrf_form::issue;
use crate::app::page_text::PageText;
use crate::app::pages::{hidden, lang_switch, notice, page, post_form, secondary_submit, submit};
use crate::app::App;
use crate::http::HttpResponse;
use crate::store::CurrentConsent;

/// The whole page, with `message` (text, and whether it is an error) above the choices, and a
/// refused complaint's error and text (`complaint`) in its form.
pub(super) fn render<S>(
    app: &App<S>,
    p: &Person<'_>,
    held: &Held,
    now: i64,
    message: Option<(String, bool)>,
    complaint: Option<(&str, &str)>,
    status: u16,
) -> HttpResponse {
    let t = p.lang.text();
    let c = p.lang.complaints();
    let site = p.site;
    let org = &site.organisation.name;
    let email = held.record.email.as_deref().unwrap_or("");
    let restricted = held.record.restricted;
    let path = format!("/p/{}", p.token);
    let csrf = issue(app, p.token, now);
    // Every form of the page posts back to it, saying which act it is.
    let form = |action: &str, fields: Markup| {
        post_form(&path, Some(&csrf), p.lang, html! { (hidden("action", action)) (fields) })
    };
    let body = html! {
        (lang_switch(p.lang, &path))
        p { (t.preferences_intro.replace("{org}", org).replace("{email}", email)) }
        @if let Some((text, is_error)) = &message {
            (notice(text, *is_error))
        }
        @if restricted {
            (notice(t.restricted_now, false))
        }
        section aria-labelledby="choices" {
            h2 id="choices" { (t.choices_heading) }
            (form("choices", html! {
                p class="muted" { (t.choices_help) }
                @for pc in &site.purposes {
                    @if let Some(w) = site.current_wording(pc, p.lang.code()) {
                        (choice(t, pc, w, &held.current))
                    }
                }
                (submit(t.save_choices))
            }))
            @if held.current.iter().any(|c| !c.action.is_refusal())
                || site.purposes.iter().any(|pc| basis_in_force(pc.basis, state_of(&held.current, pc)).is_some()) {
                h3 { (t.withdraw_all_heading) }
                (form("withdraw_all", html! {
                    p { (t.withdraw_all_help) }
                    (secondary_submit(t.withdraw_all))
                }))
            }
        }
        section aria-labelledby="details" {
            h2 id="details" { (t.details_heading) }
            (form("details", html! {
                p {
                    label for="name" { (t.name) }
                    input type="text" id="name" name="name" autocomplete="name" maxlength=(MAX_NAME_CHARS)
                        value=(held.record.name.as_deref().unwrap_or(""));
                }
                p {
                    label for="email" { (t.email) }
                    input type="email" id="email" name="email" autocomplete="email"
                        aria-describedby="email-help" value=(email);
                }
                p class="muted" id="email-help" { (t.email_help) }
                (submit(t.save_details))
            }))
        }
        (history(site, t, &held.events))
        section aria-labelledby="data" {
            h2 id="data" { (t.data_heading) }
            (form("download", html! {
                p { (t.download_help) }
                (secondary_submit(t.download))
            }))
            h3 { (t.restrict_heading) }
            (form(if restricted { "lift" } else { "restrict" }, html! {
                p { (t.restrict_help) }
                (secondary_submit(if restricted { t.lift } else { t.restrict }))
            }))
            h3 { (t.erase_heading) }
            (form("erase", html! {
                p { (t.erase_help) }
                p {
                    input type="checkbox" id="erase-confirm" name="confirm" value="yes" required;
                    " "
                    label for="erase-confirm" { (t.erase_confirm) }
                }
                (secondary_submit(t.erase))
            }))
        }
        section aria-labelledby="complain" {
            h2 id="complain" { (c.section_heading) }
            (form("complain", html! {
                p { (c.section_intro.replace("{org}", org).replace("{email}", email)) }
                (text_field(c, complaint.map_or("", |(_, typed)| typed), complaint.map(|(error, _)| error)))
                (secondary_submit(c.send))
            }))
            (next_steps(c))
        }
        (who_we_are(site, t))
    };
    page(status, p.lang.code(), t.preferences_title, body)
}

/// One purpose × channel: its checkbox, the exact words it stands for, where it stands now, and
/// the wording version the person saw (what a tick grants).
fn choice(t: &PageText, pc: &PurposeChannel, w: &Wording, current: &[CurrentConsent]) -> Markup {
    let id = format!("{}-{}", pc.purpose, pc.channel.as_str());
    let state = state_of(current, pc);
    let since = current.iter().find(|c| c.purpose == pc.purpose && c.channel == pc.channel);
    let in_force = basis_in_force(pc.basis, state);
    // Why they hear from the organisation, in plain words, per line.
    let status_text = match (in_force, state, since) {
        (Some(LawfulBasis::Consent), _, Some(c)) => {
            t.agreed_on.replace("{date}", &readable_time(&c.updated_at))
        }
        (Some(LawfulBasis::CharitySoftOptIn), _, Some(c)) => {
            t.supported_on.replace("{date}", &readable_time(&c.updated_at))
        }
        (Some(LawfulBasis::LegitimateInterests), _, _) => t.by_post_unless.to_string(),
        (_, Some(Action::Pending), _) => t.awaiting_confirmation.to_string(),
        (_, Some(Action::Objected), _) => t.objected.to_string(),
        _ => t.not_agreed.to_string(),
    };
    html! {
        div class="option" {
            input type="checkbox" id={ "c-" (id) } name=(field("c", pc)) value="yes"
                checked[in_force.is_some()] aria-describedby={ "w-" (id) " s-" (id) };
            div {
                label for={ "c-" (id) } { (w.label) " (" (t.channel(pc.channel)) ")" }
                p id={ "w-" (id) } { (w.text) }
                p class="muted" id={ "s-" (id) } { (status_text) }
            }
        }
        (hidden(&field("v", pc), w.version))
    }
}

/// The person's whole ledger: when, what, the choice, how, and the words they saw.
fn history(site: &SiteConfig, t: &PageText, events: &[ConsentEvent]) -> Markup {
    html! {
        section aria-labelledby="history" {
            h2 id="history" { (t.history_heading) }
            @if events.is_empty() {
                p { (t.history_empty) }
            } @else {
                table {
                    thead {
                        tr {
                            th scope="col" { (t.when) }
                            th scope="col" { (t.what) }
                            th scope="col" { (t.choice) }
                            th scope="col" { (t.how) }
                        }
                    }
                    tbody {
                        @for e in events.iter().rev() {
                            tr {
                                td { (readable_time(&e.server_time)) }
                                td {
                                    @if let Some(w) = site.wording_of(e) {
                                        (w.label) " (" (t.channel(e.channel)) ")"
                                        details {
                                            summary { (t.wording_shown) " (" (t.version) " " (w.version) ")" }
                                            blockquote { (w.text) }
                                        }
                                    } @else {
                                        (e.purpose) " (" (t.channel(e.channel)) ")"
                                    }
                                }
                                td { (t.action(e.action)) }
                                td { (t.method(e.method)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn who_we_are(site: &SiteConfig, t: &PageText) -> Markup {
    let org = &site.organisation;
    html! {
        section aria-labelledby="who" {
            h2 id="who" { (t.who_we_are) }
            p { strong { (org.name) } }
            p { (t.contact) ": " a href={ "mailto:" (org.contact_email) } { (org.contact_email) } }
            p { (t.postal_address) ": " (org.postal_address) }
            p { a href=(org.privacy_notice_url) { (t.privacy_notice) } }
        }
    }
}

/// The page for a link whose person has no record with an address: never had one, or erased.
pub(super) fn nothing_held(p: &Person<'_>, erased: bool) -> HttpResponse {
    let t = p.lang.text();
    let (title, body) =
        if erased { (t.erased_title, t.erased_body) } else { (t.nothing_held_title, t.nothing_held_body) };
    let body = html! {
        p { (body.replace("{org}", &p.site.organisation.name)) }
        (who_we_are(p.site, t))
    };
    page(200, p.lang.code(), title, body)
}

/// What the person sees right after erasing their data.
pub(super) fn erased(p: &Person<'_>) -> HttpResponse {
    let t = p.lang.text();
    let body = html! { p { (t.erased_body.replace("{org}", &p.site.organisation.name)) } };
    page(200, p.lang.code(), t.erased_title, body)
}

/// `2026-11-24T12:00:00.000Z` → `2026-11-24 12:00`.
fn readable_time(stored: &str) -> String {
    match (stored.get(..10), stored.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => stored.to_string(),
    }
}
