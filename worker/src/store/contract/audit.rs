//! Contract cases for the audit trail (append with its link, races that must not fork the
//! chain, append-only rows, pages and filters) and for backend consent checks (standings, the
//! daily counts and their one-time summary).

use consent_shared::audit::AuditRecord;
use consent_shared::chain::ChainLink;

use super::*;
use crate::store::audit::{AuditFilter, CheckCount};
use crate::store::Statement;

fn entry(site: &str, actor: &str, kind: &str, at: &str, detail: &str) -> AuditRecord {
    AuditRecord {
        site_id: site.into(),
        seq: 0,
        at: at.into(),
        actor_type: "admin_key".into(),
        actor: actor.into(),
        kind: kind.into(),
        ip: Some("192.0.2.0/24".into()),
        detail: detail.into(),
    }
}

/// Links `record` after the current head and appends it (no retry).
async fn append<S: Store>(store: &S, mut record: AuditRecord) -> Result<ChainLink, StoreError> {
    let head = store.audit_head(&record.site_id).await?;
    record.seq = head.seq + 1;
    let link = record.link(KEY, &head);
    store.append_audit(&record, &link).await?;
    Ok(link)
}

/// Checks the whole trail of `site` and returns how many entries held.
async fn verified<S: Store>(store: &S, site: &str) -> Result<u64, String> {
    let mut verifier = ChainVerifier::new(KEY, ChainKind::Audit);
    for row in store.audit_after(site, 0, 1000).await.map_err(err)? {
        let item = SealedItem { id: row.record.seq.to_string(), hash: row.record.hash(), marked: true };
        verifier.check(&row.link, Some(&item)).map_err(|b| format!("broken at {}: {}", b.seq, b.reason))?;
    }
    Ok(verifier.checked)
}

pub(super) async fn audit_entries_chain_at_append<S: Store>(store: &S, site: &str) -> CaseResult {
    check(store.audit_head(site).await.map_err(err)? == ChainHead::genesis(), "empty trail at genesis")?;
    for n in 1..=3 {
        let detail = format!(r#"{{"rows":{n}}}"#);
        append(store, entry(site, "admin_key", "audience_exported", NOW, &detail)).await.map_err(err)?;
    }
    let head = store.audit_head(site).await.map_err(err)?;
    check(head.seq == 3, &format!("head {head:?}"))?;
    let rows = store.audit_after(site, 1, 10).await.map_err(err)?;
    let seqs: Vec<i64> = rows.iter().map(|r| r.record.seq).collect();
    check(seqs == [2, 3], &format!("after 1: {seqs:?}"))?;
    check(rows[1].record.detail == r#"{"rows":3}"#, "detail read back as written")?;
    check(rows[1].record.ip.as_deref() == Some("192.0.2.0/24"), "ip read back")?;
    check(verified(store, site).await? == 3, "three entries verify")
}

/// Two appends that read the same head: the second finds its place taken (`Conflict`, nothing
/// written), re-reads the head and lands after the first — one chain, no fork.
pub(super) async fn racing_audit_appends_never_fork<S: Store>(store: &S, site: &str) -> CaseResult {
    append(store, entry(site, "admin_key", "ledger_verified", NOW, "{}")).await.map_err(err)?;
    let head = store.audit_head(site).await.map_err(err)?;
    let mut first = entry(site, "key:ck_aaaa", "audit_read", NOW, r#"{"n":1}"#);
    let mut second = entry(site, "key:ck_bbbb", "audit_read", NOW, r#"{"n":2}"#);
    first.seq = head.seq + 1;
    second.seq = head.seq + 1;
    let (first_link, second_link) = (first.link(KEY, &head), second.link(KEY, &head));
    store.append_audit(&first, &first_link).await.map_err(err)?;
    match store.append_audit(&second, &second_link).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("the losing append: {other:?}")),
    }
    check(store.audit_head(site).await.map_err(err)?.seq == 2, "the loser wrote nothing")?;
    append(store, second).await.map_err(err)?;
    check(verified(store, site).await? == 3, "one chain of three")
}

/// The trail refuses UPDATE and DELETE (triggers) on every backend; neither is a `Conflict`.
pub(super) async fn audit_rows_are_append_only<E: Executor>(store: &SqlStore<E>, site: &str) -> CaseResult {
    append(store, entry(site, "admin_key", "subject_erased", NOW, r#"{"subject":"ab"}"#))
        .await
        .map_err(err)?;
    let update =
        Statement::new("UPDATE audit_events SET detail = '{}' WHERE site_id = ?1", vec![site.into()]);
    match store.exec.batch(vec![update]).await {
        Err(StoreError::Backend(m)) if m.contains("append-only") => {}
        other => return Err(format!("UPDATE: {other:?}")),
    }
    let delete = Statement::new("DELETE FROM audit_events WHERE site_id = ?1", vec![site.into()]);
    match store.exec.batch(vec![delete]).await {
        Err(StoreError::Backend(m)) if m.contains("append-only") => {}
        other => return Err(format!("DELETE: {other:?}")),
    }
    check(verified(store, site).await? == 1, "the entry is still there, unchanged")
}

pub(super) async fn audit_pages_filter_and_page_backwards<S: Store>(store: &S, site: &str) -> CaseResult {
    let rows = [
        ("admin_key", "audience_exported", "2026-11-01T09:00:00.000Z"),
        ("key:ck_1234", "subjects_checked", "2026-11-02T09:00:00.000Z"),
        ("admin_key", "subject_erased", "2026-11-03T09:00:00.000Z"),
        ("admin_key", "audience_exported", "2026-11-04T09:00:00.000Z"),
        ("system", "purged", "2026-11-05T09:00:00.000Z"),
    ];
    for (actor, kind, at) in rows {
        append(store, entry(site, actor, kind, at, "{}")).await.map_err(err)?;
    }
    let seqs = |filter: AuditFilter, limit: u32| async move {
        let page = store.audit_page(site, &filter, limit).await.map_err(err)?;
        Ok::<Vec<i64>, String>(page.iter().map(|r| r.record.seq).collect())
    };
    let all = AuditFilter::default();
    check(seqs(all.clone(), 10).await? == [5, 4, 3, 2, 1], "newest first")?;
    check(seqs(all.clone(), 2).await? == [5, 4], "first page")?;
    check(seqs(AuditFilter { before: Some(4), ..all.clone() }, 2).await? == [3, 2], "second page")?;
    let admin = AuditFilter { actor: Some("admin_key".into()), ..all.clone() };
    check(seqs(admin, 10).await? == [4, 3, 1], "by actor")?;
    let exports = AuditFilter { kind: Some("audience_exported".into()), ..all.clone() };
    check(seqs(exports, 10).await? == [4, 1], "by kind")?;
    let window = AuditFilter {
        since: Some("2026-11-02T00:00:00.000Z".into()),
        until: Some("2026-11-04T23:59:59.999Z".into()),
        ..all.clone()
    };
    check(seqs(window, 10).await? == [4, 3, 2], "by time")?;
    let other_site = AuditFilter::default();
    let elsewhere = store.audit_page(&format!("{site}-other"), &other_site, 10).await.map_err(err)?;
    check(elsewhere.is_empty(), "another site's trail is its own")
}

/// Counts add up per (site, day, actor); a finished day becomes one trail entry, once.
pub(super) async fn check_counts_add_up_and_are_summarised_once<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let count = |day: &str, actor: &str, checks: i64| CheckCount {
        site: site.into(),
        day: day.into(),
        actor_type: "api_key".into(),
        actor: actor.into(),
        checks,
    };
    store.count_subject_checks(&count("2026-11-23", "key:ck_1", 3)).await.map_err(err)?;
    store.count_subject_checks(&count("2026-11-23", "key:ck_1", 997)).await.map_err(err)?;
    store.count_subject_checks(&count("2026-11-24", "key:ck_1", 5)).await.map_err(err)?;
    let finished: Vec<CheckCount> = store
        .finished_check_counts("2026-11-24", 100)
        .await
        .map_err(err)?
        .into_iter()
        .filter(|c| c.site == site)
        .collect();
    check(finished == [count("2026-11-23", "key:ck_1", 1000)], &format!("finished days: {finished:?}"))?;
    let summary = |n: i64| {
        let mut e = entry(site, "key:ck_1", "subjects_checked", NOW, &format!(r#"{{"checks":{n}}}"#));
        e.actor_type = "api_key".into();
        e
    };
    for _ in 0..2 {
        // The second pass works from the same (now stale) count: it must write nothing.
        let mut record = summary(1000);
        let head = store.audit_head(site).await.map_err(err)?;
        record.seq = head.seq + 1;
        let link = record.link(KEY, &head);
        store.summarise_check_count(&finished[0], &record, &link).await.map_err(err)?;
    }
    check(store.audit_head(site).await.map_err(err)?.seq == 1, "one summary entry")?;
    let left = store.finished_check_counts("2026-11-25", 100).await.map_err(err)?;
    let left: Vec<_> = left.into_iter().filter(|c| c.site == site).map(|c| (c.day, c.checks)).collect();
    check(left == [("2026-11-24".to_string(), 5)], &format!("counts left: {left:?}"))?;
    check(verified(store, site).await? == 1, "the summary is chained")
}

/// Where each id stands, in the order asked, one row per id known or not; and the audience
/// count agrees with the audience.
pub(super) async fn subject_standings_follow_the_audience<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let granted = record(store, &config, "yes@example.org", Action::Granted, "g").await?;
    let withdrawn = record(store, &config, "no@example.org", Action::Withdrawn, "w").await?;
    let suppressed = record(store, &config, "stop@example.org", Action::Granted, "s").await?;
    store.suppress(site, &suppressed, "complaint", NOW).await.map_err(err)?;
    let restricted = record(store, &config, "pause@example.org", Action::Granted, "r").await?;
    store.set_restricted(site, &restricted, true, NOW).await.map_err(err)?;
    let unknown =
        subject_id(b"contract-key", site, &consent_shared::email::Email::parse("who@example.org").unwrap());
    let ids = vec![unknown.clone(), granted.clone(), withdrawn, suppressed, restricted];
    let standings = store.subject_standings(site, "news", Channel::Email, &ids).await.map_err(err)?;
    let seen: Vec<String> = standings
        .iter()
        .map(|s| {
            format!(
                "{:?} suppressed={} restricted={} email={}",
                s.action,
                s.suppressed_at.is_some(),
                s.restricted,
                s.has_email
            )
        })
        .collect();
    let expected = [
        "None suppressed=false restricted=false email=false",
        "Some(Granted) suppressed=false restricted=false email=true",
        "Some(Withdrawn) suppressed=false restricted=false email=true",
        "Some(Granted) suppressed=true restricted=false email=true",
        "Some(Granted) suppressed=false restricted=true email=true",
    ];
    check(seen == expected, &format!("standings: {seen:#?}"))?;
    check(standings.iter().map(|s| &s.given).eq(ids.iter()), "in the order given")?;
    check(standings[1].since.as_deref() == Some(NOW), "since: when the consent was recorded")?;
    let count = store
        .audience_count(site, "news", Channel::Email, crate::store::AudienceFilter::ConsentOrSoftOptIn)
        .await
        .map_err(err)?;
    check(count == 1, &format!("audience count {count}"))
}
