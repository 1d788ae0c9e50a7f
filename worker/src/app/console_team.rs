//! Console section `team` (owner): the people with a role on the site (add by email with a
//! role, change a role, remove; the last owner stays, with the refusal beside its row) and the
//! site's API keys (create with a name, scopes and an optional last day — the secret shown on
//! that answer only; revoke). Every change goes through `app::team`'s functions, the JSON API's
//! own, so it is audited the same way.

use chrono::NaiveDate;
use consent_shared::access::{Actor, Role, Scope};
use consent_shared::api::v1::{CreatedKey, KeyRequest, PersonRequest};
use consent_shared::email::Email;
use maud::html;

use super::console_layout::when;
use super::console_site::Console;
use super::page_text::console_people::PeopleText;
use super::pages::unavailable;
use super::team::{add_member_as, change_member_as, create_key_as, key_view, revoke_key_as};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

#[derive(Default)]
struct View {
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    /// A change refused for one person (their id) or key (its prefix), shown beside the row.
    row_error: Option<(String, String)>,
    invite_email: String,
    key_name: String,
    created: Option<CreatedKey>,
}

impl View {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    _item: Option<&str>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let t = c.lang.people();
    let mut view = View::default();
    let mut status = 200;
    if let Some(form) = c.form.as_ref() {
        let actor = Actor::Person { person_id: c.person_id.clone() };
        let site = c.site.id.as_str();
        let op = form.get("op").unwrap_or("");
        let person_id = form.get("person_id").unwrap_or("").to_string();
        let result: Result<(), AppError> = match op {
            "invite" => {
                view.invite_email = form.get("email").unwrap_or("").trim().to_string();
                let role = form.get("role").and_then(Role::parse);
                if Email::parse(&view.invite_email).is_err() {
                    view.errors.push(("email", t.bad_email.into()));
                }
                match role {
                    Some(role) if view.errors.is_empty() => {
                        let input = PersonRequest { email: view.invite_email.clone(), role };
                        add_member_as(app, site, actor, &input, req, facts).await.map(|_| {
                            view.notice = Some(t.team_invited.into());
                            view.invite_email.clear();
                        })
                    }
                    _ => Ok(()),
                }
            }
            "role" | "remove" => {
                let role = if op == "role" { form.get("role").and_then(Role::parse) } else { None };
                if op == "role" && role.is_none() {
                    view.row_error = Some((person_id.clone(), t.errors_title.into()));
                    Ok(())
                } else {
                    change_member_as(app, site, actor, &person_id, role, req, facts).await.map(|_| {
                        view.notice = Some(if op == "role" { t.team_changed } else { t.team_removed }.into());
                    })
                }
            }
            "create_key" => create_key(app, c, t, actor, &mut view, req, facts).await,
            "revoke_key" => {
                let prefix = form.get("prefix").unwrap_or("").to_string();
                match revoke_key_as(app, site, actor, &prefix, req, facts).await {
                    Err(AppError::NotFound(e)) => {
                        view.row_error = Some((prefix, e));
                        Ok(())
                    }
                    other => other.map(|_| view.notice = Some(t.key_revoked_done.into())),
                }
            }
            _ => Ok(()),
        };
        match result {
            Ok(()) => {}
            Err(AppError::LastOwner(e)) => {
                super::log_internal(&format!("console team: {e}"));
                view.row_error = Some((person_id, t.team_last_owner.into()));
            }
            Err(e @ (AppError::AlreadyExists(_) | AppError::BadRequest(_) | AppError::NotFound(_))) => {
                super::log_internal(&format!("console team: {op} refused: {e}"));
                let field = if op == "invite" { "email" } else { "name" };
                view.errors.push((field, e.to_string()));
            }
            Err(e) => return unavailable(c.lang, &e),
        }
        if !view.errors.is_empty() || view.row_error.is_some() {
            status = 422;
        }
    }
    render(app, c, status, &view).await
}

async fn create_key<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    t: &PeopleText,
    actor: Actor,
    view: &mut View,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<(), AppError> {
    let Some(form) = c.form.as_ref() else { return Ok(()) };
    view.key_name = form.get("name").unwrap_or("").trim().to_string();
    if view.key_name.is_empty() || view.key_name.chars().count() > 100 {
        view.errors.push(("name", t.key_bad_name.into()));
    }
    let scopes: Vec<Scope> = Scope::ALL.into_iter().filter(|s| form.get(s.as_str()) == Some("on")).collect();
    if scopes.is_empty() {
        view.errors.push(("scopes", t.key_no_scope.into()));
    }
    let expires_at = match form.get("expires").map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            // The key works through the whole of its last day.
            Ok(d) if d >= facts.now.date_naive() => Some(format!("{d}T23:59:59Z")),
            _ => {
                view.errors.push(("expires", t.key_bad_expiry.into()));
                None
            }
        },
    };
    if !view.errors.is_empty() {
        return Ok(());
    }
    let input = KeyRequest { name: view.key_name.clone(), scopes, expires_at };
    let created = create_key_as(app, &c.site.id, actor, &input, req, facts).await?;
    view.created = Some(created);
    view.key_name.clear();
    Ok(())
}

async fn render<S: Store + 'static>(app: &App<S>, c: &Console, status: u16, view: &View) -> HttpResponse {
    let (t, ct) = (c.lang.people(), c.text());
    let members = match app.store.members(&c.site.id).await {
        Ok(m) => m,
        Err(e) => return unavailable(c.lang, &e),
    };
    let keys = match app.store.api_keys(&c.site.id).await {
        Ok(k) => k.into_iter().map(key_view).collect::<Vec<_>>(),
        Err(e) => return unavailable(c.lang, &e),
    };
    let action = c.section.href(&c.site.id);
    let row_error = |id: &str| view.row_error.as_ref().filter(|(r, _)| r == id).map(|(_, m)| m.as_str());
    let described = |field: &str, id: &str| view.error(field).map(|_| format!("{id}-error"));
    let body = html! {
        p { (t.team_intro) }
        @if !view.errors.is_empty() {
            div class="error" role="alert" {
                p { (t.errors_title) }
                ul { @for (_, m) in &view.errors { li { (m) } } }
            }
        }
        @if let Some((_, why)) = &view.row_error {
            div class="error" role="alert" { p { (why) } }
        }
        @if let Some(notice) = &view.notice {
            div class="notice" role="status" { p { (notice) } }
        }
        @if let Some(created) = &view.created {
            section class="notice" role="status" aria-labelledby="secret-title" {
                h2 id="secret-title" { (t.key_secret_title) }
                p { (t.key_secret_help) }
                p { code id="new-key-secret" { (created.secret) } }
            }
        }
        h2 { (t.team_people) }
        table {
            thead { tr {
                th scope="col" { (t.team_email) } th scope="col" { (t.team_role) }
                th scope="col" { (t.team_added) } th scope="col" { (t.team_remove) }
            } }
            tbody {
                @for (i, m) in members.iter().enumerate() {
                    tr {
                        td { (m.email) }
                        td {
                            form method="post" action=(action) {
                                (c.form_fields())
                                input type="hidden" name="op" value="role";
                                input type="hidden" name="person_id" value=(m.person_id);
                                label for={ "role-" (i) } class="visually-hidden" { (t.team_role) " " (m.email) }
                                p {
                                    select id={ "role-" (i) } name="role" {
                                        @for r in Role::ALL {
                                            option value=(r.as_str()) selected[r == m.role] { (ct.role(r)) }
                                        }
                                    }
                                }
                                p { button type="submit" { (t.team_change) } }
                            }
                        }
                        td { (when(c.lang, &m.created_at)) }
                        td {
                            @if let Some(why) = row_error(&m.person_id) {
                                p class="error" id={ "row-" (i) "-error" } { (why) }
                            }
                            form method="post" action=(action) {
                                (c.form_fields())
                                input type="hidden" name="op" value="remove";
                                input type="hidden" name="person_id" value=(m.person_id);
                                button type="submit" aria-describedby=[row_error(&m.person_id).map(|_| format!("row-{i}-error"))] {
                                    (t.team_remove) span class="visually-hidden" { " " (m.email) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h3 id="invite-title" { (t.team_invite_title) }
        form method="post" action=(action) aria-labelledby="invite-title" {
            (c.form_fields())
            input type="hidden" name="op" value="invite";
            div class="field" {
                label for="invite-email" { (t.team_email) }
                @if let Some(e) = view.error("email") { p class="error" id="invite-email-error" { (e) } }
                input id="invite-email" type="email" name="email" autocomplete="off" required value=(view.invite_email)
                    aria-describedby=[described("email", "invite-email")];
            }
            div class="field" {
                label for="invite-role" { (t.team_role) }
                select id="invite-role" name="role" {
                    @for r in Role::ALL { option value=(r.as_str()) selected[r == Role::Editor] { (ct.role(r)) } }
                }
            }
            p { button type="submit" { (t.team_invite_button) } }
        }
        h2 { (t.keys_title) }
        @if keys.is_empty() {
            p { (t.no_keys) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (t.key_prefix) } th scope="col" { (t.key_name) } th scope="col" { (t.key_scopes) }
                    th scope="col" { (t.key_last_used) } th scope="col" { (t.key_expires) } th scope="col" { (t.key_revoke) }
                } }
                tbody {
                    @for k in &keys {
                        tr {
                            td { code { (k.prefix) } }
                            td { (k.name) }
                            td { (k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) }
                            td { @if let Some(at) = &k.last_used_at { (when(c.lang, at)) } @else { (t.key_never) } }
                            td { @if let Some(at) = &k.expires_at { (when(c.lang, at)) } @else { (t.key_never) } }
                            td {
                                @if let Some(why) = row_error(&k.prefix) { p class="error" { (why) } }
                                @if let Some(at) = &k.revoked_at {
                                    (t.key_revoked) " " (at)
                                } @else {
                                    form method="post" action=(action) {
                                        (c.form_fields())
                                        input type="hidden" name="op" value="revoke_key";
                                        input type="hidden" name="prefix" value=(k.prefix);
                                        button type="submit" { (t.key_revoke) span class="visually-hidden" { " " (k.name) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h3 id="key-title" { (t.key_create_title) }
        form method="post" action=(action) aria-labelledby="key-title" {
            (c.form_fields())
            input type="hidden" name="op" value="create_key";
            div class="field" {
                label for="key-name" { (t.key_name) }
                @if let Some(e) = view.error("name") { p class="error" id="key-name-error" { (e) } }
                input id="key-name" type="text" name="name" required maxlength="100" value=(view.key_name)
                    aria-describedby=[described("name", "key-name")];
            }
            fieldset aria-describedby=[described("scopes", "key-scopes")] {
                legend { (t.key_scopes) }
                @if let Some(e) = view.error("scopes") { p class="error" id="key-scopes-error" { (e) } }
                @for s in Scope::ALL {
                    div class="option" {
                        input type="checkbox" id={ "scope-" (s.as_str().replace(':', "-")) } name=(s.as_str());
                        label for={ "scope-" (s.as_str().replace(':', "-")) } { code { (s.as_str()) } }
                    }
                }
            }
            div class="field" {
                label for="key-expires" { (t.key_expires) }
                p class="help" id="key-expires-help" { (t.key_expiry_help) }
                @if let Some(e) = view.error("expires") { p class="error" id="key-expires-error" { (e) } }
                input id="key-expires" type="text" name="expires" inputmode="numeric" placeholder="YYYY-MM-DD"
                    aria-describedby=(if view.error("expires").is_some() { "key-expires-help key-expires-error" } else { "key-expires-help" });
            }
            button type="submit" { (t.key_create_button) }
        }
    };
    c.page(status, ct.team, body)
}
