//! The do-not-contact list as the console reads and edits it (`SuppressionStore`).

use super::{check, err, record, sample_site, CaseResult, NOW};
use crate::store::Store;
use consent_shared::consent::Action;

/// Added with who and a note, listed newest first, a second add keeps the first reason, and a
/// removal happens only while the reason is the one checked.
pub(super) async fn suppressions_list_add_and_lift_by_reason<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "ada@example.org", Action::Granted, "g").await?;
    let later = "2026-11-24T11:00:00.000Z";
    let added = store.add_suppression(site, &subject, "bounced", "person:p1", Some("hard bounce"), NOW).await;
    check(added.map_err(err)?, "the first add is new")?;
    let again = store.add_suppression(site, &subject, "objection", "person:p2", None, later).await;
    check(!again.map_err(err)?, "a second add is not new")?;
    store.add_suppression(site, "other-subject", "objection", "key:ck_x", None, later).await.map_err(err)?;
    let rows = store.suppression_list(site, 10).await.map_err(err)?;
    let seen: Vec<(&str, &str, Option<&str>)> =
        rows.iter().map(|r| (r.subject.as_str(), r.reason.as_str(), r.added_by.as_deref())).collect();
    check(
        seen == [("other-subject", "objection", Some("key:ck_x")), (&subject, "bounced", Some("person:p1"))],
        &format!("the list, newest first: {seen:?}"),
    )?;
    check(rows[1].note.as_deref() == Some("hard bounce"), "the note")?;
    check(
        store
            .audience_count(
                site,
                "news",
                config.purposes[0].channel,
                crate::store::AudienceFilter::ConsentOrSoftOptIn,
            )
            .await
            .map_err(err)?
            == 0,
        "suppressed: out of the audience",
    )?;
    check(
        !store.remove_suppression(site, "other-subject", "bounced").await.map_err(err)?,
        "an objection stays",
    )?;
    check(store.remove_suppression(site, &subject, "bounced").await.map_err(err)?, "a bounce is lifted")?;
    check(!store.is_suppressed(site, &subject).await.map_err(err)?, "lifted")?;
    check(store.is_suppressed(site, "other-subject").await.map_err(err)?, "kept")?;
    check(store.suppression_list(site, 10).await.map_err(err)?.len() == 1, "one left")
}
