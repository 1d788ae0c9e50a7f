//! `/admin/new-site`: a person who owns a site creates another (the console's frame is per site,
//! so creation has a page of its own, linked from `/admin`). The same fields as the settings
//! page plus the site id, validated the same way (`shared::site_edit::apply_definition`, each
//! field alone so each error is beside its field). The site and the creator's owner membership
//! are stored in one batch (`SiteCreateStore::create_site`): a taken id changes nothing. The
//! `site_changed` entry (`created: true`) names the person.

use consent_shared::access::{Actor, Role};
use consent_shared::api::v1::SiteDefinition;
use consent_shared::audit::AuditKind;
use consent_shared::email::Email;
use consent_shared::site::{is_valid_site_id, Organisation};
use consent_shared::time::format_utc;
use maud::html;

use super::admin::site_change;
use super::audit::{client_ip, record, AuditEntry};
use super::auth::{session_person, session_token};
use super::console_settings::{check_against, input, Field, Posted, Refusal};
use super::console_site::{console_lang, session_binding};
use super::csrf_form::{genuine, issue, Form, FIELD};
use super::pages::{page, see_other, unavailable};
use super::team::staff_email_key;
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::accounts::NewPerson;
use crate::store::{Store, StoreError};

/// The name of the site id field.
const SITE_ID: &str = "site_id";

/// A definition every field of which passes, for judging each posted field alone.
fn blank() -> SiteDefinition {
    SiteDefinition {
        organisation: Organisation {
            name: "-".into(),
            contact_email: "office@example.org".into(),
            postal_address: "-".into(),
            privacy_notice_url: "https://example.org/privacy".into(),
            cookie_policy_url: "https://example.org/cookies".into(),
            charity_number: None,
        },
        allowed_origins: vec![],
        default_lang: "en".into(),
        purposes: vec![],
        cookie_categories: vec![],
        banner: vec![],
        double_opt_in: false,
        region_rules: None,
    }
}

pub async fn page_for<S: Store + 'static>(
    app: &App<S>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let form = if req.method == "POST" { Form::parse(req) } else { None };
    let lang = console_lang(req, form.as_ref());
    let console = lang.console();
    let t = lang.settings();
    if !matches!(req.method.as_str(), "GET" | "HEAD" | "POST") {
        return page(405, lang.code(), t.new_site_title, html! { p { (console.not_allowed) } });
    }
    let person_id = match session_person(app, req, facts.now).await {
        Ok(Some(p)) => p,
        Ok(None) => return see_other(&format!("/admin/sign-in?lang={}", lang.code())),
        Err(e) => return unavailable(lang, &e),
    };
    let owns_a_site = match app.store.memberships_of(&person_id).await {
        Ok(sites) => sites.iter().any(|(_, role)| *role == Role::Owner),
        Err(e) => return unavailable(lang, &e),
    };
    let refused = |status: u16, why: &str| {
        page(status, lang.code(), t.new_site_title, html! { div class="error" role="alert" { p { (why) } } })
    };
    if !owns_a_site {
        return refused(403, console.no_access);
    }
    let binding = session_binding(&session_token(app, req).unwrap_or_default());
    let now = facts.now.timestamp();
    if req.method == "POST" && !form.as_ref().is_some_and(|f| genuine(app, req, f, &binding, now)) {
        return refused(403, console.form_expired);
    }
    let csrf = issue(app, &binding, now);
    let render = |status: u16, id: &str, shown: &Posted, refusals: &[Refusal], id_error: Option<&str>| {
        let error_of =
            |field: Field| refusals.iter().find(|(f, _)| *f == Some(field)).map(|(_, m)| m.as_str());
        let body = html! {
            style { (super::console_wording::STYLE) }
            @if !refusals.is_empty() || id_error.is_some() {
                div class="error" role="alert" {
                    p { strong { (t.error_summary) } }
                    ul {
                        @if let Some(m) = id_error { li { a href={ "#" (SITE_ID) } { (t.site_id) ": " (m) } } }
                        @for (field, message) in refusals {
                            @match field {
                                Some(f) => li { a href={ "#" (f.name()) } { (f.label(t)) ": " (message) } },
                                None => li { (message) },
                            }
                        }
                    }
                }
            }
            p { (t.new_site_intro) }
            form method="post" action="/admin/new-site" novalidate {
                input type="hidden" name=(FIELD) value=(csrf);
                input type="hidden" name="lang" value=(lang.code());
                div class="field" {
                    label for=(SITE_ID) { (t.site_id) }
                    input type="text" id=(SITE_ID) name=(SITE_ID) value=(id) aria-describedby={ (SITE_ID) "-hint" @if id_error.is_some() { " " (SITE_ID) "-error" } }
                        aria-invalid=[id_error.map(|_| "true")];
                    p class="muted" id={ (SITE_ID) "-hint" } { (t.site_id_hint) }
                    @if let Some(m) = id_error { p class="field-error" id={ (SITE_ID) "-error" } { (m) } }
                }
                @for field in Field::ALL {
                    (input(field, t, shown.get(field), error_of(field), true))
                }
                p { button type="submit" { (t.create) } }
            }
            p { a href={ "/admin?lang=" (lang.code()) } { (console.home_title) } }
        };
        page(status, lang.code(), t.new_site_title, body)
    };
    let Some(form) = form else {
        let base = blank();
        let mut shown: Vec<(Field, String)> = Field::ALL.iter().map(|f| (*f, f.stored(&base))).collect();
        for (field, value) in &mut shown {
            if matches!(
                field,
                Field::Name
                    | Field::ContactEmail
                    | Field::PostalAddress
                    | Field::PrivacyNoticeUrl
                    | Field::CookiePolicyUrl
            ) {
                value.clear();
            }
        }
        return render(200, "", &Posted(shown), &[], None);
    };
    let id = form.get(SITE_ID).unwrap_or("").trim().to_string();
    let posted =
        Posted(Field::ALL.iter().map(|f| (*f, form.get(f.name()).unwrap_or("").to_string())).collect());
    let id_error = (!is_valid_site_id(&id)).then_some(t.error_site_id);
    let probe_id = if id_error.is_some() { "new-site" } else { id.as_str() };
    let site = match check_against(probe_id, None, blank(), &posted, t) {
        Ok(site) if id_error.is_none() => site,
        Ok(_) => return render(422, &id, &posted, &[], id_error),
        Err(refusals) => {
            log_internal(&format!("console new site refused: {refusals:?}"));
            return render(422, &id, &posted, &refusals, id_error);
        }
    };
    let person = match app.store.person(&person_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return refused(403, console.no_access),
        Err(e) => return unavailable(lang, &e),
    };
    let Ok(email) = Email::parse(&person.email) else {
        return unavailable(lang, &"a console person's stored address does not parse");
    };
    let key = staff_email_key(&app.config, &email);
    let owner = NewPerson { id: &person.id, email_key: &key, email: &person.email };
    let stamp = format_utc(facts.now);
    match app.store.create_site(&site, &owner, &stamp).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => return render(422, &id, &posted, &[], Some(t.error_site_taken)),
        Err(e) => return unavailable(lang, &e),
    }
    let actor = Actor::Person { person_id: person.id.clone() };
    let entry = AuditEntry {
        site: &site.id,
        actor,
        kind: AuditKind::SiteChanged,
        detail: site_change(None, &site),
        client_ip: client_ip(req),
    };
    if let Err(e) = record(app, entry, facts.now).await {
        return unavailable(lang, &e);
    }
    see_other(&format!("/admin/sites/{}/settings?lang={}&saved=1", site.id, lang.code()))
}
