//! Contract cases for tamper evidence: append marks, the order sealing reads unsealed rows in,
//! the audit read, cookie decisions once per Idempotency-Key, the cookie chain and anchored links.

use super::*;
use crate::store::chain::AuditCursor;

pub(super) async fn append_marks_are_stored_with_events<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let mut plan = plan_for(&config, "ada@example.org", "m");
    plan.mark(KEY);
    store.record_submission(&plan, None).await.map_err(err)?;
    let rows = store.unsealed_events(site, 0, 100).await.map_err(err)?;
    check(rows.len() == 1, "one event")?;
    let row = &rows[0];
    check(row.mark.as_ref() == plan.marks.first(), &format!("stored mark {:?}", row.mark))?;
    check(row.submitted_subject.as_deref() == Some(plan.subject.as_str()), "submitted subject")?;
    check(row.subject_resolves && !row.legacy, "resolves, not legacy")?;
    check(row.problem(KEY).is_none(), &format!("mark problem {:?}", row.problem(KEY)))?;
    check(row.problem(b"another-key-0123456789abcdef0123").is_some(), "mark holds under another key")
}

pub(super) async fn unmarked_rows_show_in_write_order_for_sealing_to_stop_at<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    for (email, marked) in [("a@example.org", true), ("b@example.org", false), ("c@example.org", true)] {
        let mut plan = plan_for(&config, email, email);
        if marked {
            plan.mark(KEY);
        }
        store.record_submission(&plan, None).await.map_err(err)?;
    }
    let rows = store.unsealed_events(site, 0, 100).await.map_err(err)?;
    let problems: Vec<_> = rows.iter().map(|r| r.problem(KEY).is_some()).collect();
    check(problems == [false, true, false], &format!("problems {problems:?}"))?;
    check(rows.windows(2).all(|w| w[0].pos < w[1].pos), "write order")?;
    // Sealing the marked prefix leaves the unmarked row first in line.
    let first = [rows[0].event.clone()];
    store.append_links(&seal(KEY, &ChainHead::genesis(), &first), NOW).await.map_err(err)?;
    let rest = store.unsealed_events(site, 0, 100).await.map_err(err)?;
    check(rest.len() == 2 && rest[0].problem(KEY).is_some(), "the unmarked row is next")?;
    let after = store.unsealed_events(site, rest[0].pos, 100).await.map_err(err)?;
    check(after.len() == 1 && after[0].problem(KEY).is_none(), "paging past it")
}

pub(super) async fn audit_reads_events_in_state_key_order_with_state<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    for (email, tag) in [("b@example.org", "1"), ("a@example.org", "2"), ("b@example.org", "3")] {
        let mut plan = plan_for(&config, email, tag);
        plan.mark(KEY);
        store.record_submission(&plan, None).await.map_err(err)?;
    }
    let mut seen = Vec::new();
    let mut cursor = AuditCursor::start();
    loop {
        let page = store.audit_events(site, &cursor, 2).await.map_err(err)?;
        for row in &page {
            check(row.state_action == Some(Action::Granted), "state joined")?;
            check(row.link_version.is_none(), "nothing sealed")?;
            seen.push((row.marked.event.subject.clone(), row.marked.pos));
        }
        match page.last() {
            Some(last) if page.len() == 2 => cursor = AuditCursor::after(&last.marked),
            _ => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    check(seen.len() == 3 && seen == sorted, &format!("order {seen:?}"))?;
    check(store.state_without_events(site, 10).await.map_err(err)?.is_empty(), "every state has events")
}

pub(super) fn cookie_fixture(site: &str, id: &str) -> CookieConsentRecord {
    CookieConsentRecord {
        id: format!("{site}-{id}"),
        site_id: site.into(),
        consent_id: "0b7c1f0e-1111-4222-8333-944445555666".into(),
        categories: vec!["analytics".into()],
        policy_version: 1,
        wording_sha256: sha256_hex(BANNER.as_bytes()),
        choice: CookieChoice::Custom,
        reject_on_first_layer: true,
        gpc: false,
        server_time: NOW.into(),
        client_time: None,
        user_agent: None,
        ip_truncated: None,
        rule_set: None,
    }
}

pub(super) async fn cookie_decisions_are_stored_once_per_key<S: Store>(store: &S, site: &str) -> CaseResult {
    let first = cookie_fixture(site, "c1");
    let retry = cookie_fixture(site, "c2");
    store.record_cookie_consent(&first, Some("m1"), Some("key-1")).await.map_err(err)?;
    match store.record_cookie_consent(&retry, Some("m2"), Some("key-1")).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("expected Conflict, got {other:?}")),
    }
    // Without a key, nothing is deduplicated (older widgets).
    store.record_cookie_consent(&cookie_fixture(site, "c3"), None, None).await.map_err(err)?;
    store.record_cookie_consent(&cookie_fixture(site, "c4"), None, None).await.map_err(err)?;
    let by_key = store.cookie_consent_by_key(site, "key-1").await.map_err(err)?;
    check(by_key.as_ref() == Some(&first), &format!("by key {by_key:?}"))?;
    check(store.cookie_consent_by_key(site, "key-2").await.map_err(err)?.is_none(), "other key")?;
    let stored = store.cookie_consents(site, &first.consent_id).await.map_err(err)?;
    check(stored.len() == 3, &format!("{} stored", stored.len()))
}

pub(super) async fn cookie_chain_links_once_and_anchors_read_back<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let records = [cookie_fixture(site, "c1"), cookie_fixture(site, "c2")];
    for r in &records {
        let mark = consent_shared::chain::cookie_mark(KEY, r);
        store.record_cookie_consent(r, Some(&mark), None).await.map_err(err)?;
    }
    let pending = store.unsealed_cookies(site, 100).await.map_err(err)?;
    check(pending.len() == 2 && pending.iter().all(|p| p.problem(KEY).is_none()), "two marked")?;
    // Not yet sealed is not "unchained": sealing will reach them.
    let unchained = store.unchained_cookies(site, 100).await.map_err(err)?;
    check(unchained.is_empty(), &format!("unchained before sealing {unchained:?}"))?;
    let items: Vec<_> = pending.iter().map(|p| p.record.clone()).collect();
    let links = consent_shared::chain::seal_cookies(KEY, &ChainHead::genesis(), &items);
    store.append_cookie_links(&links, NOW).await.map_err(err)?;
    match store.append_cookie_links(&links, NOW).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("expected Conflict, got {other:?}")),
    }
    check(store.unsealed_cookies(site, 100).await.map_err(err)?.is_empty(), "nothing left")?;
    let head = store.cookie_chain_head(site).await.map_err(err)?;
    check(head.seq == 2 && head.hash == links[1].hash, "cookie head")?;
    let chained = store.cookie_chained_after(site, 0, 100).await.map_err(err)?;
    let mut verifier = ChainVerifier::new(KEY, ChainKind::Cookies);
    for c in &chained {
        let item = c.record.as_ref().map(|r| SealedItem::cookie(r, c.marked));
        verifier.check(&c.link, item.as_ref()).map_err(|b| format!("broken at {}: {}", b.seq, b.reason))?;
    }
    check(verifier.checked == 2, "two checked")?;
    let unchained = store.unchained_cookies(site, 100).await.map_err(err)?;
    check(unchained.is_empty(), &format!("unchained after sealing {unchained:?}"))?;
    let anchored = store.anchored_links(site, 0, 2).await.map_err(err)?;
    check(anchored == (None, Some(links[1].hash.clone())), &format!("anchored {anchored:?}"))
}
