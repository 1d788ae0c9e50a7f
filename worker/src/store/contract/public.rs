//! Contract cases for issue 9's public-endpoint rules: the state rule for unconfirmed forms, the
//! answer kept for a request that recorded nothing, and cookie category texts as versions.

use consent_shared::consent::Action;
use consent_shared::site::CategoryText;

use super::{check, err, plan_for, record, sample_site, CaseResult, NOW};
use crate::store::{Store, StoreError, StoredResponse};

/// A `pending` (an unconfirmed double opt-in form) never replaces a `granted` in the current
/// state, so a subscriber who fills in the form again stays in the audience; after a withdrawal
/// it does take effect (the person is asked to confirm again).
pub(super) async fn pending_never_replaces_granted<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "ada@example.org", Action::Granted, "g").await?;
    record(store, &config, "ada@example.org", Action::Pending, "p").await?;
    let state = store.current_consents(site, &subject).await.map_err(err)?;
    check(state.len() == 1 && state[0].action == Action::Granted, &format!("after pending: {state:?}"))?;
    check(store.subject_events(site, &subject).await.map_err(err)?.len() == 2, "the pending event is kept")?;
    record(store, &config, "ada@example.org", Action::Withdrawn, "w").await?;
    record(store, &config, "ada@example.org", Action::Pending, "q").await?;
    let state = store.current_consents(site, &subject).await.map_err(err)?;
    check(state[0].action == Action::Pending, &format!("after withdrawal and pending: {state:?}"))
}

/// A public form for a suppressed address records nothing but keeps its answer, so a retry with
/// the same Idempotency-Key replays it; the key cannot be taken twice.
pub(super) async fn answer_without_events_is_kept<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let answer = StoredResponse { request_mac: "r".into(), status: 201, body: "{}".into() };
    store.keep_answer(site, "k1", &answer, NOW).await.map_err(err)?;
    let kept = store.idempotent_response(site, "k1").await.map_err(err)?;
    check(kept.as_ref() == Some(&answer), &format!("kept {kept:?}"))?;
    match store.keep_answer(site, "k1", &answer, NOW).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("second keep_answer: expected Conflict, got {other:?}")),
    }
    // A submission reusing the key writes nothing either.
    let plan = plan_for(&config, "ada@example.org", "k");
    match store.record_submission(&plan, Some(("k1", &answer))).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("submission under a kept key: expected Conflict, got {other:?}")),
    }
    check(store.subject_events(site, &plan.subject).await.map_err(err)?.is_empty(), "nothing written")
}

/// Cookie category texts are never replaced: a changed text is a new version, the same text adds
/// nothing, and the site shows the highest version of each language it still has.
pub(super) async fn cookie_category_texts_are_versions<S: Store>(store: &S, site: &str) -> CaseResult {
    let first = sample_site(site);
    store.put_site(&first, "2026-11-24T10:00:00.000Z").await.map_err(err)?;
    let mut second = first.clone();
    second.cookie_categories[1].texts[0].description = "Count visits, anonymously.".into();
    second.cookie_categories[1].texts.push(CategoryText {
        lang: "cy".into(),
        label: "Dadansoddi".into(),
        description: "Cyfrif ymweliadau.".into(),
    });
    store.put_site(&second, "2026-11-24T11:00:00.000Z").await.map_err(err)?;
    store.put_site(&second, "2026-11-24T12:00:00.000Z").await.map_err(err)?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing")?;
    check(read.cookie_categories == second.cookie_categories, &format!("current texts {read:?}"))?;
    // Back to the first text: a third version (a decision made meanwhile saw the second).
    store.put_site(&first, "2026-11-24T13:00:00.000Z").await.map_err(err)?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing")?;
    check(read.cookie_categories == first.cookie_categories, &format!("texts after revert {read:?}"))?;
    let history: Vec<String> = store
        .cookie_category_texts(site)
        .await
        .map_err(err)?
        .iter()
        .map(|t| format!("{} {} v{} {} {}", t.key, t.lang, t.version, t.created_at, t.description))
        .collect();
    let expected = [
        "analytics cy v1 2026-11-24T11:00:00.000Z Cyfrif ymweliadau.",
        "analytics en v1 2026-11-24T10:00:00.000Z Count visits so we can improve the site.",
        "analytics en v2 2026-11-24T11:00:00.000Z Count visits, anonymously.",
        "analytics en v3 2026-11-24T13:00:00.000Z Count visits so we can improve the site.",
        "necessary en v1 2026-11-24T10:00:00.000Z Remember your cookie choice.",
    ];
    check(history == expected, &format!("history {history:#?}"))
}
