//! The `Store` contract: one suite of behaviours every backend must show. It runs natively
//! against SQLite (`cargo test`) and inside workerd against local D1 (the integration tests call
//! the worker's contract route). Each case works on its own site id, so runs never interfere.

use chrono::DateTime;
use consent_shared::api::v1::{ChosenPurpose, ConsentSubmission};
use consent_shared::basis::CookieBasis;
use consent_shared::consent::Action;
use consent_shared::consent::{CookieChoice, CookieConsentRecord};
use consent_shared::digest::sha256_hex;
use consent_shared::ledger::{
    plan_events, seal, submission_choices, submission_provenance, validate_submission, ChainHead, ChainKind,
    ChainVerifier, RequestContext, SealedItem, SubmissionPlan,
};
use consent_shared::site::{
    BannerWording, CategoryText, Channel, ConsentSignal, CookieCategory, Organisation, PurposeChannel,
    SiteConfig, Wording,
};
use consent_shared::subject::subject_id;
use serde::Serialize;

use super::{AudienceFilter, Executor, SqlStore, Store, StoreError, StoredResponse};

#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    pub name: &'static str,
    /// `None` when the case passed.
    pub failure: Option<String>,
}

type CaseResult = Result<(), String>;

macro_rules! run_cases {
    ($store:expr, $prefix:expr; $($case:ident),+ $(,)?) => {{
        let mut outcomes = Vec::new();
        $(
            let site = format!("{}-{}", $prefix, stringify!($case).replace('_', "-"));
            let failure = $case($store, &site).await.err();
            outcomes.push(CaseOutcome { name: stringify!($case), failure });
        )+
        outcomes
    }};
}

pub mod accounts;
mod erasure_and_errors;
pub mod imports;
pub mod register;
pub mod register_erasure;
pub mod review;

use erasure_and_errors::*;

/// Runs every case; `prefix` makes the site ids unique to this run. The store is the SQL one so
/// cases about error classification can run statements that break a rule on purpose.
pub async fn run<E: Executor>(store: &SqlStore<E>, prefix: &str) -> Vec<CaseOutcome> {
    let mut outcomes = ledger_cases(store, prefix).await;
    outcomes.extend(accounts::run(store, prefix).await);
    outcomes.extend(imports::run(store, prefix).await);
    outcomes.extend(register::run(store, prefix).await);
    outcomes.extend(review::run(store, prefix).await);
    outcomes.extend(register_erasure::run(store, prefix).await);
    outcomes
}

async fn ledger_cases<E: Executor>(store: &SqlStore<E>, prefix: &str) -> Vec<CaseOutcome> {
    run_cases!(store, prefix;
        unknown_site_is_none,
        site_round_trips,
        a_created_site_has_its_owner_and_a_taken_id_changes_nothing,
        wordings_are_never_edited,
        empty_chain_starts_at_genesis,
        submission_round_trips_and_verifies,
        racing_sealers_write_one_chain,
        idempotent_answer_is_kept,
        reused_idempotency_key_writes_nothing,
        suppressed_subjects_cannot_be_granted,
        latest_event_sets_current_state,
        audience_is_granted_minus_withdrawn_suppressed_restricted,
        audience_pages_in_subject_order,
        cookie_consents_round_trip,
        erasure_keeps_history_without_the_address,
        erased_addresses_never_come_back,
        a_confirmed_new_address_finds_the_same_subject,
        names_are_corrected_and_cleared,
        suppressed_subjects_cannot_be_pending,
        pending_never_replaces_granted,
        answer_without_events_is_kept,
        cookie_category_texts_are_versions,
        append_marks_are_stored_with_events,
        unmarked_rows_show_in_write_order_for_sealing_to_stop_at,
        audit_reads_events_in_state_key_order_with_state,
        cookie_decisions_are_stored_once_per_key,
        cookie_chain_links_once_and_anchors_read_back,
        erasure_after_another_suppression_holds,
        an_erased_persons_old_confirmation_writes_nothing,
        suppressed_subjects_start_no_address_change,
        idempotency_answers_expire_in_bounded_batches,
        mail_budgets_fold_a_mailbox_and_count_its_domain,
        only_unique_violations_are_conflicts,
        foreign_keys_are_enforced_and_not_conflicts,
        consent_mode_signals_round_trip,
        audit_entries_chain_at_append,
        racing_audit_appends_never_fork,
        audit_rows_are_append_only,
        audit_pages_filter_and_page_backwards,
        check_counts_add_up_and_are_summarised_once,
        subject_standings_follow_the_audience,
        lawful_basis_fields_round_trip,
        soft_opt_in_state_and_evidence,
        audiences_by_basis,
        suppressions_list_add_and_lift_by_reason,
        daily_counters_equal_a_recount,
        retention_settings_round_trip_within_bounds,
        cookie_purges_need_a_checkpoint_and_land_once,
        audit_purges_need_a_checkpoint_and_land_once,
    )
}

mod audit;
use audit::*;
mod lawful_basis;
use lawful_basis::{audiences_by_basis, lawful_basis_fields_round_trip, soft_opt_in_state_and_evidence};

mod retention;
use retention::{
    audit_purges_need_a_checkpoint_and_land_once, cookie_purges_need_a_checkpoint_and_land_once,
    retention_settings_round_trip_within_bounds,
};
mod suppressions;
use suppressions::suppressions_list_add_and_lift_by_reason;
mod public;
mod statistics;
use public::{
    answer_without_events_is_kept, cookie_category_texts_are_versions, pending_never_replaces_granted,
};
use statistics::daily_counters_equal_a_recount;

/// A site like the demo one, under any id.
pub fn sample_site(id: &str) -> SiteConfig {
    let text = "I am happy to hear from the Demo Alumni Association about relevant news, events, \
                offers and opportunities for alumni by email.";
    SiteConfig {
        id: id.to_string(),
        organisation: Organisation {
            name: "Demo Alumni Association".into(),
            contact_email: "alumni@example.org".into(),
            postal_address: "Alumni Office, 1 College Road, Oxbridge OX1 1AA".into(),
            privacy_notice_url: "https://example.org/privacy".into(),
            cookie_policy_url: "https://example.org/cookies".into(),
            charity_number: None,
        },
        allowed_origins: vec!["http://127.0.0.1:8788".into()],
        default_lang: "en".into(),
        policy_version: 1,
        purposes: vec![PurposeChannel {
            purpose: "news".into(),
            channel: Channel::Email,
            current_version: 1,
            wordings: vec![Wording {
                version: 1,
                lang: "en".into(),
                label: "News and events".into(),
                text: text.into(),
                sha256: sha256_hex(text.as_bytes()),
                refusal: None,
            }],
            basis: Default::default(),
            furthers_charitable_purposes: false,
        }],
        cookie_categories: vec![
            CookieCategory {
                key: "necessary".into(),
                required: true,
                texts: vec![CategoryText {
                    lang: "en".into(),
                    label: "Strictly necessary".into(),
                    description: "Remember your cookie choice.".into(),
                }],
                consent_mode: vec![],
                basis: CookieBasis::StrictlyNecessary,
            },
            CookieCategory {
                key: "analytics".into(),
                required: false,
                texts: vec![CategoryText {
                    lang: "en".into(),
                    label: "Analytics".into(),
                    description: "Count visits so we can improve the site.".into(),
                }],
                consent_mode: vec![ConsentSignal::AnalyticsStorage],
                basis: CookieBasis::Consent,
            },
        ],
        banner: vec![BannerWording {
            version: 1,
            lang: "en".into(),
            text: BANNER.into(),
            sha256: sha256_hex(BANNER.as_bytes()),
        }],
        double_opt_in: false,
        region_rules: Default::default(),
    }
}

const NOW: &str = "2026-11-24T10:00:00.000Z";
/// The ledger key the contract seals and marks with.
const KEY: &[u8] = b"contract-ledger-key-0123456789abcdef";
const BANNER: &str = "We use cookies that are strictly necessary, and analytics cookies only if you agree.";

fn plan_for(site: &SiteConfig, email: &str, id_prefix: &str) -> SubmissionPlan {
    let submission = ConsentSubmission {
        email: email.into(),
        consents: vec![ChosenPurpose { purpose: "news".into(), channel: Channel::Email, wording_version: 1 }],
        page_url: "http://127.0.0.1:8788/".into(),
        lang: None,
        client_time: Some("2026-11-24T09:59:59.000Z".into()),
        context: None,
        notices: vec![],
    };
    let email = validate_submission(site, &submission).expect("fixture is valid");
    let subject = subject_id(b"contract-key", &site.id, &email);
    let ctx = RequestContext {
        now: DateTime::parse_from_rfc3339(NOW).unwrap().to_utc(),
        user_agent: Some("contract".into()),
        ip: Some("192.0.2.1".into()),
        gpc: false,
        idempotency_key: None,
        request_origin: Some("http://127.0.0.1:8788".into()),
        fetch_site: Some("cross-site".into()),
    };
    let mut ids = (1..).map(|i| format!("{}-{id_prefix}-{i}", site.id));
    plan_events(
        site,
        Some(email),
        subject,
        &submission_choices(&submission),
        &submission_provenance(site, &submission),
        &ctx,
        &mut ids,
    )
}

/// Writes one event for `email` with `action`.
async fn record<S: Store>(
    store: &S,
    site: &SiteConfig,
    email: &str,
    action: Action,
    tag: &str,
) -> Result<String, String> {
    let mut plan = plan_for(site, email, tag);
    for e in &mut plan.events {
        e.action = action;
    }
    store.record_submission(&plan, None).await.map_err(err)?;
    Ok(plan.subject)
}

fn check(cond: bool, what: &str) -> CaseResult {
    if cond {
        Ok(())
    } else {
        Err(what.to_string())
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn unknown_site_is_none<S: Store>(store: &S, site: &str) -> CaseResult {
    check(store.site(site).await.map_err(err)?.is_none(), "unknown site should be None")
}

async fn site_round_trips<S: Store>(store: &S, site: &str) -> CaseResult {
    let mut config = sample_site(site);
    config.allowed_origins.push("https://members.example.org".into());
    store.put_site(&config, NOW).await.map_err(err)?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing after put")?;
    check(read == config, &format!("read back {read:?}\nexpected {config:?}"))
}

async fn a_created_site_has_its_owner_and_a_taken_id_changes_nothing<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    use super::accounts::NewPerson;
    let config = sample_site(site);
    let key = format!("{site}-creator-key");
    let owner = NewPerson { id: &format!("{site}-creator"), email_key: &key, email: "creator@example.org" };
    store.create_site(&config, &owner, NOW).await.map_err(err)?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing after create")?;
    check(read == config, &format!("read back {read:?}\nexpected {config:?}"))?;
    let person = store.person_by_email_key(&key).await.map_err(err)?.ok_or("creator missing")?;
    let roles = store.memberships_of(&person.id).await.map_err(err)?;
    check(
        roles == vec![(site.to_string(), consent_shared::access::Role::Owner)],
        &format!("creator's roles: {roles:?}"),
    )?;
    // Creating it again (someone else, another name) is refused and writes nothing.
    let mut other = sample_site(site);
    other.organisation.name = "Somebody Else".into();
    let key2 = format!("{site}-other-key");
    let intruder = NewPerson { id: &format!("{site}-other"), email_key: &key2, email: "other@example.org" };
    let again = store.create_site(&other, &intruder, NOW).await;
    check(matches!(again, Err(super::StoreError::Conflict)), &format!("a taken id: {again:?}"))?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing")?;
    check(read == config, "the taken site is unchanged")?;
    check(store.person_by_email_key(&key2).await.map_err(err)?.is_none(), "nobody added")
}

async fn wordings_are_never_edited<S: Store>(store: &S, site: &str) -> CaseResult {
    let original = sample_site(site);
    store.put_site(&original, NOW).await.map_err(err)?;
    let mut edited = original.clone();
    edited.purposes[0].wordings[0].text = "changed".into();
    store.put_site(&edited, NOW).await.map_err(err)?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing")?;
    check(
        read.purposes[0].wordings[0].text == original.purposes[0].wordings[0].text,
        "wording v1 was edited in place",
    )
}

async fn empty_chain_starts_at_genesis<S: Store>(store: &S, site: &str) -> CaseResult {
    check(store.chain_head(site).await.map_err(err)? == ChainHead::genesis(), "empty chain head")
}

async fn submission_round_trips_and_verifies<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let first = plan_for(&config, "ada@example.org", "a");
    store.record_submission(&first, None).await.map_err(err)?;
    let second = plan_for(&config, "bob@example.org", "b");
    store.record_submission(&second, None).await.map_err(err)?;

    let pending = store.pending_events(site, 100).await.map_err(err)?;
    let written: Vec<_> = first.events.iter().chain(&second.events).cloned().collect();
    check(pending == written, &format!("events read back differ:\n{pending:?}\n{written:?}"))?;
    // Seal in two steps: the chain continues from the stored head.
    store.append_links(&seal(KEY, &ChainHead::genesis(), &pending[..1]), NOW).await.map_err(err)?;
    let head = store.chain_head(site).await.map_err(err)?;
    let rest = store.pending_events(site, 100).await.map_err(err)?;
    check(rest == written[1..], "pending after partial seal")?;
    store.append_links(&seal(KEY, &head, &rest), NOW).await.map_err(err)?;
    check(store.pending_events(site, 100).await.map_err(err)?.is_empty(), "nothing pending after sealing")?;

    let chained = store.chained_after(site, 0, 100).await.map_err(err)?;
    let mut verifier = ChainVerifier::new(KEY, ChainKind::Events);
    for c in &chained {
        verifier
            .check(&c.link, c.event.as_ref().map(|e| SealedItem::event(e, c.marked)).as_ref())
            .map_err(|b| format!("chain broken at {}: {}", b.seq, b.reason))?;
    }
    check(verifier.checked == 2 && store.chain_head(site).await.map_err(err)? == *verifier.head(), "head")?;
    check(store.chained_after(site, 1, 100).await.map_err(err)?.len() == 1, "chained_after skips")
}

async fn racing_sealers_write_one_chain<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    store.record_submission(&plan_for(&config, "ada@example.org", "w"), None).await.map_err(err)?;
    // Two sealers read the same head and the same pending events.
    let pending = store.pending_events(site, 100).await.map_err(err)?;
    let links = seal(KEY, &ChainHead::genesis(), &pending);
    store.append_links(&links, NOW).await.map_err(err)?;
    match store.append_links(&links, NOW).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("expected Conflict, got {other:?}")),
    }
    check(store.chained_after(site, 0, 100).await.map_err(err)?.len() == 1, "the loser wrote links")
}

async fn idempotent_answer_is_kept<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let plan = plan_for(&config, "ada@example.org", "i");
    let answer = StoredResponse { request_mac: "abc".into(), status: 201, body: "{\"ok\":1}".into() };
    store.record_submission(&plan, Some(("key-1", &answer))).await.map_err(err)?;
    let read = store.idempotent_response(site, "key-1").await.map_err(err)?;
    check(read.as_ref() == Some(&answer), &format!("stored answer {read:?}"))?;
    check(store.idempotent_response(site, "key-2").await.map_err(err)?.is_none(), "other key")
}

async fn reused_idempotency_key_writes_nothing<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let answer = StoredResponse { request_mac: "abc".into(), status: 201, body: "{}".into() };
    store
        .record_submission(&plan_for(&config, "ada@example.org", "1"), Some(("same", &answer)))
        .await
        .map_err(err)?;
    let second = plan_for(&config, "bob@example.org", "2");
    match store.record_submission(&second, Some(("same", &answer))).await {
        Err(StoreError::Conflict) => {}
        other => return Err(format!("expected Conflict, got {other:?}")),
    }
    check(
        store.pending_events(site, 100).await.map_err(err)?.len() == 1,
        "second submission's event was written",
    )?;
    check(
        store.current_consents(site, &second.subject).await.map_err(err)?.is_empty(),
        "its state was written",
    )
}

async fn suppressed_subjects_cannot_be_granted<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "gone@example.org", Action::Withdrawn, "w").await?;
    store.suppress(site, &subject, "erased", NOW).await.map_err(err)?;
    let plan = plan_for(&config, "gone@example.org", "g");
    match store.record_submission(&plan, None).await {
        Err(StoreError::Suppressed) => {}
        other => return Err(format!("expected Suppressed, got {other:?}")),
    }
    check(store.pending_events(site, 100).await.map_err(err)?.len() == 1, "the grant was written")?;
    // A further withdrawal is still recorded.
    record(store, &config, "gone@example.org", Action::Withdrawn, "w2").await.map(drop)
}

async fn latest_event_sets_current_state<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "ada@example.org", Action::Granted, "g").await?;
    let mut withdrawn = plan_for(&config, "ada@example.org", "x");
    withdrawn.events[0].action = Action::Withdrawn;
    store.record_submission(&withdrawn, None).await.map_err(err)?;
    let state = store.current_consents(site, &subject).await.map_err(err)?;
    check(
        state.len() == 1
            && state[0].action == Action::Withdrawn
            && state[0].event_id == withdrawn.events[0].id,
        &format!("state {state:?}"),
    )
}

async fn audience_is_granted_minus_withdrawn_suppressed_restricted<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    record(store, &config, "stays@example.org", Action::Granted, "1").await?;
    record(store, &config, "withdraws@example.org", Action::Granted, "2").await?;
    record(store, &config, "withdraws@example.org", Action::Withdrawn, "3").await?;
    let suppressed = record(store, &config, "suppressed@example.org", Action::Granted, "4").await?;
    store.suppress(site, &suppressed, "test", NOW).await.map_err(err)?;
    let restricted = record(store, &config, "restricted@example.org", Action::Granted, "5").await?;
    store.set_restricted(site, &restricted, true, NOW).await.map_err(err)?;
    record(store, &config, "regrants@example.org", Action::Withdrawn, "6").await?;
    record(store, &config, "regrants@example.org", Action::Granted, "7").await?;
    let page = store
        .audience_page(site, "news", Channel::Email, AudienceFilter::ConsentOrSoftOptIn, "", 100)
        .await
        .map_err(err)?;
    let mut emails: Vec<_> = page.iter().map(|m| m.email.as_str()).collect();
    emails.sort();
    check(emails == ["regrants@example.org", "stays@example.org"], &format!("audience {emails:?}"))?;
    check(
        store
            .audience_page(site, "news", Channel::Sms, AudienceFilter::ConsentOrSoftOptIn, "", 100)
            .await
            .map_err(err)?
            .is_empty(),
        "other channel",
    )?;
    store.set_restricted(site, &restricted, false, NOW).await.map_err(err)?;
    let page = store
        .audience_page(site, "news", Channel::Email, AudienceFilter::ConsentOrSoftOptIn, "", 100)
        .await
        .map_err(err)?;
    check(page.len() == 3, "lifting the restriction brings the person back")
}

async fn audience_pages_in_subject_order<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    for i in 0..5 {
        record(store, &config, &format!("p{i}@example.org"), Action::Granted, &i.to_string()).await?;
    }
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = store
            .audience_page(site, "news", Channel::Email, AudienceFilter::ConsentOrSoftOptIn, &after, 2)
            .await
            .map_err(err)?;
        check(page.len() <= 2, "page larger than limit")?;
        seen.extend(page.iter().map(|m| m.subject.clone()));
        match page.last() {
            Some(last) if page.len() == 2 => after = last.subject.clone(),
            _ => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    check(seen.len() == 5 && seen == sorted, &format!("paged subjects {seen:?}"))
}

async fn erasure_keeps_history_without_the_address<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "gone@example.org", Action::Granted, "g").await?;
    let before = store.subject_events(site, &subject).await.map_err(err)?;
    check(before.len() == 1, "history before erasure")?;
    let held = store.subject_record(site, &subject).await.map_err(err)?.ok_or("no subject row")?;
    check(held.email.as_deref() == Some("gone@example.org"), "email held before erasure")?;
    store.erase_subject(site, &subject, NOW).await.map_err(err)?;
    let after = store.subject_record(site, &subject).await.map_err(err)?.ok_or("subject row gone")?;
    check(after.email.is_none(), "email still held after erasure")?;
    check(store.subject_events(site, &subject).await.map_err(err)? == before, "history changed")?;
    check(store.is_suppressed(site, &subject).await.map_err(err)?, "not suppressed after erasure")?;
    check(
        store
            .audience_page(site, "news", Channel::Email, AudienceFilter::ConsentOrSoftOptIn, "", 10)
            .await
            .map_err(err)?
            .is_empty(),
        "in audience",
    )?;
    match store.record_submission(&plan_for(&config, "gone@example.org", "again"), None).await {
        Err(StoreError::Suppressed) => Ok(()),
        other => Err(format!("an erased address could sign up again: {other:?}")),
    }
}

async fn erased_addresses_never_come_back<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "gone@example.org", Action::Granted, "g").await?;
    store.set_name(site, &subject, Some("Gone"), NOW).await.map_err(err)?;
    store.erase_subject(site, &subject, NOW).await.map_err(err)?;
    // A withdrawal still goes through (it is evidence), but it must not store the address again.
    record(store, &config, "gone@example.org", Action::Withdrawn, "w").await?;
    let held = store.subject_record(site, &subject).await.map_err(err)?.ok_or("subject row gone")?;
    check(held.email.is_none() && held.name.is_none(), &format!("erased details came back: {held:?}"))
}

async fn a_confirmed_new_address_finds_the_same_subject<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "old@example.org", Action::Granted, "g").await?;
    let new = consent_shared::email::Email::parse("new@example.org").map_err(err)?;
    let alias = subject_id(b"contract-key", site, &new);
    store.request_email_change(site, &subject, &new, &alias, NOW).await.map_err(err)?;
    let before = store.subject_record(site, &subject).await.map_err(err)?.ok_or("no row")?;
    check(before.email.as_deref() == Some("old@example.org"), "changed before confirmation")?;
    let applied = store.apply_email_change(site, &subject, &alias, NOW).await.map_err(err)?;
    check(applied.as_deref() == Some("new@example.org"), &format!("applied {applied:?}"))?;
    check(
        store.apply_email_change(site, &subject, &alias, NOW).await.map_err(err)?.is_none(),
        "applied twice",
    )?;
    check(store.resolve_subject(site, &alias).await.map_err(err)? == subject, "alias does not resolve")?;
    // A submission under the new address's id lands on the original subject, with no read first.
    let via_alias = record(store, &config, "new@example.org", Action::Withdrawn, "w").await?;
    check(via_alias == alias, "fixture: the plan carries the alias")?;
    let state = store.current_consents(site, &subject).await.map_err(err)?;
    check(state.len() == 1 && state[0].action == Action::Withdrawn, &format!("state {state:?}"))?;
    check(store.subject_record(site, &alias).await.map_err(err)?.is_none(), "a second subject row")?;
    check(store.subject_events(site, &subject).await.map_err(err)?.len() == 2, "history not on the subject")?;
    // The old address no longer overwrites the corrected one.
    record(store, &config, "old@example.org", Action::Granted, "g2").await?;
    let after = store.subject_record(site, &subject).await.map_err(err)?.ok_or("no row")?;
    check(after.email.as_deref() == Some("new@example.org"), &format!("correction undone: {after:?}"))
}

async fn names_are_corrected_and_cleared<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = record(store, &config, "named@example.org", Action::Granted, "g").await?;
    store.set_name(site, &subject, Some("Ada O'Neil"), NOW).await.map_err(err)?;
    let named = store.subject_record(site, &subject).await.map_err(err)?.ok_or("no row")?;
    check(named.name.as_deref() == Some("Ada O'Neil"), "name not stored")?;
    store.set_name(site, &subject, None, NOW).await.map_err(err)?;
    let cleared = store.subject_record(site, &subject).await.map_err(err)?.ok_or("no row")?;
    check(cleared.name.is_none(), "name not cleared")
}

async fn suppressed_subjects_cannot_be_pending<S: Store>(store: &S, site: &str) -> CaseResult {
    let config = sample_site(site);
    store.put_site(&config, NOW).await.map_err(err)?;
    let subject = subject_id(
        b"contract-key",
        site,
        &consent_shared::email::Email::parse("no@example.org").map_err(err)?,
    );
    store.suppress(site, &subject, "test", NOW).await.map_err(err)?;
    match record(store, &config, "no@example.org", Action::Pending, "p").await {
        Err(e) if e.contains("suppressed") => Ok(()),
        other => Err(format!("a suppressed subject was asked to confirm: {other:?}")),
    }
}

async fn cookie_consents_round_trip<S: Store>(store: &S, site: &str) -> CaseResult {
    let record = CookieConsentRecord {
        id: format!("{site}-c1"),
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
        user_agent: Some("contract".into()),
        ip_truncated: Some("192.0.2.0/24".into()),
        rule_set: None,
    };
    store.record_cookie_consent(&record, None, None).await.map_err(err)?;
    let read = store.cookie_consents(site, &record.consent_id).await.map_err(err)?;
    check(read == [record], &format!("read back {read:?}"))
}

mod evidence;
use evidence::*;

/// Each category's Consent Mode signals are stored in the order given, replaced on the next
/// definition, and a category declaring none reads back with none.
async fn consent_mode_signals_round_trip<S: Store>(store: &S, site: &str) -> CaseResult {
    let mut config = sample_site(site);
    config.cookie_categories[1].key = "statistics".into();
    config.cookie_categories.push(CookieCategory {
        key: "marketing".into(),
        required: false,
        texts: config.cookie_categories[1].texts.clone(),
        consent_mode: vec![
            ConsentSignal::AdPersonalization,
            ConsentSignal::AdStorage,
            ConsentSignal::AdUserData,
        ],
        basis: CookieBasis::Consent,
    });
    store.put_site(&config, NOW).await.map_err(err)?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing after put")?;
    check(read == config, &format!("read back {read:?}\nexpected {config:?}"))?;
    config.cookie_categories[2].consent_mode.clear();
    store.put_site(&config, NOW).await.map_err(err)?;
    let read = store.site(site).await.map_err(err)?.ok_or("site missing after second put")?;
    check(read.cookie_categories[2].consent_mode.is_empty(), "signals not replaced by the new definition")
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteExecutor;
    use crate::store::SqlStore;

    #[test]
    fn sqlite_meets_the_store_contract() {
        let store = SqlStore::new(SqliteExecutor::open_in_memory().unwrap());
        let outcomes = pollster::block_on(run(&store, "native"));
        let failures: Vec<_> = outcomes.iter().filter(|o| o.failure.is_some()).collect();
        assert!(failures.is_empty(), "{failures:#?}");
        assert_eq!(
            outcomes.len(),
            49 + accounts::CASES + imports::CASES + register::CASES + register_erasure::CASES + review::CASES
        );
    }
}
