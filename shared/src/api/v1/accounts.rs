//! People, roles and API keys of a site (`/api/v1/admin/sites/{site}/people|keys|owners`).

use serde::{Deserialize, Serialize};

pub use crate::access::{Role, Scope};

/// `POST …/owners` (ADMIN_KEY only): make this address an owner of the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OwnerRequest {
    pub email: String,
}

/// `POST …/people`: give a person (by email) a role on the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonRequest {
    pub email: String,
    pub role: Role,
}

/// `PUT …/people/{person_id}`: change the person's role. Lowering it ends their sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}

/// A person with a role on the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonView {
    pub person_id: String,
    pub email: String,
    pub role: Role,
    pub added_at: String,
    pub updated_at: String,
}

/// `GET …/people`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct People {
    pub site: String,
    pub people: Vec<PersonView>,
}

/// `DELETE …/people/{person_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRemoved {
    pub person_id: String,
    pub removed: bool,
}

/// `POST …/keys`: a new API key for this site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// What the key is for ("CRM sync"), 1–100 characters.
    pub name: String,
    /// At least one.
    pub scopes: Vec<Scope>,
    /// RFC 3339; after it the key answers 401. None: until revoked.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// An API key as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyView {
    /// The visible part, `ck_<prefix>`: what the audit trail names.
    pub prefix: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Who created it (`person:…` or `admin_key`).
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// `POST …/keys` answer: the secret is shown this once and never again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedKey {
    /// `ck_<prefix>_<secret>`: send as `Authorization: Bearer …`.
    pub secret: String,
    pub key: KeyView,
}

/// `GET …/keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Keys {
    pub site: String,
    pub keys: Vec<KeyView>,
}
