//! What the audit trail records: the kinds of administrative act. Stored by name, so a variant
//! is never removed or renamed once released (old entries must still read).
//!
//! An entry never carries personal data: subject HMAC ids, counts, key prefixes, role names.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    // Sign-in and sessions.
    SignInLinkRequested,
    SignIn,
    SignInFailed,
    SignOut,
    SignOutEverywhere,
    // People, roles and keys.
    OwnerBootstrapped,
    PersonAdded,
    RoleChanged,
    PersonRemoved,
    KeyCreated,
    KeyRevoked,
    /// A request authorised by the break-glass `ADMIN_KEY`.
    AdminKeyUsed,
    // The site.
    SiteChanged,
    // Personal data.
    AudienceCounted,
    AudienceExported,
    SubjectLookedUp,
    SubjectExported,
    SubjectRectified,
    SubjectRestricted,
    SubjectErased,
    PreferenceLinkMinted,
    ConsentRecordedByAdmin,
    SuppressionAdded,
    SuppressionRemoved,
    /// Backend consent checks, counted per key per day (never each address).
    SubjectsChecked,
    // Evidence.
    LedgerVerified,
    AuditRead,
    /// Upkeep: what a cron purge removed (counts).
    Purged,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        // serde's snake_case name, without allocating a JSON string.
        match self {
            AuditKind::SignInLinkRequested => "sign_in_link_requested",
            AuditKind::SignIn => "sign_in",
            AuditKind::SignInFailed => "sign_in_failed",
            AuditKind::SignOut => "sign_out",
            AuditKind::SignOutEverywhere => "sign_out_everywhere",
            AuditKind::OwnerBootstrapped => "owner_bootstrapped",
            AuditKind::PersonAdded => "person_added",
            AuditKind::RoleChanged => "role_changed",
            AuditKind::PersonRemoved => "person_removed",
            AuditKind::KeyCreated => "key_created",
            AuditKind::KeyRevoked => "key_revoked",
            AuditKind::AdminKeyUsed => "admin_key_used",
            AuditKind::SiteChanged => "site_changed",
            AuditKind::AudienceCounted => "audience_counted",
            AuditKind::AudienceExported => "audience_exported",
            AuditKind::SubjectLookedUp => "subject_looked_up",
            AuditKind::SubjectExported => "subject_exported",
            AuditKind::SubjectRectified => "subject_rectified",
            AuditKind::SubjectRestricted => "subject_restricted",
            AuditKind::SubjectErased => "subject_erased",
            AuditKind::PreferenceLinkMinted => "preference_link_minted",
            AuditKind::ConsentRecordedByAdmin => "consent_recorded_by_admin",
            AuditKind::SuppressionAdded => "suppression_added",
            AuditKind::SuppressionRemoved => "suppression_removed",
            AuditKind::SubjectsChecked => "subjects_checked",
            AuditKind::LedgerVerified => "ledger_verified",
            AuditKind::AuditRead => "audit_read",
            AuditKind::Purged => "purged",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_serde_names() {
        let all = [
            AuditKind::SignInLinkRequested,
            AuditKind::SignIn,
            AuditKind::SignInFailed,
            AuditKind::SignOut,
            AuditKind::SignOutEverywhere,
            AuditKind::OwnerBootstrapped,
            AuditKind::PersonAdded,
            AuditKind::RoleChanged,
            AuditKind::PersonRemoved,
            AuditKind::KeyCreated,
            AuditKind::KeyRevoked,
            AuditKind::AdminKeyUsed,
            AuditKind::SiteChanged,
            AuditKind::AudienceCounted,
            AuditKind::AudienceExported,
            AuditKind::SubjectLookedUp,
            AuditKind::SubjectExported,
            AuditKind::SubjectRectified,
            AuditKind::SubjectRestricted,
            AuditKind::SubjectErased,
            AuditKind::PreferenceLinkMinted,
            AuditKind::ConsentRecordedByAdmin,
            AuditKind::SuppressionAdded,
            AuditKind::SuppressionRemoved,
            AuditKind::SubjectsChecked,
            AuditKind::LedgerVerified,
            AuditKind::AuditRead,
            AuditKind::Purged,
        ];
        for kind in all {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
    }
}
