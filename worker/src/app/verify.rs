//! `GET …/ledger/verify` (admin key): everything that shows tampering, in one report — the
//! event chain, rows that never went through the append path, the current state rebuilt from
//! the events against `consent_state`, the cookie chain, and the latest anchor. Every pass
//! pages through storage, so memory stays bounded whatever the ledger's size.

use consent_shared::api::v1::{
    BrokenLinkReport, CookieChainReport, StateDisagreement, UnmarkedRow, VerifyReport, REPORT_LIMIT,
};
use consent_shared::chain::{BrokenLink, ChainKind, ChainLink, ChainVerifier, SealedItem};
use consent_shared::consent::{next_state, Action};

use consent_shared::access::Action as AdminAction;
use consent_shared::audit::AuditKind;
use serde_json::json;

use super::admin::{admin_site, PAGE_SIZE};
use super::anchors::check_latest;
use super::audit::{client_ip, record, verify_trail, AuditEntry};
use super::ledger::{seal_pending, Unsealable};
use super::retention::{finish_report, verification_start};
use super::{log_internal, require_method, App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::chain::{AuditCursor, ChainedCookie};
use crate::store::{ChainedEvent, Store, StoreError};

pub async fn verify_ledger<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, AdminAction::VerifyLedger).await?;
    let actor = principal.actor();
    require_method(req, &["GET"])?;
    let report = verify_site(app, &site.id, actor, client_ip(req), facts.now).await?;
    Ok(HttpResponse::json(200, &report))
}

/// The whole check of `site_id` for `actor` (the API key or the console's signed-in person),
/// recorded in the audit trail as `ledger_verified`.
pub async fn verify_site<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    actor: consent_shared::access::Actor,
    ip: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<VerifyReport, AppError> {
    let facts_now = now;
    // Everything written through the append path is chained before the chain is checked; a
    // row without a valid mark stops sealing and is reported, never sealed.
    let sealed = seal_pending(app, site_id, facts_now).await?;
    let key = &app.config.ledger_key;

    let mut report = event_chain(app, site_id, key).await?;
    report.sealing_stopped_at = sealed.events_blocked.map(unmarked_row);
    audit_state(app, site_id, key, &mut report).await?;
    let mut cookies = cookie_chain(app, site_id).await?;
    cookies.sealing_stopped_at = sealed.cookies_blocked.map(unmarked_row);
    cookies.unchained = app
        .store
        .unchained_cookies(site_id, REPORT_LIMIT as u32)
        .await?
        .into_iter()
        .map(|(pos, id)| UnmarkedRow {
            id,
            pos,
            reason: "outside the chain where sealing never looks: written into the database directly".into(),
        })
        .collect();
    cookies.valid = cookies.valid && cookies.sealing_stopped_at.is_none() && cookies.unchained.is_empty();
    report.anchor = check_latest(app, site_id).await.unwrap_or_else(|e| {
        log_internal(&format!("verifying {}: anchor unreadable: {e}", site_id));
        Some(consent_shared::api::v1::AnchorReport {
            found: false,
            seq: None,
            cookie_seq: None,
            anchored_at: None,
            extends: false,
            problem: Some("the anchor store could not be read".into()),
        })
    });
    report.valid = report.chain_valid
        && report.unmarked_events == 0
        && report.sealing_stopped_at.is_none()
        && report.state_disagreements == 0
        && cookies.valid
        && report.anchor.as_ref().is_none_or(|a| a.extends || !a.found);
    report.cookie_chain = Some(cookies);
    let trail = verify_trail(app, site_id).await?;
    report.valid = report.valid && trail.valid;
    let detail = json!({
        "valid": report.valid,
        "events_checked": report.events_checked,
        "audit_entries_checked": trail.entries_checked,
        "audit_trail_valid": trail.valid,
    });
    report.audit_trail = Some(trail);
    let entry = AuditEntry { site: site_id, actor, kind: AuditKind::LedgerVerified, detail, client_ip: ip };
    record(app, entry, facts_now).await?;
    Ok(report)
}

fn unmarked_row(u: Unsealable) -> UnmarkedRow {
    UnmarkedRow { id: u.id, pos: u.pos, reason: u.reason.into() }
}

fn broken_report(b: BrokenLink) -> BrokenLinkReport {
    BrokenLinkReport { seq: b.seq, event_id: b.event_id, reason: b.reason.into() }
}

/// A link with the row it seals, as the event chain and the cookie chain store them.
pub(super) trait ChainedRow {
    fn link(&self) -> &ChainLink;
    fn sealed_item(&self) -> Option<SealedItem>;
}

impl ChainedRow for ChainedEvent {
    fn link(&self) -> &ChainLink {
        &self.link
    }
    fn sealed_item(&self) -> Option<SealedItem> {
        self.event.as_ref().map(|e| SealedItem::event(e, self.marked))
    }
}

impl ChainedRow for ChainedCookie {
    fn link(&self) -> &ChainLink {
        &self.link
    }
    fn sealed_item(&self) -> Option<SealedItem> {
        self.record.as_ref().map(|r| SealedItem::cookie(r, self.marked))
    }
}

/// Recomputes a chain page by page (`page(after_seq)` reads the next links) and stops at the
/// first broken link.
pub(super) async fn walk_chain<'k, T, Page, Fut>(
    mut verifier: ChainVerifier<'k>,
    page: Page,
) -> Result<(ChainVerifier<'k>, Option<BrokenLinkReport>), AppError>
where
    T: ChainedRow,
    Page: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, StoreError>>,
{
    // After a retention purge the verifier starts at its checkpoint, not at genesis.
    let mut after = verifier.head().seq;
    loop {
        let rows = page(after).await?;
        for row in &rows {
            if let Err(broken) = verifier.check(row.link(), row.sealed_item().as_ref()) {
                return Ok((verifier, Some(broken_report(broken))));
            }
        }
        match rows.last() {
            Some(last) if rows.len() == PAGE_SIZE as usize => after = last.link().seq,
            _ => return Ok((verifier, None)),
        }
    }
}

/// Recomputes the site's event chain, page by page, and names the first broken link.
async fn event_chain<S: Store>(app: &App<S>, site: &str, key: &[u8]) -> Result<VerifyReport, AppError> {
    let (verifier, first_broken) = walk_chain(ChainVerifier::new(key, ChainKind::Events), |after| {
        app.store.chained_after(site, after, PAGE_SIZE)
    })
    .await?;
    let head = verifier.head();
    Ok(VerifyReport {
        valid: false,
        events_checked: verifier.checked,
        head_seq: head.seq,
        head_hash: head.hash.clone(),
        chain_valid: first_broken.is_none(),
        first_broken,
        legacy_links: verifier.legacy,
        unmarked_events: 0,
        first_unmarked: Vec::new(),
        sealing_stopped_at: None,
        legacy_unmarked_events: 0,
        state_disagreements: 0,
        first_state_disagreements: Vec::new(),
        cookie_chain: None,
        anchor: None,
        audit_trail: None,
    })
}

/// One subject × purpose × channel being rebuilt.
struct Group {
    key: (String, String, String),
    rebuilt: Option<Action>,
    found: Option<Action>,
}

fn finish(group: Option<Group>, report: &mut VerifyReport) {
    let Some(g) = group else { return };
    if g.rebuilt != g.found {
        report.state_disagreements += 1;
        if report.first_state_disagreements.len() < REPORT_LIMIT {
            report.first_state_disagreements.push(StateDisagreement {
                subject: g.key.0,
                purpose: g.key.1,
                channel: g.key.2,
                expected: g.rebuilt.map(|a| a.as_str().to_string()),
                found: g.found.map(|a| a.as_str().to_string()),
            });
        }
    }
}

/// Why an audited row is not evidence, or `None`. A row at a position from before append marks
/// passes unmarked only once it is sealed: `verify` has just sealed every genuine one (they lie
/// after the chain's end until sealed), so an unsealed "legacy" row is one written at a chosen
/// position (0, negative, a gap) where sealing never looks.
fn audit_problem(row: &crate::store::chain::AuditedEvent, key: &[u8]) -> Option<&'static str> {
    let m = &row.marked;
    if m.legacy && m.mark.is_none() && row.link_version.is_none() {
        return Some("no append mark and never sealed: the row was written into the database directly");
    }
    m.problem(key)
}

/// Reads every event in state-key order: names the rows without a valid append mark, and
/// rebuilds each current state from the marked events (`consent::next_state`) to compare with
/// `consent_state`.
async fn audit_state<S: Store>(
    app: &App<S>,
    site: &str,
    key: &[u8],
    report: &mut VerifyReport,
) -> Result<(), AppError> {
    let mut cursor = AuditCursor::start();
    let mut group: Option<Group> = None;
    loop {
        let page = app.store.audit_events(site, &cursor, PAGE_SIZE).await?;
        for row in &page {
            let e = &row.marked.event;
            let row_key = (e.subject.clone(), e.purpose.clone(), e.channel.as_str().to_string());
            if group.as_ref().is_none_or(|g| g.key != row_key) {
                finish(group.take(), report);
                group = Some(Group { key: row_key, rebuilt: None, found: row.state_action });
            }
            let g = group.as_mut().expect("a group is open");
            match audit_problem(row, key) {
                None => {
                    if row.marked.legacy && row.marked.mark.is_none() {
                        report.legacy_unmarked_events += 1;
                    }
                    g.rebuilt = Some(next_state(g.rebuilt, e.action));
                }
                Some(reason) => {
                    report.unmarked_events += 1;
                    if report.first_unmarked.len() < REPORT_LIMIT {
                        report.first_unmarked.push(UnmarkedRow {
                            id: e.id.clone(),
                            pos: row.marked.pos,
                            reason: reason.into(),
                        });
                    }
                }
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE_SIZE as usize => cursor = AuditCursor::after(&last.marked),
            _ => break,
        }
    }
    finish(group, report);
    // State rows with no event at all behind them.
    for row in app.store.state_without_events(site, REPORT_LIMIT as u32).await? {
        report.state_disagreements += 1;
        if report.first_state_disagreements.len() < REPORT_LIMIT {
            report.first_state_disagreements.push(StateDisagreement {
                subject: row.subject,
                purpose: row.purpose,
                channel: row.channel,
                expected: None,
                found: Some(row.action),
            });
        }
    }
    Ok(())
}

async fn cookie_chain<S: Store>(app: &App<S>, site: &str) -> Result<CookieChainReport, AppError> {
    let (start, mut purged) = verification_start(app, site, ChainKind::Cookies).await?;
    let (verifier, first_broken) =
        walk_chain(start, |after| app.store.cookie_chained_after(site, after, PAGE_SIZE)).await?;
    finish_report(&mut purged, first_broken.is_none());
    let head = verifier.head();
    Ok(CookieChainReport {
        valid: first_broken.is_none() && purged.as_ref().is_none_or(|p| p.problem.is_none()),
        purged,
        records_checked: verifier.checked,
        head_seq: head.seq,
        head_hash: head.hash.clone(),
        first_broken,
        sealing_stopped_at: None,
        unchained: Vec::new(),
    })
}
