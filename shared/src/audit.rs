//! What the audit trail records: the kinds of administrative act. Stored by name, so a variant
//! is never removed or renamed once released (old entries must still read).
//!
//! An entry never carries personal data: subject HMAC ids, counts, key prefixes, role names.
//!
//! Each site's trail is a keyed hash chain like the ledger's, linked at append time:
//! `hash = HMAC(LEDGER_KEY, "audit-link:v2\n{seq}\n{prev_hash}\n{entry_hash}")`, where
//! `entry_hash` is the SHA-256 of the entry's canonical form ([`AuditRecord::hash`]).

use serde::{Deserialize, Serialize};

use crate::access::Actor;
use crate::chain::{seal_items, ChainHead, ChainKind, ChainLink, Sealable};
use crate::digest::{hmac_sha256_hex, sha256_hex};

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
    /// Console import: a file checked (counts of rows accepted and refused by reason).
    ImportDryRun,
    /// Console import: one batch of a confirmed import recorded (counts).
    ImportBatchRecorded,
    // The register of rights requests and complaints (its reference, kind; never the text).
    /// An entry recorded (by staff, the complaint form, or a self-service action).
    RegisterEntryRecorded,
    /// An entry changed: acknowledged, extended, closed, a note, its handler.
    RegisterEntryChanged,
    /// The register downloaded (row count).
    RegisterExported,
    /// The daily digest of what falls due mailed to a site's DPOs (counts).
    RegisterDigestSent,
    /// Data review: the site's review settings changed (cycle, last review, erased-history years).
    ReviewSettingsChanged,
    /// Data review: a group's list (or its preference links) downloaded (counts).
    ReviewListExported,
    /// Data review: completed, with the decision per group (and the erasures it started).
    ReviewCompleted,
    /// Data review: one batch of a bulk erasure done (counts; each person's `subject_erased` too).
    ReviewErasureBatch,
    /// The site's retention settings changed (from, to).
    RetentionChanged,
}

impl AuditKind {
    pub const ALL: [AuditKind; 39] = [
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
        AuditKind::ImportDryRun,
        AuditKind::ImportBatchRecorded,
        AuditKind::RegisterEntryRecorded,
        AuditKind::RegisterEntryChanged,
        AuditKind::RegisterExported,
        AuditKind::RegisterDigestSent,
        AuditKind::ReviewSettingsChanged,
        AuditKind::ReviewListExported,
        AuditKind::ReviewCompleted,
        AuditKind::ReviewErasureBatch,
        AuditKind::RetentionChanged,
    ];

    /// The kind a stored (or asked-for) name stands for.
    pub fn parse(raw: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

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
            AuditKind::ImportDryRun => "import_dry_run",
            AuditKind::ImportBatchRecorded => "import_batch_recorded",
            AuditKind::RegisterEntryRecorded => "register_entry_recorded",
            AuditKind::RegisterEntryChanged => "register_entry_changed",
            AuditKind::RegisterExported => "register_exported",
            AuditKind::RegisterDigestSent => "register_digest_sent",
            AuditKind::ReviewSettingsChanged => "review_settings_changed",
            AuditKind::ReviewListExported => "review_list_exported",
            AuditKind::ReviewCompleted => "review_completed",
            AuditKind::ReviewErasureBatch => "review_erasure_batch",
            AuditKind::RetentionChanged => "retention_changed",
        }
    }
}

/// The stored name of an actor's type (the `type` of its serde form).
pub fn actor_type(actor: &Actor) -> &'static str {
    match actor {
        Actor::Person { .. } => "person",
        Actor::ApiKey { .. } => "api_key",
        Actor::AdminKey => "admin_key",
        Actor::System => "system",
        Actor::Anonymous => "anonymous",
    }
}

/// One entry of a site's trail, as stored and as its hash commits to. `detail` is the JSON text
/// exactly as stored, so the hash is recomputed from the row without re-serialising anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub site_id: String,
    /// Position in the site's trail, from 1.
    pub seq: i64,
    pub at: String,
    /// `actor_type` of the actor.
    pub actor_type: String,
    /// `Actor::label` (`person:…`, `key:…`, `admin_key`, `system`).
    pub actor: String,
    /// `AuditKind::as_str`.
    pub kind: String,
    /// The client's address truncated (IPv4 /24, IPv6 /48), if the act came over HTTP.
    pub ip: Option<String>,
    /// A small JSON object: subject HMAC ids, counts, names; never an address.
    pub detail: String,
}

/// The fields an entry's hash covers, in a fixed order. Field names are part of the format.
#[derive(Serialize)]
struct AuditCanonical<'a> {
    v: u8,
    site_id: &'a str,
    at: &'a str,
    actor_type: &'a str,
    actor: &'a str,
    kind: &'a str,
    ip: &'a Option<String>,
    detail: &'a str,
}

impl AuditRecord {
    /// SHA-256 of the canonical form (the position is covered by the link, not by this).
    pub fn hash(&self) -> String {
        let c = AuditCanonical {
            v: 1,
            site_id: &self.site_id,
            at: &self.at,
            actor_type: &self.actor_type,
            actor: &self.actor,
            kind: &self.kind,
            ip: &self.ip,
            detail: &self.detail,
        };
        sha256_hex(&serde_json::to_vec(&c).expect("canonical audit entry always serialises"))
    }

    /// The keyed link that appends this entry after `head` (`self.seq` must be `head.seq + 1`).
    pub fn link(&self, key: &[u8], head: &ChainHead) -> ChainLink {
        let item = Sealable { site_id: self.site_id.clone(), id: self.seq.to_string(), hash: self.hash() };
        seal_items(key, ChainKind::Audit, head, &[item]).remove(0)
    }
}

/// A signed head of a site's trail kept outside the database (R2), written by the cron: deleting
/// the newest entries (say, the record of one's own export) shows once the trail no longer
/// passes through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnchor {
    pub v: u8,
    pub site_id: String,
    pub seq: i64,
    pub hash: String,
    pub anchored_at: String,
    /// `HMAC(LEDGER_KEY, "audit-anchor:v1\n{site}\n{seq}\n{hash}\n{time}")`.
    pub signature: String,
}

impl AuditAnchor {
    fn message(&self) -> String {
        format!("audit-anchor:v1\n{}\n{}\n{}\n{}", self.site_id, self.seq, self.hash, self.anchored_at)
    }

    pub fn sign(key: &[u8], site_id: &str, head: &ChainHead, anchored_at: &str) -> AuditAnchor {
        let mut anchor = AuditAnchor {
            v: 1,
            site_id: site_id.to_string(),
            seq: head.seq,
            hash: head.hash.clone(),
            anchored_at: anchored_at.to_string(),
            signature: String::new(),
        };
        anchor.signature = hmac_sha256_hex(key, anchor.message().as_bytes());
        anchor
    }

    pub fn signature_holds(&self, key: &[u8]) -> bool {
        // Recomputed and compared as hex: the signature is public in R2, so timing tells nothing.
        self.v == 1 && hmac_sha256_hex(key, self.message().as_bytes()) == self.signature
    }

    pub fn object_key(&self) -> String {
        format!("anchors/{}/audit/{:012}.json", self.site_id, self.seq)
    }

    pub fn latest_key(site_id: &str) -> String {
        format!("anchors/{site_id}/audit-latest.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{ChainVerifier, SealedItem};

    fn entry(seq: i64, detail: &str) -> AuditRecord {
        AuditRecord {
            site_id: "demo".into(),
            seq,
            at: "2026-11-24T12:00:00.000Z".into(),
            actor_type: "admin_key".into(),
            actor: "admin_key".into(),
            kind: AuditKind::AudienceExported.as_str().into(),
            ip: Some("203.0.113.0/24".into()),
            detail: detail.into(),
        }
    }

    /// A chain of three entries verifies; an altered detail, a missing middle entry and an
    /// entry rewritten without the key each break it where they happened.
    #[test]
    fn the_trail_is_a_keyed_chain() {
        let key = b"test-ledger-key-0123456789abcdef";
        let mut head = ChainHead::genesis();
        let mut chain = Vec::new();
        for seq in 1..=3 {
            let e = entry(seq, &format!(r#"{{"rows":{seq}}}"#));
            let link = e.link(key, &head);
            head = ChainHead { seq, hash: link.hash.clone() };
            chain.push((e, link));
        }
        let verify = |rows: &[(AuditRecord, ChainLink)]| {
            let mut v = ChainVerifier::new(key, ChainKind::Audit);
            for (e, l) in rows {
                let item = SealedItem { id: e.seq.to_string(), hash: e.hash(), marked: true };
                v.check(l, Some(&item)).map_err(|b| (b.seq, b.reason))?;
            }
            Ok::<_, (i64, &str)>(v.checked)
        };
        assert_eq!(verify(&chain), Ok(3));

        let mut altered = chain.clone();
        altered[1].0.detail = r#"{"rows":0}"#.into();
        assert_eq!(verify(&altered), Err((2, "event does not match its sealed hash: it was altered")));

        let mut deleted = chain.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted), Err((3, "sequence gap: a link is missing or was inserted")));

        let mut rewritten = chain.clone();
        rewritten[1].0.detail = r#"{"rows":0}"#.into();
        rewritten[1].1 = rewritten[1]
            .0
            .link(b"not-the-ledger-key-0123456789abc", &ChainHead { seq: 1, hash: chain[0].1.hash.clone() });
        let (_, reason) = verify(&rewritten).unwrap_err();
        assert!(reason.starts_with("keyed link hash does not match"), "{reason}");

        // The audit domain is its own: an event-chain link over the same item does not verify.
        let other = seal_items(
            key,
            ChainKind::Events,
            &ChainHead::genesis(),
            &[Sealable { site_id: "demo".into(), id: "1".into(), hash: chain[0].0.hash() }],
        );
        assert!(verify(&[(chain[0].0.clone(), other[0].clone())]).is_err());
    }

    #[test]
    fn audit_anchors_are_signed() {
        let key = b"test-ledger-key-0123456789abcdef";
        let head = ChainHead { seq: 7, hash: "ab".repeat(32) };
        let anchor = AuditAnchor::sign(key, "demo", &head, "2026-11-24T12:00:00.000Z");
        assert!(anchor.signature_holds(key));
        assert!(!anchor.signature_holds(b"another-key-0123456789abcdef0123"));
        let moved = AuditAnchor { seq: 6, ..anchor.clone() };
        assert!(!moved.signature_holds(key));
        assert_eq!(anchor.object_key(), "anchors/demo/audit/000000000007.json");
        assert_eq!(AuditAnchor::latest_key("demo"), "anchors/demo/audit-latest.json");
    }

    #[test]
    fn kinds_parse_from_their_names() {
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AuditKind::parse("nonsense"), None);
    }

    #[test]
    fn stored_names_are_serde_names() {
        let all = AuditKind::ALL;
        for kind in all {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
    }
}
