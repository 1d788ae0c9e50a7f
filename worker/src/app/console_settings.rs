//! `/admin/sites/{site}/settings`: the site's definition as a form (organisation, policy links,
//! charity number, allowed origins, default language, double opt-in, cookie rules by region).
//!
//! The form edits `shared::site_edit::definition_of(site)` and applies it with the same
//! `apply_definition` and `admin::store_site` as `PUT /api/v1/admin/sites/{site}`, so the console
//! and the API cannot disagree on what a valid site is. Each field is checked on its own (the
//! stored definition with only that field changed), so every error shows beside its field at
//! once; nothing is stored until all pass.

use consent_shared::access::Action;
use consent_shared::api::v1::SiteDefinition;
use consent_shared::basis::{RegionRules, RuleSet};
use consent_shared::site_edit::{apply_definition, definition_of};
use maud::{html, Markup};

use super::console_site::Console;
use super::page_text::console_settings::SettingsText;
use super::pages::notice;
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// The form's fields, in the order the page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Name,
    ContactEmail,
    PostalAddress,
    PrivacyNoticeUrl,
    CookiePolicyUrl,
    CharityNumber,
    AllowedOrigins,
    DefaultLang,
    DoubleOptIn,
    RegionUk,
    RegionEea,
    RegionOther,
}

impl Field {
    pub(super) const ALL: [Field; 12] = [
        Field::Name,
        Field::ContactEmail,
        Field::PostalAddress,
        Field::PrivacyNoticeUrl,
        Field::CookiePolicyUrl,
        Field::CharityNumber,
        Field::AllowedOrigins,
        Field::DefaultLang,
        Field::DoubleOptIn,
        Field::RegionUk,
        Field::RegionEea,
        Field::RegionOther,
    ];

    /// The form field's name (also the input's id).
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::ContactEmail => "contact_email",
            Field::PostalAddress => "postal_address",
            Field::PrivacyNoticeUrl => "privacy_notice_url",
            Field::CookiePolicyUrl => "cookie_policy_url",
            Field::CharityNumber => "charity_number",
            Field::AllowedOrigins => "allowed_origins",
            Field::DefaultLang => "default_lang",
            Field::DoubleOptIn => "double_opt_in",
            Field::RegionUk => "region_uk",
            Field::RegionEea => "region_eea",
            Field::RegionOther => "region_other",
        }
    }

    /// Sets this field of `def` from the posted `form` (a missing field reads as empty).
    pub(super) fn set(self, def: &mut SiteDefinition, posted: &Posted) {
        let value = posted.get(self).trim().to_string();
        let org = &mut def.organisation;
        match self {
            Field::Name => org.name = value,
            Field::ContactEmail => org.contact_email = value,
            Field::PostalAddress => org.postal_address = value,
            Field::PrivacyNoticeUrl => org.privacy_notice_url = value,
            Field::CookiePolicyUrl => org.cookie_policy_url = value,
            Field::CharityNumber => org.charity_number = (!value.is_empty()).then_some(value),
            Field::AllowedOrigins => {
                def.allowed_origins =
                    value.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
            }
            Field::DefaultLang => def.default_lang = value,
            Field::DoubleOptIn => def.double_opt_in = value == "on",
            Field::RegionUk | Field::RegionEea | Field::RegionOther => {
                let rules = def.region_rules.get_or_insert_with(RegionRules::default);
                let set = if value == "eu" { RuleSet::Eu } else { RuleSet::Uk };
                match self {
                    Field::RegionUk => rules.uk = set,
                    Field::RegionEea => rules.eea = set,
                    _ => rules.other = set,
                }
            }
        }
    }

    /// The value the stored definition gives this field, as the form shows it.
    pub(super) fn stored(self, def: &SiteDefinition) -> String {
        let org = &def.organisation;
        let rules = def.region_rules.unwrap_or_default();
        match self {
            Field::Name => org.name.clone(),
            Field::ContactEmail => org.contact_email.clone(),
            Field::PostalAddress => org.postal_address.clone(),
            Field::PrivacyNoticeUrl => org.privacy_notice_url.clone(),
            Field::CookiePolicyUrl => org.cookie_policy_url.clone(),
            Field::CharityNumber => org.charity_number.clone().unwrap_or_default(),
            Field::AllowedOrigins => def.allowed_origins.join("\n"),
            Field::DefaultLang => def.default_lang.clone(),
            Field::DoubleOptIn => {
                if def.double_opt_in {
                    "on".into()
                } else {
                    String::new()
                }
            }
            Field::RegionUk => rules.uk.as_str().into(),
            Field::RegionEea => rules.eea.as_str().into(),
            Field::RegionOther => rules.other.as_str().into(),
        }
    }

    pub(super) fn label(self, t: &SettingsText) -> &'static str {
        match self {
            Field::Name => t.name,
            Field::ContactEmail => t.contact_email,
            Field::PostalAddress => t.postal_address,
            Field::PrivacyNoticeUrl => t.privacy_notice_url,
            Field::CookiePolicyUrl => t.cookie_policy_url,
            Field::CharityNumber => t.charity_number,
            Field::AllowedOrigins => t.allowed_origins,
            Field::DefaultLang => t.default_lang,
            Field::DoubleOptIn => t.double_opt_in,
            Field::RegionUk => t.region_uk,
            Field::RegionEea => t.region_eea,
            Field::RegionOther => t.region_other,
        }
    }

    fn hint(self, t: &SettingsText) -> Option<&'static str> {
        match self {
            Field::CharityNumber => Some(t.charity_number_hint),
            Field::AllowedOrigins => Some(t.allowed_origins_hint),
            Field::DefaultLang => Some(t.default_lang_hint),
            Field::DoubleOptIn => Some(t.double_opt_in_hint),
            _ => None,
        }
    }

    /// What the page says when the shared validation refuses this field's value.
    pub(super) fn error(self, t: &SettingsText) -> &'static str {
        match self {
            Field::Name | Field::PostalAddress => t.error_required,
            Field::ContactEmail => t.error_email,
            Field::PrivacyNoticeUrl | Field::CookiePolicyUrl => t.error_url,
            Field::CharityNumber => t.error_charity,
            Field::AllowedOrigins => t.error_origins,
            Field::DefaultLang => t.error_lang,
            Field::DoubleOptIn | Field::RegionUk | Field::RegionEea | Field::RegionOther => t.error_choice,
        }
    }
}

/// The values a form shows: the stored ones, or what was posted.
pub(super) struct Posted(pub(super) Vec<(Field, String)>);

impl Posted {
    pub(super) fn get(&self, field: Field) -> &str {
        self.0.iter().find(|(f, _)| *f == field).map_or("", |(_, v)| v.as_str())
    }
}

/// One refusal: the field it belongs to (`None`: the definition as a whole), and the message.
pub(super) type Refusal = (Option<Field>, String);

/// The definition the posted form asks for, or every reason it cannot be stored. Each field is
/// tried alone on the stored definition first, so each error names its own field; a posted form
/// whose fields pass one by one but not together (e.g. a charity number removed while a purpose
/// rests on the charity soft opt-in) gets the shared validation's reason as a whole.
fn check(
    site: &consent_shared::site::SiteConfig,
    posted: &Posted,
    t: &SettingsText,
) -> Result<consent_shared::site::SiteConfig, Vec<Refusal>> {
    check_against(&site.id, Some(site), definition_of(site), posted, t)
}

/// `check` for the site `id` as stored (`existing`, `None` for a new one), whose definition is
/// `base` before the posted fields.
pub(super) fn check_against(
    id: &str,
    existing: Option<&consent_shared::site::SiteConfig>,
    base: SiteDefinition,
    posted: &Posted,
    t: &SettingsText,
) -> Result<consent_shared::site::SiteConfig, Vec<Refusal>> {
    let mut refusals = Vec::new();
    for field in Field::ALL {
        let mut probe = base.clone();
        field.set(&mut probe, posted);
        if let Err(e) = apply_definition(id, existing, &probe) {
            let message = match field {
                // The shared reason names the purpose that needs the charity or the language.
                Field::CharityNumber | Field::DefaultLang => format!("{} ({e})", field.error(t)),
                _ => field.error(t).to_string(),
            };
            refusals.push((Some(field), message));
        }
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let mut wanted = base;
    for field in Field::ALL {
        field.set(&mut wanted, posted);
    }
    apply_definition(id, existing, &wanted).map_err(|e| vec![(None, format!("{} {e}", t.error_together))])
}

/// GET shows the form; POST (with `WriteSite`) stores a valid one and answers 303, or shows the
/// form again with each error beside its field (422), having stored nothing.
pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.settings();
    let may_write = Action::WriteSite.allowed_for(c.role);
    let stored = definition_of(&c.site);
    let Some(form) = c.form.as_ref() else {
        let shown = Posted(Field::ALL.iter().map(|f| (*f, f.stored(&stored))).collect());
        let saved = req.query_param("saved").is_some();
        return c.page(200, t.title, body(c, t, &shown, &[], saved, may_write));
    };
    if !may_write {
        return c.page(403, t.title, notice(c.text().no_access, true));
    }
    let posted =
        Posted(Field::ALL.iter().map(|f| (*f, form.get(f.name()).unwrap_or("").to_string())).collect());
    let site = match check(&c.site, &posted, t) {
        Ok(site) => site,
        Err(refusals) => {
            log_internal(&format!("console settings for {} refused: {refusals:?}", c.site.id));
            return c.page(422, t.title, body(c, t, &posted, &refusals, false, may_write));
        }
    };
    c.save_site(
        app,
        &site,
        req,
        facts,
        &format!("/admin/sites/{}/settings?lang={}&saved=1", c.site.id, c.lang.code()),
    )
    .await
}

fn body(
    c: &Console,
    t: &SettingsText,
    shown: &Posted,
    refusals: &[Refusal],
    saved: bool,
    may_write: bool,
) -> Markup {
    let error_of = |field: Field| refusals.iter().find(|(f, _)| *f == Some(field)).map(|(_, m)| m.as_str());
    let whole: Vec<&str> = refusals.iter().filter(|(f, _)| f.is_none()).map(|(_, m)| m.as_str()).collect();
    let action = format!("/admin/sites/{}/settings", c.site.id);
    html! {
        style { (super::console_wording::STYLE) }
        @if saved { (notice(t.saved, false)) }
        @if !refusals.is_empty() {
            div class="error" role="alert" id="error-summary" {
                p { strong { (t.error_summary) } }
                ul {
                    @for (field, message) in refusals {
                        @match field {
                            Some(f) => li { a href={ "#" (f.name()) } { (f.label(t)) ": " (message) } },
                            None => li { (message) },
                        }
                    }
                }
            }
        }
        @for message in &whole { p class="field-error" { (message) } }
        @if !may_write { p class="muted" { (t.read_only) } }
        form method="post" action=(action) novalidate {
            (c.form_fields())
            fieldset {
                legend { (t.organisation) }
                @for field in [Field::Name, Field::ContactEmail, Field::PostalAddress, Field::PrivacyNoticeUrl, Field::CookiePolicyUrl, Field::CharityNumber] {
                    (input(field, t, shown.get(field), error_of(field), may_write))
                }
            }
            fieldset {
                legend { (t.where_and_how) }
                @for field in [Field::AllowedOrigins, Field::DefaultLang, Field::DoubleOptIn] {
                    (input(field, t, shown.get(field), error_of(field), may_write))
                }
            }
            fieldset {
                legend { (t.region_rules) }
                p class="muted" { (t.region_rules_hint) }
                @for field in [Field::RegionUk, Field::RegionEea, Field::RegionOther] {
                    (input(field, t, shown.get(field), error_of(field), may_write))
                }
            }
            @if may_write { p { button type="submit" { (t.save) } } }
        }
    }
}

pub(super) fn input(
    field: Field,
    t: &SettingsText,
    value: &str,
    error: Option<&str>,
    may_write: bool,
) -> Markup {
    let name = field.name();
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let described: Vec<&str> = [field.hint(t).map(|_| hint_id.as_str()), error.map(|_| error_id.as_str())]
        .into_iter()
        .flatten()
        .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    let invalid = error.map(|_| "true");
    html! {
        div class="field" {
            @match field {
                Field::DoubleOptIn => {
                    div class="option" {
                        input type="checkbox" id=(name) name=(name) checked[value == "on"] disabled[!may_write]
                            aria-describedby=[described.as_deref()] aria-invalid=[invalid];
                        label for=(name) { (field.label(t)) }
                    }
                }
                Field::RegionUk | Field::RegionEea | Field::RegionOther => {
                    label for=(name) { (field.label(t)) }
                    select id=(name) name=(name) disabled[!may_write] aria-describedby=[described.as_deref()] aria-invalid=[invalid] {
                        option value="uk" selected[value == "uk"] { (t.rules_uk) }
                        option value="eu" selected[value == "eu"] { (t.rules_eu) }
                    }
                }
                Field::PostalAddress | Field::AllowedOrigins => {
                    label for=(name) { (field.label(t)) }
                    textarea id=(name) name=(name) rows="4" readonly[!may_write]
                        aria-describedby=[described.as_deref()] aria-invalid=[invalid] { (value) }
                }
                _ => {
                    label for=(name) { (field.label(t)) }
                    input type=(if field == Field::ContactEmail { "email" } else { "text" }) id=(name) name=(name) value=(value)
                        readonly[!may_write] aria-describedby=[described.as_deref()] aria-invalid=[invalid];
                }
            }
            @if let Some(hint) = field.hint(t) { p class="muted" id=(hint_id) { (hint) } }
            @if let Some(message) = error { p class="field-error" id=(error_id) { (message) } }
        }
    }
}
