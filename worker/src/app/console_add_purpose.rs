//! "Add a purpose" on the Wording page: a new purpose × channel with its lawful basis and its
//! label and statement in each of the site's languages. Each field is checked with the site
//! definition's own rules (`site_edit::check_key`/`check_text`, `basis::check_basis`) so its
//! error stands beside it; then the whole definition goes through `apply_definition` +
//! `admin::store_site`, the path of `PUT /api/v1/admin/sites/{site}` and of the wording form
//! (so it is audited as `site_changed` and the widget's form shows the purpose at once).

use consent_shared::api::v1::{PurposeDefinition, WordingDefinition};
use consent_shared::basis::{check_basis, BasisFacts, BasisRefusal, LawfulBasis};
use consent_shared::site::Channel;
use consent_shared::site_edit::{apply_definition, check_key, check_text, definition_of};
use maud::{html, Markup};

use super::console_site::Console;
use super::csrf_form::Form;
use super::page_text::console_polish::PolishText;
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// The wording form's `target` for this form.
pub const TARGET: &str = "new-purpose";

/// What was posted, and each field's error (field name → message).
#[derive(Default)]
pub struct Posted {
    values: Vec<(String, String)>,
    errors: Vec<(String, &'static str)>,
}

impl Posted {
    fn value(&self, name: &str) -> &str {
        self.values.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    fn error(&self, name: &str) -> Option<&'static str> {
        self.errors.iter().find(|(n, _)| n == name).map(|(_, m)| *m)
    }
}

/// The site's languages: the default first, then any other its banner or purposes are written in.
pub fn site_langs(c: &Console) -> Vec<String> {
    let mut langs = vec![c.site.default_lang.clone()];
    let others = c
        .site
        .banner
        .iter()
        .map(|b| &b.lang)
        .chain(c.site.purposes.iter().flat_map(|p| p.wordings.iter().map(|w| &w.lang)));
    for lang in others {
        if !langs.contains(lang) {
            langs.push(lang.clone());
        }
    }
    langs
}

fn basis_meaning(p: &PolishText, basis: LawfulBasis) -> &'static str {
    match basis {
        LawfulBasis::Consent => p.basis_consent,
        LawfulBasis::CharitySoftOptIn => p.basis_soft_opt_in,
        LawfulBasis::LegitimateInterests => p.basis_legitimate,
    }
}

/// The posted form checked field by field: the definition to add, or the errors beside each field.
fn check(c: &Console, form: &Form) -> Result<PurposeDefinition, Posted> {
    let p = c.lang.polish();
    let mut posted = Posted::default();
    let mut get = |name: &str| {
        let value = form.get(name).unwrap_or("").replace("\r\n", "\n").trim().to_string();
        posted.values.push((name.to_string(), value.clone()));
        value
    };
    let purpose = get("purpose");
    let channel = Channel::parse(&get("channel"));
    let basis = LawfulBasis::parse(&get("basis"));
    let furthers = !get("furthers").is_empty();
    let langs = site_langs(c);
    let wordings: Vec<WordingDefinition> = langs
        .iter()
        .map(|lang| WordingDefinition {
            lang: lang.clone(),
            label: get(&format!("label_{lang}")),
            text: get(&format!("text_{lang}")),
            refusal: Some(get(&format!("refusal_{lang}"))),
        })
        .collect();
    let errors = &mut posted.errors;
    if check_key(&purpose).is_err() {
        errors.push(("purpose".into(), p.bad_key));
    } else if channel.is_some_and(|ch| c.site.purpose(&purpose, ch).is_some()) {
        errors.push(("purpose".into(), p.key_taken));
    }
    if channel.is_none() {
        errors.push(("channel".into(), p.bad_channel));
    }
    match (basis, channel) {
        (None, _) => errors.push(("basis".into(), p.bad_basis)),
        (Some(basis), Some(channel)) => {
            let facts = BasisFacts {
                is_charity: c.site.organisation.is_charity(),
                furthers_charitable_purposes: furthers,
            };
            match check_basis(basis, channel, facts) {
                Ok(()) => {}
                Err(BasisRefusal::SoftOptInPurposeNotCharitable) => {
                    errors.push(("furthers".into(), p.declaration_missing))
                }
                Err(BasisRefusal::SoftOptInNotACharity) => errors.push(("basis".into(), p.basis_not_charity)),
                Err(_) => errors.push(("basis".into(), p.bad_basis)),
            }
        }
        (Some(_), None) => {}
    }
    let soft_opt_in = basis == Some(LawfulBasis::CharitySoftOptIn);
    for w in &wordings {
        if check_text(&w.label).is_err() {
            errors.push((format!("label_{}", w.lang), p.label_missing));
        }
        if check_text(&w.text).is_err() {
            errors.push((format!("text_{}", w.lang), p.statement_missing));
        }
        if soft_opt_in && w.refusal.as_deref().is_none_or(|r| check_text(r).is_err()) {
            errors.push((format!("refusal_{}", w.lang), p.refusal_missing));
        }
    }
    match (channel, basis) {
        (Some(channel), Some(basis)) if posted.errors.is_empty() => Ok(PurposeDefinition {
            purpose,
            channel,
            wordings: wordings
                .into_iter()
                .map(|w| WordingDefinition { refusal: w.refusal.filter(|_| soft_opt_in), ..w })
                .collect(),
            basis,
            furthers_charitable_purposes: furthers && soft_opt_in,
        }),
        _ => Err(posted),
    }
}

/// A post of the form (the role may already write the site): adds the purpose, or answers 422
/// with the form and each error beside its field; nothing is stored unless all are valid.
pub async fn post<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    form: &Form,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let p = c.lang.polish();
    let added = check(c, form).and_then(|new| {
        let mut wanted = definition_of(&c.site);
        let key = format!("{}.{}", new.purpose, new.channel.as_str());
        wanted.purposes.push(new);
        apply_definition(&c.site.id, Some(&c.site), &wanted).map(|site| (site, key)).map_err(|e| {
            // Every field passed on its own: what is left is the definition as a whole.
            log_internal(&format!("console add purpose for {} refused as a whole: {e}", c.site.id));
            Posted { errors: vec![(String::new(), p.bad_basis)], ..Posted::default() }
        })
    });
    let (site, key) = match added {
        Ok(added) => added,
        Err(posted) => {
            log_internal(&format!("console add purpose for {} refused: {:?}", c.site.id, posted.errors));
            return c.page(422, p.add_heading, html! {
                style { (super::console_wording::STYLE) }
                div class="error" role="alert" {
                    p { strong { (p.errors_heading) } }
                    ul { @for (name, message) in &posted.errors {
                        li { @if name.is_empty() { (message) } @else { a href={ "#add-" (name) } { (message) } } }
                    } }
                }
                (form_markup(c, &posted))
            });
        }
    };
    c.save_site(
        app,
        &site,
        req,
        facts,
        &format!("/admin/sites/{}/wording?lang={}&saved=1#{key}", c.site.id, c.lang.code()),
    )
    .await
}

/// The empty form, for the Wording page.
pub fn form(c: &Console) -> Markup {
    form_markup(c, &Posted::default())
}

fn form_markup(c: &Console, posted: &Posted) -> Markup {
    let p = c.lang.polish();
    let described = |name: &str, hint: bool| {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("add-{name}-hint"));
        }
        if posted.error(name).is_some() {
            ids.push(format!("add-{name}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let error = |name: &str| {
        html! {
            @if let Some(m) = posted.error(name) { p class="field-error" id={ "add-" (name) "-error" } { (m) } }
        }
    };
    let invalid = |name: &str| posted.error(name).map(|_| "true");
    let chosen_basis = LawfulBasis::parse(posted.value("basis")).unwrap_or(LawfulBasis::Consent);
    html! {
        section id="add-a-purpose" aria-labelledby="add-purpose-h" {
            h2 id="add-purpose-h" { (p.add_heading) }
            p { (p.add_intro) }
            form method="post" action={ "/admin/sites/" (c.site.id) "/wording" } {
                (c.form_fields())
                input type="hidden" name="target" value=(TARGET);
                div class="field" {
                    label for="add-purpose" { (p.purpose_key) }
                    p class="muted" id="add-purpose-hint" { (p.purpose_key_hint) }
                    (error("purpose"))
                    input type="text" id="add-purpose" name="purpose" value=(posted.value("purpose"))
                        aria-invalid=[invalid("purpose")] aria-describedby=[described("purpose", true)];
                }
                div class="field" {
                    label for="add-channel" { (p.channel) }
                    (error("channel"))
                    select id="add-channel" name="channel" aria-invalid=[invalid("channel")] aria-describedby=[described("channel", false)] {
                        @for ch in Channel::ALL {
                            option value=(ch.as_str()) selected[posted.value("channel") == ch.as_str()] { (ch.as_str()) }
                        }
                    }
                }
                fieldset id="add-basis" aria-describedby=[described("basis", false)] {
                    legend { (p.basis) }
                    (error("basis"))
                    @for basis in LawfulBasis::ALL {
                        @let id = format!("add-basis-{}", basis.as_str());
                        div class="option" {
                            input type="radio" id=(id) name="basis" value=(basis.as_str()) checked[basis == chosen_basis];
                            label for=(id) { (basis_meaning(p, basis)) }
                        }
                    }
                }
                div class="option" {
                    input type="checkbox" id="add-furthers" name="furthers" value="yes" checked[!posted.value("furthers").is_empty()]
                        aria-invalid=[invalid("furthers")] aria-describedby=[described("furthers", false)];
                    div { label for="add-furthers" { (p.furthers_purposes) } (error("furthers")) }
                }
                @for lang in site_langs(c) {
                    fieldset lang=(lang) {
                        legend lang=(c.lang.code()) { (lang) }
                        @for (part, label, rows) in [("label", p.label_in, 1), ("text", p.statement_in, 4), ("refusal", p.refusal_in, 1)] {
                            @let name = format!("{part}_{lang}");
                            div class="field" {
                                label for={ "add-" (name) } lang=(c.lang.code()) { (label) " (" (lang) ")" }
                                (error(&name))
                                textarea id={ "add-" (name) } name=(name) rows=(rows)
                                    aria-invalid=[invalid(&name)] aria-describedby=[described(&name, false)] { (posted.value(&name)) }
                            }
                        }
                    }
                }
                p { button type="submit" { (p.add_button) } }
            }
        }
    }
}
