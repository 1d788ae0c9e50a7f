//! The audit trail's one entry point: every administrative act calls [`record`].
//!
//! PLACEHOLDER INTERFACE (coordinator): the audit helper replaces the body with the hash-chained,
//! append-only trail; the signature is the contract other code calls.

use chrono::{DateTime, Utc};
use consent_shared::access::Actor;
use consent_shared::audit::AuditKind;

use crate::error::AppError;
use crate::store::Store;

/// One administrative act, without personal data (subject HMAC ids, counts, key prefixes).
pub struct AuditEntry<'a> {
    pub site: &'a str,
    pub actor: Actor,
    pub kind: AuditKind,
    /// What was done, as a small JSON object: ids, counts, names of roles and scopes.
    pub detail: serde_json::Value,
    /// The client's address as the edge saw it (`cf-connecting-ip`); the trail keeps it truncated.
    pub client_ip: Option<&'a str>,
}

/// Appends `entry` to the site's trail.
pub async fn record<S: Store>(
    _store: &S,
    _entry: AuditEntry<'_>,
    _now: DateTime<Utc>,
) -> Result<(), AppError> {
    Ok(())
}
