//! The frame every per-site console page shares (`/admin/sites/{site}[/{section}[/{item}]]`):
//! who is signed in and their role on the site, whether that role may see the section
//! (`shared::access`: a section a role may not use is neither linked nor served), the
//! anti-forgery value for its forms, and the layout with the site's navigation.
//!
//! A section's handler gets a [`Console`] from [`enter`] and answers with [`Console::page`]; what
//! it renders is its own module's business (`console_<section>.rs`), its strings in the page-text
//! catalogue (`page_text/…`), English and Welsh.

use consent_shared::access::{Action, Actor, Role};
use consent_shared::digest::sha256_hex;
use consent_shared::site::SiteConfig;
use maud::{html, Markup};

use super::admin::store_site;
use super::auth::{session_person, session_token};
use super::console_layout::{scrollable_tables, CONSOLE_STYLE};
use super::csrf_form::{genuine, issue, Form, FIELD};
use super::page_text::{ConsoleText, PageLang};
use super::pages::{framed_page, page, see_other, unavailable, Frame};
use super::{App, RequestFacts};
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// The console's per-site pages, in the order the navigation lists them. A role sees the
/// sections whose `action` it may perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `/admin/sites/{site}`: what this site is and where to go.
    Overview,
    /// `/admin/sites/{site}/settings`: the site's definition as a form.
    Settings,
    /// `/admin/sites/{site}/wording`: texts, versions, diffs.
    Wording,
    /// `/admin/sites/{site}/categories`: cookie categories, bases, signals.
    Categories,
    /// `/admin/sites/{site}/embed`: the tags and CSP for this site.
    Embed,
    /// `/admin/sites/{site}/import[/{job}]`: legacy consents from CSV (`console_import`).
    Import,
    /// One person's record, and requests acted on for them (dpo, owner).
    People,
    /// The do-not-contact list (dpo, owner).
    Suppressions,
    /// Rights requests and complaints with their deadlines (dpo, owner; console_register).
    Register,
    /// People, roles and API keys (owner).
    Team,
    /// Counts per week from the daily counters (console_statistics).
    Statistics,
    /// Count and download an audience (console_audience).
    Audience,
    /// Chain status, the latest anchor, verify (console_ledger).
    Ledger,
    /// The audit trail, filtered, paged, downloadable (console_audit).
    Audit,
    /// The periodic data review: when it is due, the groups, the decisions (console_review).
    Review,
    /// How long cookie decisions and audit entries are kept; the purges so far (dpo, owner).
    Retention,
}

impl Section {
    pub const ALL: [Section; 16] = [
        Section::Overview,
        Section::Settings,
        Section::Wording,
        Section::Categories,
        Section::Embed,
        Section::Statistics,
        Section::Audience,
        Section::Import,
        Section::People,
        Section::Suppressions,
        Section::Register,
        Section::Ledger,
        Section::Audit,
        Section::Review,
        Section::Retention,
        Section::Team,
    ];

    /// The path segment after `/admin/sites/{site}/` (empty for the overview).
    pub fn slug(self) -> &'static str {
        match self {
            Section::Overview => "",
            Section::Settings => "settings",
            Section::Wording => "wording",
            Section::Categories => "categories",
            Section::Embed => "embed",
            Section::Import => "import",
            Section::People => "people",
            Section::Suppressions => "suppressions",
            Section::Register => "register",
            Section::Team => "team",
            Section::Statistics => "statistics",
            Section::Audience => "audience",
            Section::Ledger => "ledger",
            Section::Audit => "audit",
            Section::Review => "review",
            Section::Retention => "retention",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// What a role must be allowed to see the section (and to post to it).
    pub fn action(self) -> Action {
        match self {
            Section::Overview => Action::ReadStatistics,
            // Posting to settings or wording also needs `WriteSite` (checked by the page).
            Section::Settings | Section::Wording | Section::Categories | Section::Embed => Action::ReadSite,
            Section::Import => Action::WriteConsents,
            Section::People => Action::ManageSubjects,
            Section::Suppressions => Action::ManageSuppressions,
            Section::Register => Action::ManageRegister,
            Section::Team => Action::ManagePeople,
            Section::Statistics => Action::ReadStatistics,
            Section::Audience => Action::ReadAudience,
            Section::Ledger => Action::VerifyLedger,
            Section::Audit => Action::ReadAudit,
            Section::Review => Action::ReviewData,
            Section::Retention => Action::ManageRetention,
        }
    }

    pub fn label(self, t: &ConsoleText) -> &'static str {
        match self {
            Section::Overview => t.overview,
            Section::Settings => lang_of(t).settings().title,
            Section::Wording => lang_of(t).wording().title,
            Section::Categories => lang_of(t).categories().title,
            Section::Embed => lang_of(t).wording().embed_title,
            Section::Import => t.import,
            Section::People => t.people,
            Section::Suppressions => t.suppressions,
            Section::Register => lang_of(t).register().title,
            Section::Team => t.team,
            Section::Statistics => data_text(t).statistics,
            Section::Audience => data_text(t).audience,
            Section::Ledger => data_text(t).ledger,
            Section::Audit => data_text(t).audit,
            Section::Review => lang_of(t).review().title,
            Section::Retention => lang_of(t).retention().title,
        }
    }

    pub fn href(self, site: &str) -> String {
        match self.slug() {
            "" => format!("/admin/sites/{site}"),
            slug => format!("/admin/sites/{site}/{slug}"),
        }
    }
}

/// The language a console catalogue is in (sections whose labels live in their own catalogues
/// find theirs from it).
fn lang_of(t: &ConsoleText) -> PageLang {
    if std::ptr::eq(t, PageLang::Cy.console()) {
        PageLang::Cy
    } else {
        PageLang::En
    }
}

/// The data pages' words in the language `t` is in (the navigation is given only `t`).
fn data_text(t: &ConsoleText) -> &'static super::page_text::console_data::DataText {
    lang_of(t).data()
}

/// A signed-in person on a section of one of their sites.
pub struct Console {
    pub person_id: String,
    pub role: Role,
    pub site: SiteConfig,
    pub section: Section,
    pub lang: PageLang,
    /// The anti-forgery value for this page's forms (bound to the session).
    pub csrf: String,
    /// The posted form, already checked for its anti-forgery value (POST only).
    pub form: Option<Form>,
}

pub(super) fn session_binding(token: &str) -> String {
    format!("console-session:{}", sha256_hex(token.as_bytes()))
}

/// The language a console page is shown in: the form's or the query's `lang`, else English.
pub fn console_lang(req: &HttpRequest, form: Option<&Form>) -> PageLang {
    form.and_then(|f| f.get("lang"))
        .map(str::to_string)
        .or_else(|| req.query_param("lang"))
        .as_deref()
        .and_then(PageLang::parse)
        .unwrap_or(PageLang::En)
}

/// Lets the request into `section` of `site_id`, or answers for it: no session → the sign-in
/// page; no role on the site, or a role that may not use the section → 403 (the same page for
/// both, so it says nothing about sites the person has no role on); an unknown site is a 403
/// too, for the same reason. A POST must carry the page's anti-forgery value (403 otherwise).
pub async fn enter<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    section: Section,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<Console, HttpResponse> {
    let form = if req.method == "POST" { Form::parse(req) } else { None };
    let lang = console_lang(req, form.as_ref());
    let t = lang.console();
    if !matches!(req.method.as_str(), "GET" | "HEAD" | "POST") {
        return Err(refusal(405, lang, t.not_allowed));
    }
    let person_id = match session_person(app, req, facts.now).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(see_other(&format!("/admin/sign-in?lang={}", lang.code()))),
        Err(e) => return Err(unavailable(lang, &e)),
    };
    let memberships = match app.store.memberships_of(&person_id).await {
        Ok(m) => m,
        Err(e) => return Err(unavailable(lang, &e)),
    };
    let Some(role) = memberships.iter().find(|(s, _)| s == site_id).map(|(_, r)| *r) else {
        return Err(refusal(403, lang, t.no_access));
    };
    if !section.action().allowed_for(role) {
        return Err(refusal(403, lang, t.no_access));
    }
    let site = match app.store.site(site_id).await {
        Ok(Some(site)) => site,
        Ok(None) => return Err(refusal(403, lang, t.no_access)),
        Err(e) => return Err(unavailable(lang, &e)),
    };
    let binding = session_binding(&session_token(app, req).unwrap_or_default());
    let now = facts.now.timestamp();
    if req.method == "POST" && !form.as_ref().is_some_and(|f| genuine(app, req, f, &binding, now)) {
        return Err(refusal(403, lang, t.form_expired));
    }
    let csrf = issue(app, &binding, now);
    Ok(Console { person_id, role, site, section, lang, csrf, form })
}

fn refusal(status: u16, lang: PageLang, why: &str) -> HttpResponse {
    let t = lang.console();
    let body = html! {
        div class="error" role="alert" { p { (why) } }
        p { a href={ "/admin?lang=" (lang.code()) } { (t.home_title) } }
    };
    page(status, lang.code(), t.home_title, body)
}

impl Console {
    /// Stores a changed definition of this site as the signed-in person (the path of
    /// `PUT /api/v1/admin/sites/{site}`, audited `site_changed`) and sends the page back to
    /// `back`; an unchanged one is not stored again.
    pub async fn save_site<S: Store + 'static>(
        &self,
        app: &App<S>,
        site: &SiteConfig,
        req: &HttpRequest,
        facts: &RequestFacts<'_>,
        back: &str,
    ) -> HttpResponse {
        if *site != self.site {
            let actor = Actor::Person { person_id: self.person_id.clone() };
            if let Err(e) = store_site(app, Some(&self.site), site, actor, req, facts.now).await {
                return unavailable(self.lang, &e);
            }
        }
        see_other(back)
    }

    pub fn text(&self) -> &'static ConsoleText {
        self.lang.console()
    }

    /// The hidden fields every console form carries: the anti-forgery value and the language.
    pub fn form_fields(&self) -> Markup {
        html! {
            input type="hidden" name=(FIELD) value=(self.csrf);
            input type="hidden" name="lang" value=(self.lang.code());
        }
    }

    /// This page's answer: the site's navigation (only what the role may use) above the title and
    /// `body`, in the console's layout; wide tables scroll on their own.
    pub fn page(&self, status: u16, title: &str, body: Markup) -> HttpResponse {
        let t = self.text();
        let site = &self.site.id;
        let nav = html! {
            nav aria-label=(t.site_navigation) {
                p { a href={ "/admin?lang=" (self.lang.code()) } { (t.home_title) } " › " code { (site) } }
                ul class="console-nav" {
                    @for section in Section::ALL {
                        @if section.action().allowed_for(self.role) {
                            li {
                                @let href = format!("{}?lang={}", section.href(site), self.lang.code());
                                @if section == self.section {
                                    a href=(href) aria-current="page" { (section.label(t)) }
                                } @else {
                                    a href=(href) { (section.label(t)) }
                                }
                            }
                        }
                    }
                }
            }
        };
        let frame = Frame { style: CONSOLE_STYLE, header: nav };
        framed_page(status, self.lang.code(), title, Some(frame), scrollable_tables(self.lang, body))
    }
}

/// `/admin/sites/{site}[/{section}[/{item}]]`: enters the section and hands over to its page.
pub async fn dispatch<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    section: &str,
    item: Option<&str>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let Some(section) = Section::from_slug(section) else {
        let lang = console_lang(req, None);
        return refusal(404, lang, lang.console().no_such_page);
    };
    let console = match enter(app, site_id, section, req, facts).await {
        Ok(console) => console,
        Err(answer) => return answer,
    };
    match section {
        Section::Overview => overview(app, &console, facts).await,
        Section::Settings => super::console_settings::page(app, &console, req, facts).await,
        Section::Wording => super::console_wording::page(app, &console, item, req, facts).await,
        Section::Categories => super::console_categories::page(app, &console, req, facts).await,
        Section::Embed => super::console_embed::page(app, &console, item, req, facts).await,
        Section::Import => super::console_import::page(app, &console, item, req, facts).await,
        Section::People => super::console_people::page(app, &console, item, req, facts).await,
        Section::Suppressions => super::console_suppressions::page(app, &console, item, req, facts).await,
        Section::Register => super::console_register::page(app, &console, item, req, facts).await,
        Section::Team => super::console_team::page(app, &console, item, req, facts).await,
        Section::Statistics => super::console_statistics::page(app, &console).await,
        Section::Audience => super::console_audience::page(app, &console, req, facts).await,
        Section::Ledger => super::console_ledger::page(app, &console, req, facts).await,
        Section::Audit => super::console_audit::page(app, &console, item, req, facts).await,
        Section::Review => super::console_review::page(app, &console, item, req, facts).await,
        Section::Retention => super::console_retention::page(app, &console, req, facts).await,
    }
}

/// The site's front page in the console: the person's role, what falls due in the register and
/// when the next data review is due (nagging from 30 days before) for the roles that hold them,
/// and the site's key facts (the navigation above already lists the sections).
async fn overview<S: Store + 'static>(app: &App<S>, c: &Console, facts: &RequestFacts<'_>) -> HttpResponse {
    let t = c.text();
    let register = if Section::Register.action().allowed_for(c.role) {
        match super::console_register::front_page_counts(app, c, facts.now).await {
            Ok(counts) => Some(counts),
            Err(e) => return unavailable(c.lang, &e),
        }
    } else {
        None
    };
    let review = if Action::ReviewData.allowed_for(c.role) {
        match super::console_review::due_on(app, c, facts.now.date_naive()).await {
            Ok(due) => Some(due),
            Err(e) => return unavailable(c.lang, &e),
        }
    } else {
        None
    };
    let p = c.lang.polish();
    let org = &c.site.organisation;
    let mut langs: Vec<&str> = c.site.banner.iter().map(|b| b.lang.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    let body = html! {
        p { (t.role) ": " strong { (t.role(c.role)) } }
        @if let Some(counts) = register { (counts) }
        @if let Some((due, state)) = review {
            @let rt = c.lang.review();
            section aria-label=(rt.title) {
                (super::console_review::due_notice(rt, due, state))
                p { a href={ (Section::Review.href(&c.site.id)) "?lang=" (c.lang.code()) } { (rt.overview_link) } }
            }
        }
        dl class="facts" {
            dt { (t.organisation) } dd { (org.name) }
            dt { (t.contact) } dd { (org.contact_email) }
            dt { (p.privacy_policy) } dd { a href=(org.privacy_notice_url) { (org.privacy_notice_url) } }
            dt { (p.languages) } dd { (langs.join(", ")) }
            dt { (p.double_opt_in) } dd { (if c.site.double_opt_in { p.yes } else { p.no }) }
            dt { (p.purposes) }
            dd {
                @if c.site.purposes.is_empty() { (p.none_yet) } @else {
                ul {
                    @for pc in &c.site.purposes {
                        @let label = pc.wordings.iter().rev().find(|w| w.lang == c.lang.code()).or(pc.wordings.last());
                        li { (label.map_or(pc.purpose.as_str(), |w| w.label.as_str())) " (" (pc.channel.as_str()) ")" }
                    }
                } }
            }
        }
        p { (p.start_here) }
    };
    c.page(200, &org.name, body)
}
