//! Contract cases for issue 13: the lawful-basis fields of a site round-trip, the state rule for
//! soft opt-in (never over consent, a withdrawal or an objection), suppression refusing a soft
//! opt-in, audiences by basis, and the evidence on events and cookie decisions.

use consent_shared::basis::{CookieBasis, LawfulBasis, RegionRules, RuleSet, SupportContext};
use consent_shared::consent::Action;
use consent_shared::site::{Channel, SiteConfig};

use super::{check, err, plan_for, record, sample_site, CaseResult, NOW};
use crate::store::{AudienceFilter, Store, StoreError};

/// The sample site as a charity: `news` on email rests on the soft opt-in (its wording gains a
/// refusal label), and the analytics category is a statistics one; EU rules everywhere outside
/// the UK.
pub(super) fn charity_site(id: &str) -> SiteConfig {
    let mut site = sample_site(id);
    site.organisation.charity_number = Some("SC012345".into());
    site.purposes[0].basis = LawfulBasis::CharitySoftOptIn;
    site.purposes[0].furthers_charitable_purposes = true;
    site.purposes[0].wordings[0].refusal = Some("I don't want these emails".into());
    site.cookie_categories[1].basis = CookieBasis::Statistics;
    site.region_rules = RegionRules { uk: RuleSet::Uk, eea: RuleSet::Eu, other: RuleSet::Eu };
    site
}

pub(super) async fn lawful_basis_fields_round_trip<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = charity_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing after put")?;
    check(read == config, &format!("read back {read:?}\nexpected {config:?}"))
}

/// Soft opt-in is in force like a grant, never replaces consent, a withdrawal or an objection,
/// and carries its collection evidence; suppression refuses it as it refuses a grant.
pub(super) async fn soft_opt_in_state_and_evidence<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = charity_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let mut plan = plan_for(&config, "ada@example.org", "s");
    for e in &mut plan.events {
        e.action = Action::SoftOptIn;
        e.support_context = Some(SupportContext::Donation);
        e.direct_from_person = Some(true);
    }
    store.record_submission(&plan, None).await.map_err(err)?;
    let subject = plan.subject.clone();
    let events = store.subject_events(site, &subject).await.map_err(err)?;
    check(events == plan.events, &format!("events read back {events:?}"))?;
    let state = || async { store.current_consents(site, &subject).await.map(|s| s[0].action) };
    check(state().await.map_err(err)? == Action::SoftOptIn, "soft opt-in is the state")?;
    record(store, &config, "ada@example.org", Action::Objected, "o").await?;
    record(store, &config, "ada@example.org", Action::SoftOptIn, "s2").await?;
    check(state().await.map_err(err)? == Action::Objected, "an objection stays over a later soft opt-in")?;
    record(store, &config, "ada@example.org", Action::Granted, "g").await?;
    record(store, &config, "ada@example.org", Action::SoftOptIn, "s3").await?;
    check(state().await.map_err(err)? == Action::Granted, "consent stays over a later soft opt-in")?;
    let suppressed = record(store, &config, "bob@example.org", Action::Objected, "b").await?;
    store.suppress(site, &suppressed, "test", NOW).await.map_err(err)?;
    match record(store, &config, "bob@example.org", Action::SoftOptIn, "b2").await {
        Err(e) if e == StoreError::Suppressed.to_string() => Ok(()),
        other => Err(format!("a suppressed subject was soft opted in: {other:?}")),
    }
}

pub(super) async fn audiences_by_basis<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = charity_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let agreed = record(store, &config, "agreed@example.org", Action::Granted, "1").await?;
    let soft = record(store, &config, "soft@example.org", Action::SoftOptIn, "2").await?;
    let objected = record(store, &config, "objected@example.org", Action::SoftOptIn, "3").await?;
    record(store, &config, "objected@example.org", Action::Objected, "4").await?;
    let list = |filter| async move {
        let page = store.audience_page(site, "news", Channel::Email, filter, "", 100).await?;
        Ok::<_, StoreError>(page.into_iter().map(|m| (m.subject, m.basis)).collect::<Vec<_>>())
    };
    let mut both = vec![
        (agreed.clone(), Some(LawfulBasis::Consent)),
        (soft.clone(), Some(LawfulBasis::CharitySoftOptIn)),
    ];
    both.sort_by(|a, b| a.0.cmp(&b.0));
    check(list(AudienceFilter::ConsentOrSoftOptIn).await.map_err(err)? == both, "consent and soft opt-in")?;
    check(
        list(AudienceFilter::Consent).await.map_err(err)? == [(agreed.clone(), Some(LawfulBasis::Consent))],
        "consent only",
    )?;
    check(
        list(AudienceFilter::SoftOptIn).await.map_err(err)?
            == [(soft.clone(), Some(LawfulBasis::CharitySoftOptIn))],
        "soft opt-in only",
    )?;
    // Everyone held who has not objected (what legitimate interests for post reads).
    let held: Vec<String> =
        list(AudienceFilter::HeldNotObjected).await.map_err(err)?.into_iter().map(|m| m.0).collect();
    check(
        held.contains(&agreed) && held.contains(&soft) && !held.contains(&objected),
        &format!("held {held:?}"),
    )
}
