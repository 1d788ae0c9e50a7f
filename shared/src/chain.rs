//! Tamper evidence for the ledger and the cookie decisions: keyed hash chains, append marks,
//! and signed anchors. Pure: every key is an argument.
//!
//! - **Append mark.** The one append path stores, with each event (and each cookie decision), a
//!   MAC under `LEDGER_KEY` of its canonical form. A row written any other way (straight into
//!   D1) has no valid mark: sealing stops in front of it and `verify` names it.
//! - **Keyed links.** Sealing appends one link per item, in write order:
//!   `hash = HMAC(LEDGER_KEY, "link:v2\n{seq}\n{prev_hash}\n{item_hash}")` (`cookie-link:v2` for
//!   the cookie chain), so recomputing a chain after an edit needs the key.
//! - **Legacy links.** Links sealed before the key existed are unkeyed SHA-256 (`link:v1`) and
//!   still verify, but only as the chain's first links: an unkeyed link after a keyed one is a
//!   break (so rewriting a chain as v1 does not pass), and an unkeyed link sealing an event that
//!   carries a mark is a break too. `ChainVerifier::legacy` counts them, so the report says how
//!   much of the chain anyone with database access could have rewritten before the key.
//! - **Anchors.** The cron signs each chain head and writes it outside D1; `verify` checks the
//!   chain still passes through the latest anchor, which catches truncation and a rewrite of
//!   everything before it (a v1 rewrite included).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::consent::{ConsentEvent, CookieConsentRecord};
use crate::digest::{hmac_sha256_hex, sha256_hex};

/// `prev_hash` of the first link of every chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Unkeyed SHA-256 links, sealed before `LEDGER_KEY` existed.
pub const LINK_V1_UNKEYED: u8 = 1;
/// HMAC-SHA256 links under `LEDGER_KEY`.
pub const LINK_V2_KEYED: u8 = 2;

/// Which chain a link belongs to; the two use different domain strings, so a link of one can
/// never stand for a link of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainKind {
    Events,
    Cookies,
    /// The audit trail of administrative acts (chained at append time, keyed from its start).
    Audit,
}

impl ChainKind {
    fn link_domain(self) -> &'static str {
        match self {
            ChainKind::Events => "link:v2",
            ChainKind::Cookies => "cookie-link:v2",
            ChainKind::Audit => "audit-link:v2",
        }
    }
}

/// The end of a chain: where the next item attaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    pub fn genesis() -> ChainHead {
        ChainHead { seq: 0, hash: GENESIS_HASH.to_string() }
    }
}

/// An item's place in its site's chain. Links are append-only, like the items they seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainLink {
    pub site_id: String,
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The event id (or cookie decision id) sealed.
    pub event_id: String,
    /// SHA-256 of the item's canonical form.
    pub event_hash: String,
    pub prev_hash: String,
    pub hash: String,
    /// `LINK_V1_UNKEYED` or `LINK_V2_KEYED`.
    pub version: u8,
}

/// `SHA-256("link:v1\n{seq}\n{prev_hash}\n{event_hash}")`: the legacy, unkeyed link.
pub fn link_hash_v1(seq: i64, prev_hash: &str, event_hash: &str) -> String {
    sha256_hex(format!("link:v1\n{seq}\n{prev_hash}\n{event_hash}").as_bytes())
}

fn link_message(kind: ChainKind, seq: i64, prev_hash: &str, item_hash: &str) -> String {
    format!("{}\n{seq}\n{prev_hash}\n{item_hash}", kind.link_domain())
}

/// `HMAC(key, "link:v2\n{seq}\n{prev_hash}\n{item_hash}")` (`cookie-link:v2` for cookies).
pub fn link_hash_v2(key: &[u8], kind: ChainKind, seq: i64, prev_hash: &str, item_hash: &str) -> String {
    hmac_sha256_hex(key, link_message(kind, seq, prev_hash, item_hash).as_bytes())
}

/// Compares a hex MAC with the one `message` should have, in constant time.
pub(crate) fn mac_matches(key: &[u8], message: &[u8], hex_mac: &str) -> bool {
    let Ok(given) = hex::decode(hex_mac) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.verify_slice(&given).is_ok()
}

/// One item to seal: its id and the SHA-256 of its canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealable {
    pub site_id: String,
    pub id: String,
    pub hash: String,
}

impl Sealable {
    pub fn event(e: &ConsentEvent) -> Sealable {
        Sealable { site_id: e.site_id.clone(), id: e.id.clone(), hash: crate::ledger::event_hash(e) }
    }

    pub fn cookie(r: &CookieConsentRecord) -> Sealable {
        Sealable { site_id: r.site_id.clone(), id: r.id.clone(), hash: cookie_record_hash(r) }
    }
}

/// Chains `items` (in write order) after `head` with keyed links.
pub fn seal_items(key: &[u8], kind: ChainKind, head: &ChainHead, items: &[Sealable]) -> Vec<ChainLink> {
    let mut prev = head.clone();
    items
        .iter()
        .map(|item| {
            let seq = prev.seq + 1;
            let hash = link_hash_v2(key, kind, seq, &prev.hash, &item.hash);
            let link = ChainLink {
                site_id: item.site_id.clone(),
                seq,
                event_id: item.id.clone(),
                event_hash: item.hash.clone(),
                prev_hash: prev.hash.clone(),
                hash: hash.clone(),
                version: LINK_V2_KEYED,
            };
            prev = ChainHead { seq, hash };
            link
        })
        .collect()
}

/// Chains ledger events (in write order) after `head`.
pub fn seal(key: &[u8], head: &ChainHead, pending: &[ConsentEvent]) -> Vec<ChainLink> {
    let items: Vec<Sealable> = pending.iter().map(Sealable::event).collect();
    seal_items(key, ChainKind::Events, head, &items)
}

/// Chains cookie decisions (in write order) after `head`.
pub fn seal_cookies(key: &[u8], head: &ChainHead, pending: &[CookieConsentRecord]) -> Vec<ChainLink> {
    let items: Vec<Sealable> = pending.iter().map(Sealable::cookie).collect();
    seal_items(key, ChainKind::Cookies, head, &items)
}

// ---- append marks -------------------------------------------------------------------------

fn event_mark_message(e: &ConsentEvent) -> Vec<u8> {
    let mut m = b"event-mark:v1\n".to_vec();
    m.extend_from_slice(&crate::ledger::canonical_event(e));
    m
}

/// The append mark of an event: `HMAC(key, "event-mark:v1\n" + canonical form)`. `e.subject`
/// is the id as submitted (the append SQL may resolve it to an earlier id after an address
/// correction; `mark_problem` accepts that).
pub fn event_mark(key: &[u8], e: &ConsentEvent) -> String {
    hmac_sha256_hex(key, &event_mark_message(e))
}

/// The fields of a cookie decision covered by its hash and mark, in a fixed order. Field names
/// are part of the chain format.
#[derive(Serialize)]
struct CookieCanonical<'a> {
    v: u8,
    id: &'a str,
    site_id: &'a str,
    consent_id: &'a str,
    categories: &'a [String],
    policy_version: u32,
    wording_sha256: &'a str,
    choice: &'a str,
    reject_on_first_layer: bool,
    gpc: bool,
    server_time: &'a str,
    client_time: &'a Option<String>,
    user_agent: &'a Option<String>,
    ip_truncated: &'a Option<String>,
    // Added later: absent when unset, so earlier decisions hash exactly as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_set: Option<&'static str>,
}

fn canonical_cookie(r: &CookieConsentRecord) -> Vec<u8> {
    let c = CookieCanonical {
        v: 1,
        id: &r.id,
        site_id: &r.site_id,
        consent_id: &r.consent_id,
        categories: &r.categories,
        policy_version: r.policy_version,
        wording_sha256: &r.wording_sha256,
        choice: r.choice.as_str(),
        reject_on_first_layer: r.reject_on_first_layer,
        gpc: r.gpc,
        server_time: &r.server_time,
        client_time: &r.client_time,
        user_agent: &r.user_agent,
        ip_truncated: &r.ip_truncated,
        rule_set: r.rule_set.map(crate::basis::RuleSet::as_str),
    };
    serde_json::to_vec(&c).expect("canonical cookie decision always serialises")
}

/// SHA-256 of a cookie decision's canonical form: what its cookie-chain link commits to.
pub fn cookie_record_hash(r: &CookieConsentRecord) -> String {
    sha256_hex(&canonical_cookie(r))
}

fn cookie_mark_message(r: &CookieConsentRecord) -> Vec<u8> {
    let mut m = b"cookie-mark:v1\n".to_vec();
    m.extend_from_slice(&canonical_cookie(r));
    m
}

/// The append mark of a cookie decision.
pub fn cookie_mark(key: &[u8], r: &CookieConsentRecord) -> String {
    hmac_sha256_hex(key, &cookie_mark_message(r))
}

pub const NO_MARK: &str = "no append mark: the row was not written through the append path";
pub const BAD_MARK: &str = "append mark does not match the row: it was forged or altered";
pub const SUBJECT_MOVED: &str = "the subject is neither the one submitted nor its alias: it was altered";

/// Why a stored event may not be sealed, or `None` when its mark holds. `submitted_subject` is
/// the subject id the append path was given; `subject_resolves` says whether it is the stored
/// subject or an alias of it.
pub fn mark_problem(
    key: &[u8],
    stored: &ConsentEvent,
    mark: Option<&str>,
    submitted_subject: Option<&str>,
    subject_resolves: bool,
) -> Option<&'static str> {
    let (Some(mark), Some(submitted)) = (mark, submitted_subject) else { return Some(NO_MARK) };
    let mut as_submitted = stored.clone();
    as_submitted.subject = submitted.to_string();
    if !mac_matches(key, &event_mark_message(&as_submitted), mark) {
        return Some(BAD_MARK);
    }
    (!subject_resolves).then_some(SUBJECT_MOVED)
}

/// Why a stored cookie decision may not be sealed, or `None` when its mark holds.
pub fn cookie_mark_problem(
    key: &[u8],
    stored: &CookieConsentRecord,
    mark: Option<&str>,
) -> Option<&'static str> {
    match mark {
        None => Some(NO_MARK),
        Some(m) if !mac_matches(key, &cookie_mark_message(stored), m) => Some(BAD_MARK),
        Some(_) => None,
    }
}

// ---- verification -------------------------------------------------------------------------

/// The first place where a chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub event_id: String,
    pub reason: &'static str,
}

/// What a link seals, as read back: the item's id, its recomputed hash, and whether it carries
/// an append mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedItem {
    pub id: String,
    pub hash: String,
    pub marked: bool,
}

impl SealedItem {
    pub fn event(e: &ConsentEvent, marked: bool) -> SealedItem {
        SealedItem { id: e.id.clone(), hash: crate::ledger::event_hash(e), marked }
    }

    pub fn cookie(r: &CookieConsentRecord, marked: bool) -> SealedItem {
        SealedItem { id: r.id.clone(), hash: cookie_record_hash(r), marked }
    }
}

/// Walks a site's links in `seq` order, each with what it seals (`None` when the row is gone),
/// so chains of any length verify in constant memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier<'k> {
    key: &'k [u8],
    kind: ChainKind,
    head: ChainHead,
    keyed_seen: bool,
    pub checked: u64,
    /// Unkeyed (v1) links checked: the chain's prefix from before `LEDGER_KEY`.
    pub legacy: u64,
}

impl<'k> ChainVerifier<'k> {
    pub fn new(key: &'k [u8], kind: ChainKind) -> Self {
        ChainVerifier { key, kind, head: ChainHead::genesis(), keyed_seen: false, checked: 0, legacy: 0 }
    }

    /// A verifier that starts after a purge checkpoint (`retention::PurgeCheckpoint::head`), whose
    /// seal the caller has checked: the next link must sit at `head.seq + 1` and carry
    /// `head.hash` as its `prev_hash`. Checkpoints exist only on keyed chains.
    pub fn resume(key: &'k [u8], kind: ChainKind, head: ChainHead) -> Self {
        ChainVerifier { key, kind, head, keyed_seen: true, checked: 0, legacy: 0 }
    }

    pub fn check(&mut self, link: &ChainLink, item: Option<&SealedItem>) -> Result<(), BrokenLink> {
        let broken = |reason| Err(BrokenLink { seq: link.seq, event_id: link.event_id.clone(), reason });
        if link.seq != self.head.seq + 1 {
            return broken("sequence gap: a link is missing or was inserted");
        }
        if link.prev_hash != self.head.hash {
            return broken("prev_hash does not match the previous link's hash");
        }
        match link.version {
            LINK_V1_UNKEYED if self.kind == ChainKind::Cookies => {
                return broken("unkeyed link in a cookie chain, which was keyed from its start: rewritten");
            }
            LINK_V1_UNKEYED if self.kind == ChainKind::Audit => {
                return broken("unkeyed link in the audit trail, which was keyed from its start: rewritten");
            }
            LINK_V1_UNKEYED if self.keyed_seen => {
                return broken("unkeyed link after keyed links: the chain was rewritten without the key");
            }
            LINK_V1_UNKEYED => {
                if link.hash != link_hash_v1(link.seq, &link.prev_hash, &link.event_hash) {
                    return broken("link hash does not match its contents: the link was altered");
                }
                if item.is_some_and(|i| i.marked) {
                    return broken(
                        "unkeyed link sealing a marked event: the chain was rewritten without the key",
                    );
                }
            }
            LINK_V2_KEYED => {
                let message = link_message(self.kind, link.seq, &link.prev_hash, &link.event_hash);
                if !mac_matches(self.key, message.as_bytes(), &link.hash) {
                    return broken(
                        "keyed link hash does not match its contents: altered, or recomputed without LEDGER_KEY",
                    );
                }
            }
            _ => return broken("unknown link version"),
        }
        let Some(item) = item else {
            return broken("the event this link seals is missing: it was deleted");
        };
        if item.id != link.event_id || item.hash != link.event_hash {
            return broken("event does not match its sealed hash: it was altered");
        }
        if link.version == LINK_V1_UNKEYED {
            self.legacy += 1;
        } else {
            self.keyed_seen = true;
        }
        self.head = ChainHead { seq: link.seq, hash: link.hash.clone() };
        self.checked += 1;
        Ok(())
    }

    pub fn head(&self) -> &ChainHead {
        &self.head
    }
}

// ---- anchors ------------------------------------------------------------------------------

/// A signed chain head kept outside the database (R2): the event chain's and the cookie
/// chain's ends at `anchored_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub v: u8,
    pub site_id: String,
    pub seq: i64,
    pub hash: String,
    pub cookie_seq: i64,
    pub cookie_hash: String,
    pub anchored_at: String,
    /// `HMAC(LEDGER_KEY, "anchor:v1\n{site}\n{seq}\n{hash}\n{cookie_seq}\n{cookie_hash}\n{time}")`.
    pub signature: String,
}

impl Anchor {
    fn message(&self) -> String {
        format!(
            "anchor:v1\n{}\n{}\n{}\n{}\n{}\n{}",
            self.site_id, self.seq, self.hash, self.cookie_seq, self.cookie_hash, self.anchored_at
        )
    }

    /// Signs the two heads of `site_id` at `anchored_at`.
    pub fn sign(
        key: &[u8],
        site_id: &str,
        events: &ChainHead,
        cookies: &ChainHead,
        anchored_at: &str,
    ) -> Anchor {
        let mut anchor = Anchor {
            v: 1,
            site_id: site_id.to_string(),
            seq: events.seq,
            hash: events.hash.clone(),
            cookie_seq: cookies.seq,
            cookie_hash: cookies.hash.clone(),
            anchored_at: anchored_at.to_string(),
            signature: String::new(),
        };
        anchor.signature = hmac_sha256_hex(key, anchor.message().as_bytes());
        anchor
    }

    pub fn signature_holds(&self, key: &[u8]) -> bool {
        self.v == 1 && mac_matches(key, self.message().as_bytes(), &self.signature)
    }

    /// The object key of this anchor (sortable), and of a site's latest anchor.
    pub fn object_key(&self) -> String {
        format!("anchors/{}/{:012}-{:012}.json", self.site_id, self.seq, self.cookie_seq)
    }

    pub fn latest_key(site_id: &str) -> String {
        format!("anchors/{site_id}/latest.json")
    }
}

#[cfg(test)]
mod tests;
