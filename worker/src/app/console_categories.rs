//! `/admin/sites/{site}/categories`: the cookie categories the banner asks about — key, basis
//! (with what each means), the Consent Mode signals accepting it grants, its label and
//! description per language, and the exact attribute that holds a script back until it is
//! accepted. Each category is a form; a new one is added with the last form. Stored through the
//! same `apply_definition` + `admin::store_site` as `PUT /api/v1/admin/sites/{site}`; every
//! field is checked alone against the stored definition so its error shows beside it.

use consent_shared::access::Action;
use consent_shared::api::v1::{CookieCategoryDefinition, SiteDefinition};
use consent_shared::basis::CookieBasis;
use consent_shared::site::{CategoryText, ConsentSignal};
use consent_shared::site_edit::{apply_definition, definition_of};
use maud::{html, Markup};

use super::console_site::Console;
use super::page_text::console_categories::CategoriesText;
use super::pages::notice;
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// The form's value for "a new category".
const NEW: &str = "_new";

/// A category as a form shows or posts it.
#[derive(Debug, Clone, Default)]
struct Shown {
    key: String,
    basis: String,
    signals: Vec<String>,
    /// (lang, label, description)
    texts: Vec<(String, String, String)>,
}

impl Shown {
    fn of(c: &CookieCategoryDefinition) -> Shown {
        Shown {
            key: c.key.clone(),
            basis: c.basis.unwrap_or_default().as_str().into(),
            signals: c.consent_mode.iter().map(|s| s.as_str().to_string()).collect(),
            texts: c.texts.iter().map(|t| (t.lang.clone(), t.label.clone(), t.description.clone())).collect(),
        }
    }

    /// A blank category with a text per language the site's wording uses.
    fn blank(def: &SiteDefinition) -> Shown {
        let mut langs = vec![def.default_lang.clone()];
        for b in &def.banner {
            if !langs.contains(&b.lang) {
                langs.push(b.lang.clone());
            }
        }
        Shown {
            basis: CookieBasis::Consent.as_str().into(),
            texts: langs.into_iter().map(|l| (l, String::new(), String::new())).collect(),
            ..Shown::default()
        }
    }
}

/// One form field of a category: which part, and the language for texts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Key,
    Basis,
    Signals,
    Label(String),
    Description(String),
}

impl Part {
    fn name(&self) -> String {
        match self {
            Part::Key => "key".into(),
            Part::Basis => "basis".into(),
            Part::Signals => "signals".into(),
            Part::Label(l) => format!("label_{l}"),
            Part::Description(l) => format!("description_{l}"),
        }
    }
}

/// `def` with the category at `index` (or a new one) replaced by `shown`'s `part`; `None` when a
/// value does not parse at all (the caller reports it beside the field).
fn with_part(
    def: &SiteDefinition,
    index: Option<usize>,
    from: &Shown,
    part: &Part,
) -> Option<SiteDefinition> {
    let mut def = def.clone();
    let category = match index {
        Some(i) => &mut def.cookie_categories[i],
        None => {
            // A new category starts as a valid placeholder so that each field is judged alone.
            def.cookie_categories.push(CookieCategoryDefinition {
                key: format!("new-{}", def.cookie_categories.len()),
                required: false,
                basis: Some(CookieBasis::Consent),
                texts: from
                    .texts
                    .iter()
                    .map(|(l, _, _)| CategoryText {
                        lang: l.clone(),
                        label: "x".into(),
                        description: "x".into(),
                    })
                    .collect(),
                consent_mode: vec![],
            });
            def.cookie_categories.last_mut().expect("just pushed")
        }
    };
    match part {
        Part::Key => category.key = from.key.trim().to_string(),
        Part::Basis => {
            let basis = CookieBasis::ALL.into_iter().find(|b| b.as_str() == from.basis)?;
            category.basis = Some(basis);
            category.required = basis == CookieBasis::StrictlyNecessary;
        }
        Part::Signals => {
            category.consent_mode = from
                .signals
                .iter()
                .map(|s| ConsentSignal::ALL.into_iter().find(|c| c.as_str() == s))
                .collect::<Option<Vec<_>>>()?;
        }
        Part::Label(lang) | Part::Description(lang) => {
            let (_, label, description) = from.texts.iter().find(|(l, _, _)| l == lang)?;
            let text = category.texts.iter_mut().find(|t| &t.lang == lang)?;
            match part {
                Part::Label(_) => text.label = label.trim().to_string(),
                _ => text.description = description.trim().to_string(),
            }
        }
    }
    Some(def)
}

fn parts(shown: &Shown) -> Vec<Part> {
    let mut parts = vec![Part::Key, Part::Basis, Part::Signals];
    for (lang, _, _) in &shown.texts {
        parts.push(Part::Label(lang.clone()));
        parts.push(Part::Description(lang.clone()));
    }
    parts
}

struct Refused {
    target: String,
    shown: Shown,
    errors: Vec<(String, String)>,
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.categories();
    let may_write = Action::WriteSite.allowed_for(c.role);
    let stored = definition_of(&c.site);
    let Some(form) = c.form.as_ref() else {
        return c.page(
            200,
            t.title,
            body(c, t, &stored, None, req.query_param("saved").is_some(), may_write),
        );
    };
    if !may_write {
        return c.page(403, t.title, notice(c.text().no_access, true));
    }
    let target = form.get("target").unwrap_or("").to_string();
    let index = stored.cookie_categories.iter().position(|k| k.key == target);
    if index.is_none() && target != NEW {
        return c.page(422, t.title, notice(t.unknown_target, true));
    }
    let template = index.map_or_else(|| Shown::blank(&stored), |i| Shown::of(&stored.cookie_categories[i]));
    let shown = Shown {
        key: if index.is_some() { template.key.clone() } else { form.get("key").unwrap_or("").to_string() },
        basis: form.get("basis").unwrap_or("").to_string(),
        signals: ConsentSignal::ALL
            .into_iter()
            .filter(|s| form.get(&format!("signal_{}", s.as_str())).is_some())
            .map(|s| s.as_str().to_string())
            .collect(),
        texts: template
            .texts
            .iter()
            .map(|(lang, _, _)| {
                let label = form.get(&format!("label_{lang}")).unwrap_or("").to_string();
                let description = form.get(&format!("description_{lang}")).unwrap_or("").to_string();
                (lang.clone(), label, description)
            })
            .collect(),
    };
    let mut errors = Vec::new();
    let mut wanted = Some(stored.clone());
    let mut wanted_index = index;
    for part in parts(&shown) {
        // Signals are judged with the posted basis, since which signals are allowed depends on it.
        let alone = match part {
            Part::Signals => with_part(&stored, index, &shown, &Part::Basis).and_then(|def| {
                let at = index.unwrap_or(stored.cookie_categories.len());
                with_part(&def, Some(at), &shown, &part)
            }),
            _ => with_part(&stored, index, &shown, &part),
        };
        let refused = match &alone {
            None => Some(t.error_choice.to_string()),
            Some(def) => apply_definition(&c.site.id, Some(&c.site), def)
                .err()
                .map(|e| format!("{} ({e})", t.error_field)),
        };
        if let Some(message) = refused {
            errors.push((part.name(), message));
        }
        wanted = wanted.and_then(|w| {
            let next = with_part(&w, wanted_index, &shown, &part);
            if wanted_index.is_none() {
                wanted_index = Some(w.cookie_categories.len());
            }
            next
        });
    }
    let site = match (errors.is_empty(), wanted) {
        (true, Some(def)) => match apply_definition(&c.site.id, Some(&c.site), &def) {
            Ok(site) => Some(site),
            Err(e) => {
                errors.push((String::new(), format!("{} ({e})", t.error_field)));
                None
            }
        },
        _ => None,
    };
    let Some(site) = site else {
        log_internal(&format!("console categories for {} refused: {errors:?}", c.site.id));
        let refused = Refused { target, shown, errors };
        return c.page(422, t.title, body(c, t, &stored, Some(&refused), false, may_write));
    };
    c.save_site(
        app,
        &site,
        req,
        facts,
        &format!("/admin/sites/{}/categories?lang={}&saved=1", c.site.id, c.lang.code()),
    )
    .await
}

fn body(
    c: &Console,
    t: &CategoriesText,
    stored: &SiteDefinition,
    refused: Option<&Refused>,
    saved: bool,
    may_write: bool,
) -> Markup {
    html! {
        style { (super::console_wording::STYLE) }
        @if saved { (notice(t.saved, false)) }
        @if let Some(r) = refused {
            div class="error" role="alert" {
                p { strong { (t.error_summary) } }
                ul { @for (name, message) in &r.errors {
                    li { @if name.is_empty() { (message) } @else { a href={ "#cat-" (r.target) "-" (name) } { (name) ": " (message) } } }
                } }
            }
        }
        p { (t.intro) }
        h2 { (t.bases) }
        dl {
            @for basis in CookieBasis::ALL {
                dt { code { (basis.as_str()) } " — " (t.basis_name(basis)) }
                dd { (t.basis_meaning(basis)) }
            }
        }
        p class="error" role="note" { strong { (t.always_consent) } }
        @for category in &stored.cookie_categories {
            @let here = refused.filter(|r| r.target == category.key);
            (category_form(c, t, &category.key, here.map_or_else(|| Shown::of(category), |r| r.shown.clone()), here, may_write))
        }
        @if may_write {
            @let here = refused.filter(|r| r.target == NEW);
            h2 { (t.add) }
            (category_form(c, t, NEW, here.map_or_else(|| Shown::blank(stored), |r| r.shown.clone()), here, may_write))
        }
    }
}

fn category_form(
    c: &Console,
    t: &CategoriesText,
    target: &str,
    shown: Shown,
    refused: Option<&Refused>,
    may_write: bool,
) -> Markup {
    let error =
        |name: &str| refused.and_then(|r| r.errors.iter().find(|(n, _)| n == name)).map(|(_, m)| m.clone());
    let id = |name: &str| format!("cat-{target}-{name}");
    let field_error = |name: &str| -> Markup {
        html! { @if let Some(m) = error(name) { p class="field-error" id={ (id(name)) "-error" } { (m) } } }
    };
    let described = |name: &str| error(name).map(|_| format!("{}-error", id(name)));
    let is_new = target == NEW;
    html! {
        section aria-labelledby={ "cat-" (target) "-h" } {
            @if is_new {
                h3 id={ "cat-" (target) "-h" } { (t.new_category) }
            } @else {
                h3 id={ "cat-" (target) "-h" } { code { (shown.key) } }
                p { (t.attribute) " " code { "data-consent-category=\"" (shown.key) "\"" } }
                pre { code { "<script type=\"text/plain\" data-consent-category=\"" (shown.key) "\">…</script>" } }
            }
            form method="post" action={ "/admin/sites/" (c.site.id) "/categories" } {
                (c.form_fields())
                input type="hidden" name="target" value=(target);
                @if is_new {
                    div class="field" {
                        label for=(id("key")) { (t.key) }
                        input type="text" id=(id("key")) name="key" value=(shown.key) aria-describedby=[described("key")] aria-invalid=[error("key").map(|_| "true")];
                        p class="muted" { (t.key_hint) }
                        (field_error("key"))
                    }
                }
                div class="field" {
                    label for=(id("basis")) { (t.basis) }
                    select id=(id("basis")) name="basis" disabled[!may_write] aria-describedby=[described("basis")] aria-invalid=[error("basis").map(|_| "true")] {
                        @for basis in CookieBasis::ALL {
                            option value=(basis.as_str()) selected[shown.basis == basis.as_str()] { (t.basis_name(basis)) }
                        }
                    }
                    (field_error("basis"))
                }
                fieldset aria-describedby=[described("signals")] {
                    legend { (t.signals) }
                    p class="muted" { (t.signals_hint) }
                    @for signal in ConsentSignal::ALL {
                        @let sid = id(&format!("signal_{}", signal.as_str()));
                        div class="option" {
                            input type="checkbox" id=(sid) name={ "signal_" (signal.as_str()) } disabled[!may_write]
                                checked[shown.signals.iter().any(|s| s == signal.as_str())];
                            label for=(sid) { code { (signal.as_str()) } }
                        }
                    }
                    (field_error("signals"))
                }
                @for (lang, label, description) in &shown.texts {
                    @let ln = format!("label_{lang}");
                    @let dn = format!("description_{lang}");
                    div class="field" {
                        label for=(id(&ln)) { (t.label) " (" (lang) ")" }
                        input type="text" id=(id(&ln)) name=(ln) value=(label) readonly[!may_write]
                            aria-describedby=[described(&ln)] aria-invalid=[error(&ln).map(|_| "true")];
                        (field_error(&ln))
                    }
                    div class="field" {
                        label for=(id(&dn)) { (t.description) " (" (lang) ")" }
                        textarea id=(id(&dn)) name=(dn) rows="2" readonly[!may_write]
                            aria-describedby=[described(&dn)] aria-invalid=[error(&dn).map(|_| "true")] { (description) }
                        (field_error(&dn))
                    }
                }
                @if may_write { p { button type="submit" { @if is_new { (t.add) } @else { (t.save) } } } }
            }
        }
    }
}
