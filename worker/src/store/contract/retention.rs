//! Contract cases for retention: each site's settings (the defaults until changed, the bounds
//! checked by the database too), and purges that go only behind a sealed checkpoint — a delete
//! without one is refused, the checkpoint and the deletes land together, and of two purges
//! racing for the same place exactly one lands.

use consent_shared::audit::AuditRecord;
use consent_shared::retention::{PurgeCheckpoint, RetentionPolicy};

use super::*;
use crate::store::audit::AuditStore;
use crate::store::chain::ChainStore;
use crate::store::retention::RetentionStore;
use crate::store::Statement;
use consent_shared::chain::ChainLink;

/// Stores `policy` with its trail entry linked after the current head (or at `seq` when given).
async fn set_policy<S: Store>(
    store: &S,
    site: &str,
    policy: RetentionPolicy,
    seq: Option<i64>,
) -> Result<(), StoreError> {
    let head = store.audit_head(site).await?;
    let record = AuditRecord {
        site_id: site.into(),
        seq: seq.unwrap_or(head.seq + 1),
        at: NOW.into(),
        actor_type: "person".into(),
        actor: "person:contract".into(),
        kind: "retention_changed".into(),
        ip: None,
        detail: "{}".into(),
    };
    let link = record.link(KEY, &head);
    store.set_retention_policy(site, &policy, NOW, &record, &link).await
}

/// Settings read back as stored, each change in one batch with its trail entry: a refused value
/// (a CHECK) or a lost race for the entry's place (a `Conflict`) writes neither.
pub(super) async fn retention_settings_round_trip_within_bounds<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
) -> CaseResult {
    store.put_site(&sample_site(site), NOW).await.map_err(err)?;
    check(store.retention_policy(site).await.map_err(err)?.is_none(), "no settings: the defaults")?;
    let chosen = RetentionPolicy { cookie_decision_months: 13, audit_years: 7 };
    set_policy(store, site, chosen, None).await.map_err(err)?;
    check(store.retention_policy(site).await.map_err(err)? == Some(chosen), "read back")?;
    let changed = RetentionPolicy { cookie_decision_months: 60, audit_years: 1 };
    set_policy(store, site, changed, None).await.map_err(err)?;
    check(store.retention_policy(site).await.map_err(err)? == Some(changed), "replaced")?;
    // Out of bounds: the database refuses it too (a CHECK, not a Conflict), nothing changes.
    let wrong = RetentionPolicy { cookie_decision_months: 61, audit_years: 6 };
    match set_policy(store, site, wrong, None).await {
        Err(StoreError::Backend(_)) => {}
        other => return Err(format!("61 months: {other:?}")),
    }
    // The entry's place taken by another append: a Conflict, and the setting is not stored.
    let raced = RetentionPolicy { cookie_decision_months: 2, audit_years: 2 };
    match set_policy(store, site, raced, Some(1)).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("a taken place: {other:?}")),
    }
    check(store.retention_policy(site).await.map_err(err)? == Some(changed), "unchanged after refusals")?;
    let entries = store.audit_after(site, 0, 10).await.map_err(err)?;
    check(entries.len() == 2, &format!("one entry per stored change: {entries:?}"))
}

/// Three chained cookie decisions of `site`; their links.
async fn three_chained_cookies<S: Store>(store: &S, site: &str) -> Result<Vec<ChainLink>, String> {
    let records: Vec<_> = (1..=3).map(|i| cookie_fixture(site, &format!("r{i}"))).collect();
    for r in &records {
        let mark = consent_shared::chain::cookie_mark(KEY, r);
        store.record_cookie_consent(r, Some(&mark), None).await.map_err(err)?;
    }
    let links = consent_shared::chain::seal_cookies(KEY, &ChainHead::genesis(), &records);
    store.append_cookie_links(&links, NOW).await.map_err(err)?;
    Ok(links)
}

fn head_of(link: &ChainLink) -> ChainHead {
    ChainHead { seq: link.seq, hash: link.hash.clone() }
}

pub(super) async fn cookie_purges_need_a_checkpoint_and_land_once<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
) -> CaseResult {
    let links = three_chained_cookies(store, site).await?;
    // Without a checkpoint, neither a chained decision nor its link may go.
    for sql in
        ["DELETE FROM cookie_consents WHERE site_id = ?1", "DELETE FROM cookie_links WHERE site_id = ?1"]
    {
        match store.exec.batch(vec![Statement::new(sql, vec![site.into()])]).await {
            Err(StoreError::Backend(m)) if m.contains("retention purge") => {}
            other => return Err(format!("{sql}: {other:?}")),
        }
    }
    let first = PurgeCheckpoint::seal(KEY, site, "cookies", &ChainHead::genesis(), &head_of(&links[1]), NOW);
    store.purge_cookie_decisions(&first).await.map_err(err)?;
    let left = store.cookie_chained_after(site, 0, 10).await.map_err(err)?;
    check(
        left.len() == 1 && left[0].link.seq == 3 && left[0].record.is_some(),
        &format!("after the purge: {left:?}"),
    )?;
    // The remaining chain continues from the checkpoint, and the head is unchanged.
    let mut verifier = ChainVerifier::resume(KEY, ChainKind::Cookies, first.head());
    let item = left[0].record.as_ref().map(|r| SealedItem::cookie(r, left[0].marked));
    verifier.check(&left[0].link, item.as_ref()).map_err(|b| format!("broken at {}: {}", b.seq, b.reason))?;
    check(store.cookie_chain_head(site).await.map_err(err)? == head_of(&links[2]), "head kept")?;
    check(store.unsealed_cookies(site, 10).await.map_err(err)?.is_empty(), "nothing to seal again")?;
    check(store.unchained_cookies(site, 10).await.map_err(err)?.is_empty(), "nothing unchained")?;
    // A second purge from the same place (a racing run): refused whole, nothing deleted.
    let racing = PurgeCheckpoint::seal(KEY, site, "cookies", &ChainHead::genesis(), &head_of(&links[2]), NOW);
    match store.purge_cookie_decisions(&racing).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("a racing purge: {other:?}")),
    }
    check(store.cookie_chained_after(site, 0, 10).await.map_err(err)?.len() == 1, "the third stays")?;
    let read = store.purge_checkpoints(site, "cookies").await.map_err(err)?;
    check(read == [first.clone()], &format!("checkpoints {read:?}"))?;
    check(store.latest_purge_checkpoint(site, "cookies").await.map_err(err)? == Some(first), "latest")?;
    // Checkpoints themselves never change.
    let update =
        Statement::new("UPDATE purge_checkpoints SET purged = 1 WHERE site_id = ?1", vec![site.into()]);
    match store.exec.batch(vec![update]).await {
        Err(StoreError::Backend(m)) if m.contains("never changed") => Ok(()),
        other => Err(format!("UPDATE of a checkpoint: {other:?}")),
    }
}

pub(super) async fn audit_purges_need_a_checkpoint_and_land_once<E: Executor>(
    store: &SqlStore<E>,
    site: &str,
) -> CaseResult {
    let mut head = ChainHead::genesis();
    let mut links = Vec::new();
    for i in 1..=3 {
        let record = AuditRecord {
            site_id: site.into(),
            seq: head.seq + 1,
            at: format!("2019-0{i}-01T00:00:00.000Z"),
            actor_type: "system".into(),
            actor: "system".into(),
            kind: "purged".into(),
            ip: None,
            detail: "{}".into(),
        };
        let link = record.link(KEY, &head);
        store.append_audit(&record, &link).await.map_err(err)?;
        head = head_of(&link);
        links.push(link);
    }
    let wrong_chain =
        PurgeCheckpoint::seal(KEY, site, "cookies", &ChainHead::genesis(), &head_of(&links[0]), NOW);
    check(store.purge_audit_entries(&wrong_chain).await.is_err(), "a cookie checkpoint purges no entry")?;
    let first = PurgeCheckpoint::seal(KEY, site, "audit", &ChainHead::genesis(), &head_of(&links[1]), NOW);
    store.purge_audit_entries(&first).await.map_err(err)?;
    let left = store.audit_after(site, 0, 10).await.map_err(err)?;
    check(left.len() == 1 && left[0].record.seq == 3, &format!("left {left:?}"))?;
    check(store.audit_head(site).await.map_err(err)? == head_of(&links[2]), "head kept")?;
    // Above the checkpoint the trail is still append-only.
    let delete = Statement::new("DELETE FROM audit_events WHERE site_id = ?1", vec![site.into()]);
    match store.exec.batch(vec![delete]).await {
        Err(StoreError::Backend(m)) if m.contains("append-only") => {}
        other => return Err(format!("DELETE above the checkpoint: {other:?}")),
    }
    let racing = PurgeCheckpoint::seal(KEY, site, "audit", &ChainHead::genesis(), &head_of(&links[2]), NOW);
    match store.purge_audit_entries(&racing).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("a racing purge: {other:?}")),
    }
    check(store.audit_after(site, 0, 10).await.map_err(err)?.len() == 1, "the third stays")
}
