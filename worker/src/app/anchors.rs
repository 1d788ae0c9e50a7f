//! Anchors: each cron run signs the ends of a site's chains and writes them outside D1 (an R2
//! bucket in the worker), and verification checks that the chains still pass through the latest
//! one — so deleting the newest links and events, or rewriting everything before an anchor,
//! shows even to someone who holds the database alone.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use consent_shared::api::v1::AnchorReport;
use consent_shared::audit::AuditAnchor;
use consent_shared::chain::{Anchor, GENESIS_HASH};
use consent_shared::time::format_utc;

use super::ledger::seal_pending;
use super::App;
use crate::store::Store;

pub type AnchorFuture<T> = Pin<Box<dyn Future<Output = Result<T, String>>>>;

/// Where anchors are kept: an object store outside the database. Object-safe, like `Mailer`.
pub trait AnchorStore {
    fn put(&self, key: String, body: String) -> AnchorFuture<()>;
    fn get(&self, key: String) -> AnchorFuture<Option<String>>;
}

/// Anchors in memory: native tests, and the model of what R2 must do.
#[derive(Default)]
pub struct MemoryAnchors {
    pub objects: RefCell<BTreeMap<String, String>>,
}

impl AnchorStore for std::rc::Rc<MemoryAnchors> {
    fn put(&self, key: String, body: String) -> AnchorFuture<()> {
        self.objects.borrow_mut().insert(key, body);
        Box::pin(async { Ok(()) })
    }

    fn get(&self, key: String) -> AnchorFuture<Option<String>> {
        let found = self.objects.borrow().get(&key).cloned();
        Box::pin(async move { Ok(found) })
    }
}

/// The cron's work: for every site, seal both chains, then anchor their heads. Returns what
/// went wrong, one line per problem, for the shell to log.
pub async fn seal_and_anchor_all<S: Store + 'static>(app: &App<S>, now: DateTime<Utc>) -> Vec<String> {
    let sites = match app.store.site_ids().await {
        Ok(sites) => sites,
        Err(e) => return vec![format!("sealing: cannot list sites: {e}")],
    };
    let mut problems = Vec::new();
    for site in sites {
        match seal_pending(app, &site, now).await {
            Ok(outcome) => {
                for row in [outcome.events_blocked, outcome.cookies_blocked].into_iter().flatten() {
                    problems.push(format!(
                        "sealing {site} stopped at row {} ({}): {}",
                        row.id, row.pos, row.reason
                    ));
                }
            }
            Err(e) => problems.push(format!("sealing {site} failed: {e}")),
        }
        if let Err(e) = write_anchor(app, &site, now).await {
            problems.push(format!("anchoring {site} failed: {e}"));
        }
        if let Err(e) = write_audit_anchor(app, &site, now).await {
            problems.push(format!("anchoring the audit trail of {site} failed: {e}"));
        }
    }
    problems
}

/// The latest anchor of `site`, if any was written.
pub(super) async fn latest(store: &dyn AnchorStore, site: &str) -> Result<Option<Anchor>, String> {
    match store.get(Anchor::latest_key(site)).await? {
        None => Ok(None),
        Some(text) => {
            serde_json::from_str(&text).map(Some).map_err(|e| format!("latest anchor unreadable: {e}"))
        }
    }
}

/// Signs the current heads of `site` and writes them (a new object, and `latest`), unless the
/// latest anchor already names them. Call after sealing.
pub async fn write_anchor<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let Some(anchors) = app.anchors.as_deref() else { return Ok(()) };
    let events = app.store.chain_head(site).await.map_err(|e| e.to_string())?;
    let cookies = app.store.cookie_chain_head(site).await.map_err(|e| e.to_string())?;
    if let Ok(Some(prev)) = latest(anchors, site).await {
        if (prev.seq, &prev.hash, prev.cookie_seq, &prev.cookie_hash)
            == (events.seq, &events.hash, cookies.seq, &cookies.hash)
        {
            return Ok(());
        }
    }
    let anchor = Anchor::sign(&app.config.ledger_key, site, &events, &cookies, &format_utc(now));
    let body = serde_json::to_string(&anchor).expect("anchors serialise");
    anchors.put(anchor.object_key(), body.clone()).await?;
    anchors.put(Anchor::latest_key(site), body).await
}

/// Whether the stored chains still pass through the latest anchor; `None` when no anchor
/// store is configured.
pub async fn check_latest<S: Store + 'static>(
    app: &App<S>,
    site: &str,
) -> Result<Option<AnchorReport>, String> {
    let Some(anchors) = app.anchors.as_deref() else { return Ok(None) };
    let Some(anchor) = latest(anchors, site).await? else {
        return Ok(Some(AnchorReport {
            found: false,
            seq: None,
            cookie_seq: None,
            anchored_at: None,
            extends: false,
            problem: Some("no anchor written yet (the cron writes one after each seal)".into()),
        }));
    };
    let mut report = AnchorReport {
        found: true,
        seq: Some(anchor.seq),
        cookie_seq: Some(anchor.cookie_seq),
        anchored_at: Some(anchor.anchored_at.clone()),
        extends: false,
        problem: None,
    };
    if anchor.site_id != site || !anchor.signature_holds(&app.config.ledger_key) {
        report.problem = Some("the latest anchor's signature does not hold under LEDGER_KEY".into());
        return Ok(Some(report));
    }
    let (event_hash, cookie_hash) =
        app.store.anchored_links(site, anchor.seq, anchor.cookie_seq).await.map_err(|e| e.to_string())?;
    let passes = |seq: i64, stored: Option<String>, anchored: &str| {
        if seq == 0 {
            anchored == GENESIS_HASH
        } else {
            stored.as_deref() == Some(anchored)
        }
    };
    let events_ok = passes(anchor.seq, event_hash, &anchor.hash);
    let cookies_ok = passes(anchor.cookie_seq, cookie_hash, &anchor.cookie_hash);
    report.extends = events_ok && cookies_ok;
    report.problem = match (events_ok, cookies_ok) {
        (true, true) => None,
        (false, _) => Some(format!(
            "the event chain no longer passes through anchored link {}: it was truncated or rewritten",
            anchor.seq
        )),
        (true, false) => Some(format!(
            "the cookie chain no longer passes through anchored link {}: it was truncated or rewritten",
            anchor.cookie_seq
        )),
    };
    Ok(Some(report))
}

/// The latest audit-trail anchor of `site`, if any was written.
pub(super) async fn latest_audit(store: &dyn AnchorStore, site: &str) -> Result<Option<AuditAnchor>, String> {
    match store.get(AuditAnchor::latest_key(site)).await? {
        None => Ok(None),
        Some(text) => {
            serde_json::from_str(&text).map(Some).map_err(|e| format!("latest audit anchor unreadable: {e}"))
        }
    }
}

/// Signs the head of the site's audit trail and writes it (a new object, and the latest), unless
/// the latest audit anchor already names it.
pub async fn write_audit_anchor<S: Store + 'static>(
    app: &App<S>,
    site: &str,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let Some(anchors) = app.anchors.as_deref() else { return Ok(()) };
    let head = app.store.audit_head(site).await.map_err(|e| e.to_string())?;
    if let Ok(Some(prev)) = latest_audit(anchors, site).await {
        if (prev.seq, &prev.hash) == (head.seq, &head.hash) {
            return Ok(());
        }
    }
    let anchor = AuditAnchor::sign(&app.config.ledger_key, site, &head, &format_utc(now));
    let body = serde_json::to_string(&anchor).expect("anchors serialise");
    anchors.put(anchor.object_key(), body.clone()).await?;
    anchors.put(AuditAnchor::latest_key(site), body).await
}

/// Whether the stored trail still passes through its latest anchor; `None` when no anchor store
/// is configured.
pub async fn check_audit_anchor<S: Store + 'static>(
    app: &App<S>,
    site: &str,
) -> Result<Option<AnchorReport>, String> {
    let Some(anchors) = app.anchors.as_deref() else { return Ok(None) };
    let Some(anchor) = latest_audit(anchors, site).await? else {
        return Ok(Some(AnchorReport {
            found: false,
            seq: None,
            cookie_seq: None,
            anchored_at: None,
            extends: false,
            problem: Some("no audit anchor written yet (the cron writes one)".into()),
        }));
    };
    let mut report = AnchorReport {
        found: true,
        seq: Some(anchor.seq),
        cookie_seq: None,
        anchored_at: Some(anchor.anchored_at.clone()),
        extends: false,
        problem: None,
    };
    if anchor.site_id != site || !anchor.signature_holds(&app.config.ledger_key) {
        report.problem = Some("the latest audit anchor's signature does not hold under LEDGER_KEY".into());
        return Ok(Some(report));
    }
    report.extends = if anchor.seq == 0 {
        anchor.hash == GENESIS_HASH
    } else {
        let rows = app.store.audit_after(site, anchor.seq - 1, 1).await.map_err(|e| e.to_string())?;
        rows.first().is_some_and(|row| row.link.seq == anchor.seq && row.link.hash == anchor.hash)
    };
    if !report.extends {
        report.problem = Some(format!(
            "the audit trail no longer passes through anchored entry {}: it was truncated or rewritten",
            anchor.seq
        ));
    }
    Ok(Some(report))
}
