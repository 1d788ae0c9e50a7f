//! `/admin/sites/{site}/wording`: every purpose × channel's current texts and the cookie banner's,
//! per language, each editable (a change is a new version, through the same
//! `apply_definition` + `admin::store_site` as the API), with every version kept, who stored it
//! and when (from the audit trail's `site_changed` entries: `new_wording_versions` names the
//! purpose versions, `policy_version` the banner's), and a word-level diff of each version
//! against the one before (`dissimilar`, rendered as `<del>`/`<ins>`).

use consent_shared::access::Action;
use consent_shared::api::v1::SiteDefinition;
use consent_shared::basis::LawfulBasis;
use consent_shared::site::{Channel, SiteConfig};
use consent_shared::site_edit::{apply_definition, definition_of};
use maud::{html, Markup};

use super::console_layout::when;
use super::console_site::Console;
use super::page_text::console_wording::WordingText;
use super::pages::{notice, unavailable};
use super::{log_internal, App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::audit::AuditFilter;
use crate::store::Store;

/// Styles the console's site pages add to the shared ones (`pages::STYLE` has no form controls
/// beyond inputs): readable in light and dark, errors marked by text and a border, not colour alone.
pub const STYLE: &str = "textarea,select{font:inherit;padding:.4rem;border:2px solid #565c65;border-radius:4px;width:100%;box-sizing:border-box;background:#fff;color:#1b1b1b}\
textarea:focus-visible,select:focus-visible{outline:3px solid #b35900;outline-offset:2px}\
fieldset{border:1px solid #a9aeb1;margin:1rem 0;padding:.5rem 1rem}.field{margin:.8rem 0}\
.field-error{font-weight:600;color:#b50909;border-left:4px solid #b50909;padding-left:.5rem}\
del{background:#f9eaea;color:#1b1b1b}ins{background:#ecf3ec;color:#1b1b1b}\
pre{white-space:pre-wrap;word-break:break-all}iframe.preview{width:100%;border:1px solid #a9aeb1}\
@media (prefers-color-scheme:dark){textarea,select{background:#222;color:#eee;border-color:#aaa}\
.field-error{color:#ffb3b3;border-color:#ffb3b3}del{background:#4a1c1c;color:#eee}ins{background:#173d24;color:#eee}}";

/// What one wording form edits: a purpose on a channel, or the banner.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Purpose(String, Channel),
    Banner,
}

impl Target {
    fn key(&self) -> String {
        match self {
            Target::Purpose(p, c) => format!("{p}.{}", c.as_str()),
            Target::Banner => "banner".into(),
        }
    }

    fn parse(raw: &str) -> Option<Target> {
        if raw == "banner" {
            return Some(Target::Banner);
        }
        let (purpose, channel) = raw.rsplit_once('.')?;
        Some(Target::Purpose(purpose.to_string(), Channel::parse(channel)?))
    }
}

/// One editable text: which target, which language, which part (`label`, `text`, `refusal`).
type FieldName = String;

fn field_name(part: &str, lang: &str) -> FieldName {
    format!("{part}_{lang}")
}

/// Writes the posted value of one field into `def` (what the `target` form edits).
fn set_field(def: &mut SiteDefinition, target: &Target, part: &str, lang: &str, value: &str) {
    match target {
        Target::Banner => {
            if let Some(b) = def.banner.iter_mut().find(|b| b.lang == lang) {
                b.text = value.to_string();
            }
        }
        Target::Purpose(purpose, channel) => {
            let Some(p) = def.purposes.iter_mut().find(|p| &p.purpose == purpose && p.channel == *channel)
            else {
                return;
            };
            let Some(w) = p.wordings.iter_mut().find(|w| w.lang == lang) else { return };
            match part {
                "label" => w.label = value.to_string(),
                "refusal" => w.refusal = Some(value.to_string()),
                _ => w.text = value.to_string(),
            }
        }
    }
}

/// The fields a target's form has: (part, language, current value).
fn fields_of(def: &SiteDefinition, target: &Target) -> Vec<(&'static str, String, String)> {
    match target {
        Target::Banner => def.banner.iter().map(|b| ("text", b.lang.clone(), b.text.clone())).collect(),
        Target::Purpose(purpose, channel) => def
            .purposes
            .iter()
            .filter(|p| &p.purpose == purpose && p.channel == *channel)
            .flat_map(|p| &p.wordings)
            .flat_map(|w| {
                let mut f = vec![
                    ("label", w.lang.clone(), w.label.clone()),
                    ("text", w.lang.clone(), w.text.clone()),
                ];
                if let Some(r) = &w.refusal {
                    f.push(("refusal", w.lang.clone(), r.clone()));
                }
                f
            })
            .collect(),
    }
}

/// A refused post: the target, and each field's message.
struct Refused {
    target: Target,
    posted: Vec<(FieldName, String)>,
    errors: Vec<(FieldName, String)>,
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    item: Option<&str>,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.wording();
    match item {
        None => {}
        Some("preview") if c.form.is_none() => return super::console_preview::page(c, req),
        Some(_) => return c.page(404, t.title, notice(c.text().no_such_page, true)),
    }
    let may_write = Action::WriteSite.allowed_for(c.role);
    let Some(form) = c.form.as_ref() else {
        return render(app, c, t, None, req.query_param("saved").is_some(), may_write).await;
    };
    if !may_write {
        return c.page(403, t.title, notice(c.text().no_access, true));
    }
    if form.get("target") == Some(super::console_add_purpose::TARGET) {
        return super::console_add_purpose::post(app, c, form, req, facts).await;
    }
    let stored = definition_of(&c.site);
    let Some(target) = form.get("target").and_then(Target::parse) else {
        return c.page(422, t.title, notice(t.unknown_target, true));
    };
    let fields = fields_of(&stored, &target);
    if fields.is_empty() {
        return c.page(422, t.title, notice(t.unknown_target, true));
    }
    let posted: Vec<(FieldName, String)> = fields
        .iter()
        .map(|(part, lang, _)| {
            let name = field_name(part, lang);
            let value = form.get(&name).unwrap_or("").replace("\r\n", "\n").trim().to_string();
            (name, value)
        })
        .collect();
    // Each field alone on the stored definition: its own error beside it.
    let mut errors = Vec::new();
    let mut wanted = stored.clone();
    for ((part, lang, _), (name, value)) in fields.iter().zip(&posted) {
        let mut probe = stored.clone();
        set_field(&mut probe, &target, part, lang, value);
        if let Err(e) = apply_definition(&c.site.id, Some(&c.site), &probe) {
            errors.push((name.clone(), format!("{} ({e})", t.error_text)));
        }
        set_field(&mut wanted, &target, part, lang, value);
    }
    let site = if errors.is_empty() {
        match apply_definition(&c.site.id, Some(&c.site), &wanted) {
            Ok(site) => Some(site),
            Err(e) => {
                errors.push((String::new(), format!("{} ({e})", t.error_text)));
                None
            }
        }
    } else {
        None
    };
    let Some(site) = site else {
        log_internal(&format!("console wording for {} refused: {errors:?}", c.site.id));
        let refused = Refused { target, posted, errors };
        return render(app, c, t, Some(refused), false, may_write).await;
    };
    c.save_site(
        app,
        &site,
        req,
        facts,
        &format!("/admin/sites/{}/wording?lang={}&saved=1#{}", c.site.id, c.lang.code(), target.key()),
    )
    .await
}

/// When and by whom each version was stored: (target key, version) → (time, who).
async fn history<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
) -> Result<Vec<(String, u32, String, String)>, crate::store::StoreError> {
    let filter = AuditFilter { kind: Some("site_changed".into()), ..AuditFilter::default() };
    let entries = app.store.audit_page(&site.id, &filter, 500).await?;
    let members = app.store.members(&site.id).await?;
    let who = |label: &str| {
        members
            .iter()
            .find(|m| label.strip_prefix("person:") == Some(m.person_id.as_str()))
            .map_or_else(|| label.to_string(), |m| m.email.clone())
    };
    let mut out = Vec::new();
    for entry in entries {
        let r = &entry.record;
        let Ok(detail) = serde_json::from_str::<serde_json::Value>(&r.detail) else { continue };
        for named in detail["new_wording_versions"].as_array().into_iter().flatten() {
            // "purpose/channel vN"
            let Some((pc, v)) = named.as_str().and_then(|s| s.rsplit_once(" v")) else { continue };
            let (Some((p, ch)), Ok(v)) = (pc.rsplit_once('/'), v.parse::<u32>()) else { continue };
            out.push((format!("{p}.{ch}"), v, r.at.clone(), who(&r.actor)));
        }
        let banner_new = detail["created"].as_bool() == Some(true)
            || detail["policy_version_changed"].as_bool() == Some(true);
        if let (true, Some(v)) = (banner_new, detail["policy_version"].as_u64()) {
            out.push(("banner".into(), v as u32, r.at.clone(), who(&r.actor)));
        }
    }
    Ok(out)
}

/// A word-level diff of `old` → `new` as `<del>`/`<ins>` (semantic clean-up aligns the changes
/// with whole words).
pub fn diff(old: &str, new: &str) -> Markup {
    html! {
        @for chunk in dissimilar::diff(old, new) {
            @match chunk {
                dissimilar::Chunk::Equal(s) => (s),
                dissimilar::Chunk::Delete(s) => del { (s) },
                dissimilar::Chunk::Insert(s) => ins { (s) },
            }
        }
    }
}

async fn render<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    t: &WordingText,
    refused: Option<Refused>,
    saved: bool,
    may_write: bool,
) -> HttpResponse {
    let history = match history(app, &c.site).await {
        Ok(h) => h,
        Err(e) => return unavailable(c.lang, &e),
    };
    let stored = definition_of(&c.site);
    let status = if refused.is_some() { 422 } else { 200 };
    let mut targets: Vec<(Target, String, Option<LawfulBasis>)> = c
        .site
        .purposes
        .iter()
        .map(|p| {
            let title = format!("{} · {}", p.purpose, p.channel.as_str());
            (Target::Purpose(p.purpose.clone(), p.channel), title, Some(p.basis))
        })
        .collect();
    if !c.site.banner.is_empty() {
        targets.push((Target::Banner, t.banner.to_string(), None));
    }
    let body = html! {
        style { (STYLE) }
        @if saved { (notice(t.saved, false)) }
        @if let Some(r) = &refused {
            div class="error" role="alert" {
                p { strong { (t.error_summary) } }
                ul { @for (name, message) in &r.errors {
                    li { @if name.is_empty() { (message) } @else { a href={ "#" (r.target.key()) "-" (name) } { (name) ": " (message) } } }
                } }
            }
        }
        p { (t.evidence_note) }
        p { (t.banner_note) }
        @for (target, title, basis) in &targets {
            @let key = target.key();
            section id=(key) aria-labelledby={ (key) "-h" } {
                h2 id={ (key) "-h" } { (title) }
                @if let Some(basis) = basis { p class="muted" { (t.basis(*basis)) } }
                @let refused_here = refused.as_ref().filter(|r| &r.target == target);
                form method="post" action={ "/admin/sites/" (c.site.id) "/wording" } {
                    (c.form_fields())
                    input type="hidden" name="target" value=(key);
                    @for (part, lang, value) in fields_of(&stored, target) {
                        @let name = field_name(part, &lang);
                        @let id = format!("{key}-{name}");
                        @let shown = refused_here.and_then(|r| r.posted.iter().find(|(n, _)| *n == name)).map_or(value.clone(), |(_, v)| v.clone());
                        @let error = refused_here.and_then(|r| r.errors.iter().find(|(n, _)| *n == name)).map(|(_, m)| m.clone());
                        div class="field" {
                            label for=(id) { (t.part(part)) " (" (lang) ")" }
                            textarea id=(id) name=(name) rows=(if part == "label" { "1" } else { "4" }) readonly[!may_write]
                                aria-invalid=[error.as_ref().map(|_| "true")]
                                aria-describedby=[error.as_ref().map(|_| format!("{id}-error"))] { (shown) }
                            @if let Some(message) = &error { p class="field-error" id={ (id) "-error" } { (message) } }
                        }
                    }
                    @if may_write { p { button type="submit" { (t.save_new_version) } } }
                }
                (preview(c, t, target, title))
                h3 { (t.versions) }
                (versions(c, t, target, &history))
            }
        }
        @if may_write { (super::console_add_purpose::form(c)) }
    };
    let mut answer = c.page(status, t.title, body);
    // The previews are frames of this origin's own preview pages.
    for (name, value) in &mut answer.headers {
        if name == "content-security-policy" {
            value.push_str("; frame-src 'self'");
        }
    }
    answer
}

/// The current version in the page's language (else the site's default) as the widget shows
/// it, in a frame that may run nothing (`sandbox` with no permissions).
fn preview(c: &Console, t: &WordingText, target: &Target, title: &str) -> Markup {
    let (version, langs): (u32, Vec<&str>) = match target {
        Target::Banner => (
            c.site.policy_version,
            c.site
                .banner
                .iter()
                .filter(|b| b.version == c.site.policy_version)
                .map(|b| b.lang.as_str())
                .collect(),
        ),
        Target::Purpose(p, ch) => match c.site.purpose(p, *ch) {
            Some(pc) => (
                pc.current_version,
                pc.wordings
                    .iter()
                    .filter(|w| w.version == pc.current_version)
                    .map(|w| w.lang.as_str())
                    .collect(),
            ),
            None => return html! {},
        },
    };
    let lang = if langs.contains(&c.lang.code()) { c.lang.code() } else { c.site.default_lang.as_str() };
    let src = super::console_preview::href(&c.site.id, &target.key(), version, lang);
    html! {
        h3 { (t.preview) }
        iframe class="preview" sandbox="" src=(src) title={ (t.preview) ": " (title) } height=(if *target == Target::Banner { "260" } else { "200" }) {}
    }
}

/// Every version of a target, newest first: its texts per language, when and by whom it was
/// stored, and what changed from the version before.
fn versions(
    c: &Console,
    t: &WordingText,
    target: &Target,
    history: &[(String, u32, String, String)],
) -> Markup {
    // (version, lang, text) for every stored version.
    let texts: Vec<(u32, String, String)> = match target {
        Target::Banner => c.site.banner.iter().map(|b| (b.version, b.lang.clone(), b.text.clone())).collect(),
        Target::Purpose(p, ch) => c
            .site
            .purpose(p, *ch)
            .map(|pc| pc.wordings.iter().map(|w| (w.version, w.lang.clone(), w.text.clone())).collect())
            .unwrap_or_default(),
    };
    let mut numbers: Vec<u32> = texts.iter().map(|(v, _, _)| *v).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers.reverse();
    let key = target.key();
    html! {
        // Each item names its version ("Version 2"): a plain list, so no second, miscounted number.
        ul class="versions" {
            @for v in &numbers {
                li {
                    strong { (t.version) " " (v) }
                    @if let Some((_, _, at, who)) = history.iter().find(|(k, hv, _, _)| *k == key && hv == v) {
                        " — " (when(c.lang, at)) ", " (who)
                    } @else {
                        " — " (t.before_trail)
                    }
                    @for (_, lang, text) in texts.iter().filter(|(tv, _, _)| tv == v) {
                        @let before = texts.iter().filter(|(tv, l, _)| tv < v && l == lang).max_by_key(|(tv, _, _)| *tv);
                        div lang=(lang) {
                            p { span class="muted" lang=(c.lang.code()) { "(" (lang) ") " } (text) }
                            @if let Some((bv, _, old)) = before {
                                details {
                                    summary lang=(c.lang.code()) { (t.changes_from) " " (bv) }
                                    p class="diff" { (diff(old, text)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
