//! The people and API keys of a site (owner only, JSON): who has which role, the machine keys
//! and their scopes; and the bootstrap of a site's first owner with the `ADMIN_KEY`. Every
//! change is one batch and one audit entry (ids, roles, scopes, prefixes: never an address).

use chrono::DateTime;
use consent_shared::access::{Action, Actor, Role, Scope};
use consent_shared::api::v1::{
    CreatedKey, KeyRequest, KeyView, Keys, OwnerRequest, People, PersonRemoved, PersonRequest, PersonView,
    RoleChange,
};
use consent_shared::audit::AuditKind;
use consent_shared::digest::{hmac_sha256_hex, sha256_hex};
use consent_shared::email::Email;
use consent_shared::time::format_utc;
use serde_json::{json, Value};

use super::admin::{admin_email, admin_site};
use super::audit::client_ip;
use super::audit::{record, AuditEntry};
use super::auth::{require_admin_key, KEY_PREFIX};
use super::{json_body, require_method, App, AppConfig, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::accounts::{ApiKeyRecord, Member, NewKey, NewPerson};
use crate::store::{Store, StoreError};

/// The keyed lookup of a staff address: the normalised address under the subject key, in a
/// domain of its own so it never equals a list member's subject id.
pub fn staff_email_key(config: &AppConfig, email: &Email) -> String {
    hmac_sha256_hex(&config.subject_key, format!("staff-email:v1|{}", email.identity()).as_bytes())
}

/// A fresh unguessable value from the request's random ids (dashes dropped).
pub fn fresh_secret(facts: &mut RequestFacts<'_>) -> String {
    format!("{}{}", (facts.new_id)(), (facts.new_id)()).replace('-', "")
}

/// Writes one audit entry for an act of `principal` on `site`.
pub async fn audit<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    actor: Actor,
    kind: AuditKind,
    detail: Value,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<(), AppError> {
    let entry = AuditEntry { site, actor, kind, detail, client_ip: client_ip(req) };
    record(app, entry, facts.now).await
}

/// `POST /api/v1/admin/sites/{site}/owners` (ADMIN_KEY only): makes an address an owner.
pub async fn owners<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    require_admin_key(app, site_id, req)?;
    require_method(req, &["POST"])?;
    let input: OwnerRequest = json_body(req)?;
    let email = admin_email(&input.email)?;
    if app.store.site(site_id).await?.is_none() {
        return Err(AppError::NotFound(format!("unknown site '{site_id}'")));
    }
    let now = format_utc(facts.now);
    let (id, key) = ((facts.new_id)(), staff_email_key(&app.config, &email));
    let person = NewPerson { id: &id, email_key: &key, email: email.address_for_sending() };
    let person_id = app.store.make_owner(&person, site_id, &now).await?;
    let detail = json!({"person_id": person_id, "role": "owner"});
    audit(app, site_id, Actor::AdminKey, AuditKind::OwnerBootstrapped, detail, req, facts).await?;
    let member = app.store.member(site_id, &person_id).await?.ok_or_else(missing_after_write)?;
    Ok(HttpResponse::json(200, &person_view(member)))
}

/// `GET|POST /api/v1/admin/sites/{site}/people`.
pub async fn people<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ManagePeople).await?;
    require_method(req, &["GET", "POST"])?;
    if req.method == "GET" {
        let people = app.store.members(&site.id).await?.into_iter().map(person_view).collect();
        return Ok(HttpResponse::json(200, &People { site: site.id, people })
            .with_header("cache-control", "no-store"));
    }
    let input: PersonRequest = json_body(req)?;
    let member = add_member_as(app, &site.id, principal.actor(), &input, req, facts).await?;
    Ok(HttpResponse::json(201, &person_view(member)))
}

/// Gives an address a role on `site` as `actor` (audited): the API's and the console's one path.
pub(crate) async fn add_member_as<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    actor: Actor,
    input: &PersonRequest,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<Member, AppError> {
    let email = admin_email(&input.email)?;
    let now = format_utc(facts.now);
    let (id, key) = ((facts.new_id)(), staff_email_key(&app.config, &email));
    let person = NewPerson { id: &id, email_key: &key, email: email.address_for_sending() };
    let person_id = match app.store.add_member(&person, site, input.role, &now).await {
        Err(StoreError::Conflict) => {
            return Err(AppError::AlreadyExists(format!(
                "this person already has a role on site '{site}': change it with PUT …/people/{{person_id}}"
            )))
        }
        other => other?,
    };
    let detail = json!({"person_id": person_id, "role": input.role.as_str()});
    audit(app, site, actor, AuditKind::PersonAdded, detail, req, facts).await?;
    app.store.member(site, &person_id).await?.ok_or_else(missing_after_write)
}

/// `PUT|DELETE /api/v1/admin/sites/{site}/people/{person_id}`: change a role or remove it.
/// Lowering or removing ends the person's sessions at once; the last owner stays (409).
pub async fn person<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    person_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ManagePeople).await?;
    require_method(req, &["PUT", "DELETE"])?;
    let change: Option<RoleChange> = if req.method == "PUT" { Some(json_body(req)?) } else { None };
    let role = change.map(|c| c.role);
    match change_member_as(app, &site.id, principal.actor(), person_id, role, req, facts).await? {
        None => Ok(HttpResponse::json(200, &PersonRemoved { person_id: person_id.into(), removed: true })),
        Some(member) => Ok(HttpResponse::json(200, &person_view(member))),
    }
}

/// Changes a person's role on `site` to `role`, or removes it (`None`), as `actor` (audited).
/// Lowering or removing ends the person's sessions at once; the last owner stays
/// (`AppError::LastOwner`). The member as they are now (`None` once removed).
pub(crate) async fn change_member_as<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    actor: Actor,
    person_id: &str,
    role: Option<Role>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<Option<Member>, AppError> {
    let member =
        app.store.member(site, person_id).await?.ok_or_else(|| {
            AppError::NotFound(format!("no person '{person_id}' has a role on site '{site}'"))
        })?;
    let now = format_utc(facts.now);
    let last_owner = |e: StoreError| match e {
        StoreError::LastOwner => AppError::LastOwner(format!(
            "site '{site}' keeps at least one owner: make someone else an owner first"
        )),
        other => other.into(),
    };
    let Some(role) = role else {
        app.store.remove_member(site, person_id, &now).await.map_err(last_owner)?;
        let detail = json!({"person_id": person_id, "role": member.role.as_str()});
        audit(app, site, actor, AuditKind::PersonRemoved, detail, req, facts).await?;
        return Ok(None);
    };
    let lowered = role < member.role;
    app.store.set_role(site, person_id, role, lowered, &now).await.map_err(last_owner)?;
    if role != member.role {
        let detail = json!({"person_id": person_id, "from": member.role.as_str(), "to": role.as_str()});
        audit(app, site, actor, AuditKind::RoleChanged, detail, req, facts).await?;
    }
    Ok(Some(app.store.member(site, person_id).await?.ok_or_else(missing_after_write)?))
}

/// `GET|POST /api/v1/admin/sites/{site}/keys`: list the site's keys, or create one (its
/// secret is in this answer only).
pub async fn keys<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ManagePeople).await?;
    require_method(req, &["GET", "POST"])?;
    if req.method == "GET" {
        let keys = app.store.api_keys(&site.id).await?.into_iter().map(key_view).collect();
        return Ok(
            HttpResponse::json(200, &Keys { site: site.id, keys }).with_header("cache-control", "no-store")
        );
    }
    let input: KeyRequest = json_body(req)?;
    let created = create_key_as(app, &site.id, principal.actor(), &input, req, facts).await?;
    Ok(HttpResponse::json(201, &created).with_header("cache-control", "no-store"))
}

/// Creates a key on `site` as `actor` (audited); its secret is in the answer only.
pub(crate) async fn create_key_as<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    actor: Actor,
    input: &KeyRequest,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<CreatedKey, AppError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::BadRequest(
            "'name' must be 1 to 100 characters, without control characters".into(),
        ));
    }
    let mut scopes: Vec<Scope> = input.scopes.clone();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(AppError::BadRequest(format!(
            "'scopes' needs at least one of: {}",
            Scope::ALL.map(Scope::as_str).join(", ")
        )));
    }
    let expires_at = match &input.expires_at {
        None => None,
        Some(raw) => {
            let at = DateTime::parse_from_rfc3339(raw)
                .map_err(|e| AppError::BadRequest(format!("'expires_at' is not an RFC 3339 time: {e}")))?
                .to_utc();
            if at <= facts.now {
                return Err(AppError::BadRequest("'expires_at' is in the past".into()));
            }
            Some(format_utc(at))
        }
    };
    let prefix: String = (facts.new_id)().replace('-', "").chars().take(12).collect();
    let secret = fresh_secret(facts);
    let (now, created_by) = (format_utc(facts.now), actor.label());
    let secret_hash = sha256_hex(secret.as_bytes());
    let key = NewKey {
        prefix: &prefix,
        site,
        name,
        secret_hash: &secret_hash,
        scopes: &scopes,
        created_by: &created_by,
        now: &now,
        expires_at: expires_at.as_deref(),
    };
    app.store.create_api_key(&key).await?;
    let detail = json!({
        "prefix": format!("{KEY_PREFIX}{prefix}"),
        "name": name,
        "scopes": scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "expires_at": expires_at,
    });
    audit(app, site, actor, AuditKind::KeyCreated, detail, req, facts).await?;
    let stored = app.store.api_key(&prefix).await?.ok_or_else(missing_after_write)?;
    let created = CreatedKey { secret: format!("{KEY_PREFIX}{prefix}_{secret}"), key: key_view(stored) };
    Ok(created)
}

/// `DELETE /api/v1/admin/sites/{site}/keys/{prefix}`: revokes the key at once.
pub async fn key<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    prefix: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::ManagePeople).await?;
    require_method(req, &["DELETE"])?;
    let revoked = revoke_key_as(app, &site.id, principal.actor(), prefix, req, facts).await?;
    Ok(HttpResponse::json(200, &revoked))
}

/// Revokes a live key of `site` at once, as `actor` (audited).
pub(crate) async fn revoke_key_as<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    actor: Actor,
    prefix: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<KeyView, AppError> {
    let bare = prefix.strip_prefix(KEY_PREFIX).unwrap_or(prefix);
    if !app.store.revoke_api_key(site, bare, &format_utc(facts.now)).await? {
        return Err(AppError::NotFound(format!("site '{site}' has no live key '{KEY_PREFIX}{bare}'")));
    }
    let detail = json!({"prefix": format!("{KEY_PREFIX}{bare}")});
    audit(app, site, actor, AuditKind::KeyRevoked, detail, req, facts).await?;
    let stored = app.store.api_key(bare).await?.ok_or_else(missing_after_write)?;
    Ok(key_view(stored))
}

fn missing_after_write() -> AppError {
    AppError::Internal("a row just written could not be read back".into())
}

pub(crate) fn person_view(m: Member) -> PersonView {
    PersonView {
        person_id: m.person_id,
        email: m.email,
        role: m.role,
        added_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub(crate) fn key_view(k: ApiKeyRecord) -> KeyView {
    KeyView {
        prefix: format!("{KEY_PREFIX}{}", k.prefix),
        name: k.name,
        scopes: k.scopes,
        created_by: k.created_by,
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        expires_at: k.expires_at,
        revoked_at: k.revoked_at,
    }
}
