//! Contract cases for issue 11's accounts: people and roles (a site keeps an owner), sessions
//! (idle, absolute, revoked), single-use sign-in links, and API keys.

use consent_shared::access::{Role, Scope};

use super::{check, err, sample_site, CaseOutcome, CaseResult, NOW};
use crate::store::accounts::{NewKey, NewPerson, Redeemed, SessionLimits};
use crate::store::{Executor, SqlStore, Store, StoreError};

/// How many cases `run` runs (the native test counts them all).
pub const CASES: usize = 5;

pub async fn run<E: Executor>(store: &SqlStore<E>, prefix: &str) -> Vec<CaseOutcome> {
    run_cases!(store, prefix;
        people_have_one_role_per_site_and_a_site_keeps_an_owner,
        removing_or_lowering_ends_sessions,
        sign_in_links_work_once_and_expire,
        sessions_end_when_idle_old_or_revoked,
        api_keys_round_trip_and_revoke,
    )
}

/// A person unique to this case's site (email keys are global, sites are per case).
fn person<'a>(site: &str, name: &str, buf: &'a mut Vec<String>) -> NewPerson<'a> {
    buf.clear();
    buf.push(format!("{site}-{name}"));
    buf.push(format!("key-{site}-{name}"));
    buf.push(format!("{name}@{site}.example.org"));
    NewPerson { id: &buf[0], email_key: &buf[1], email: &buf[2] }
}

async fn add<S: Store>(store: &S, site: &str, name: &str, role: Role) -> Result<String, String> {
    let mut buf = Vec::new();
    store.add_member(&person(site, name, &mut buf), site, role, NOW).await.map_err(err)
}

const LATER: &str = "2026-11-24T10:30:00.000Z";

fn limits(now: &'static str) -> SessionLimits<'static> {
    SessionLimits { now, idle_since: "2026-11-24T02:00:00.000Z", absolute_since: "2026-11-23T10:00:00.000Z" }
}

async fn people_have_one_role_per_site_and_a_site_keeps_an_owner<S: Store>(
    store: &S,
    site: &str,
) -> CaseResult {
    store.put_site(&sample_site(site), NOW).await.map_err(err)?;
    let ada = add(store, site, "ada", Role::Owner).await?;
    let bob = add(store, site, "bob", Role::Viewer).await?;
    let mut buf = Vec::new();
    let again = store.add_member(&person(site, "bob", &mut buf), site, Role::Dpo, NOW).await;
    check(matches!(again, Err(StoreError::Conflict)), &format!("a second role is a conflict: {again:?}"))?;
    let members = store.members(site).await.map_err(err)?;
    let roles: Vec<(String, Role)> = members.iter().map(|m| (m.person_id.clone(), m.role)).collect();
    check(
        roles == vec![(ada.clone(), Role::Owner), (bob.clone(), Role::Viewer)],
        &format!("members: {roles:?}"),
    )?;
    let lowered = store.set_role(site, &ada, Role::Dpo, true, LATER).await;
    check(matches!(lowered, Err(StoreError::LastOwner)), &format!("last owner lowered: {lowered:?}"))?;
    let removed = store.remove_member(site, &ada, LATER).await;
    check(matches!(removed, Err(StoreError::LastOwner)), &format!("last owner removed: {removed:?}"))?;
    // With a second owner, the first may go.
    store.set_role(site, &bob, Role::Owner, false, LATER).await.map_err(err)?;
    store.remove_member(site, &ada, LATER).await.map_err(err)?;
    check(store.member(site, &ada).await.map_err(err)?.is_none(), "ada removed")?;
    let bob_sites = store.memberships_of(&bob).await.map_err(err)?;
    check(bob_sites == vec![(site.to_string(), Role::Owner)], &format!("bob's sites: {bob_sites:?}"))?;
    // Making an owner is idempotent and finds the same person by address.
    let again = store.make_owner(&person(site, "bob", &mut buf), site, LATER).await.map_err(err)?;
    check(again == bob, "make_owner finds the existing person")
}

async fn removing_or_lowering_ends_sessions<S: Store>(store: &S, site: &str) -> CaseResult {
    store.put_site(&sample_site(site), NOW).await.map_err(err)?;
    add(store, site, "owner", Role::Owner).await?;
    let dpo = add(store, site, "dpo", Role::Dpo).await?;
    let link = format!("{site}-link");
    let session = format!("{site}-session");
    store.create_sign_in_link(&link, &dpo, NOW, LATER).await.map_err(err)?;
    let redeemed = store.redeem_sign_in_link(&link, &session, NOW).await.map_err(err)?;
    check(redeemed == Redeemed::Session { person_id: dpo.clone() }, &format!("{redeemed:?}"))?;
    // Raising a role keeps the session.
    store.set_role(site, &dpo, Role::Owner, false, NOW).await.map_err(err)?;
    check(store.touch_session(&session, limits(NOW)).await.map_err(err)?.is_some(), "kept after raise")?;
    store.set_role(site, &dpo, Role::Editor, true, NOW).await.map_err(err)?;
    check(store.touch_session(&session, limits(NOW)).await.map_err(err)?.is_none(), "ended by lowering")?;
    let link2 = format!("{site}-link2");
    let session2 = format!("{site}-session2");
    store.create_sign_in_link(&link2, &dpo, NOW, LATER).await.map_err(err)?;
    store.redeem_sign_in_link(&link2, &session2, NOW).await.map_err(err)?;
    store.remove_member(site, &dpo, NOW).await.map_err(err)?;
    check(store.touch_session(&session2, limits(NOW)).await.map_err(err)?.is_none(), "ended by removal")?;
    // A removed person's unused link starts nothing.
    let link3 = format!("{site}-link3");
    store.create_sign_in_link(&link3, &dpo, NOW, LATER).await.map_err(err)?;
    let redeemed = store.redeem_sign_in_link(&link3, &format!("{site}-s3"), NOW).await.map_err(err)?;
    check(redeemed == Redeemed::NoAccess { person_id: dpo }, &format!("removed: {redeemed:?}"))
}

async fn sign_in_links_work_once_and_expire<S: Store>(store: &S, site: &str) -> CaseResult {
    store.put_site(&sample_site(site), NOW).await.map_err(err)?;
    let ada = add(store, site, "ada", Role::Owner).await?;
    let link = format!("{site}-link");
    store.create_sign_in_link(&link, &ada, NOW, LATER).await.map_err(err)?;
    let first = store.redeem_sign_in_link(&link, &format!("{site}-s1"), NOW).await.map_err(err)?;
    let second = store.redeem_sign_in_link(&link, &format!("{site}-s2"), NOW).await.map_err(err)?;
    check(first == Redeemed::Session { person_id: ada.clone() }, &format!("first: {first:?}"))?;
    check(second == Redeemed::Used { person_id: ada.clone() }, &format!("second: {second:?}"))?;
    check(
        store.touch_session(&format!("{site}-s2"), limits(NOW)).await.map_err(err)?.is_none(),
        "no 2nd session",
    )?;
    let old = format!("{site}-old");
    store.create_sign_in_link(&old, &ada, NOW, LATER).await.map_err(err)?;
    let late = store.redeem_sign_in_link(&old, &format!("{site}-s3"), LATER).await.map_err(err)?;
    check(late == Redeemed::Expired { person_id: ada }, &format!("at expiry: {late:?}"))?;
    let unknown =
        store.redeem_sign_in_link(&format!("{site}-nope"), &format!("{site}-s4"), NOW).await.map_err(err)?;
    check(unknown == Redeemed::Unknown, &format!("unknown: {unknown:?}"))
}

async fn sessions_end_when_idle_old_or_revoked<S: Store>(store: &S, site: &str) -> CaseResult {
    store.put_site(&sample_site(site), NOW).await.map_err(err)?;
    let ada = add(store, site, "ada", Role::Owner).await?;
    let start = |tag: &str| (format!("{site}-link-{tag}"), format!("{site}-session-{tag}"));
    let mut sessions = Vec::new();
    for tag in ["a", "b", "c"] {
        let (link, session) = start(tag);
        store.create_sign_in_link(&link, &ada, NOW, LATER).await.map_err(err)?;
        store.redeem_sign_in_link(&link, &session, NOW).await.map_err(err)?;
        sessions.push(session);
    }
    // Seen at NOW (10:00); idle limit after it: live, and seen again.
    let live = SessionLimits {
        now: LATER,
        idle_since: "2026-11-24T09:00:00.000Z",
        absolute_since: "2026-11-23T00:00:00.000Z",
    };
    check(
        store.touch_session(&sessions[0], live).await.map_err(err)?.as_deref() == Some(ada.as_str()),
        "live",
    )?;
    let idle = SessionLimits { now: LATER, idle_since: "2026-11-24T10:00:00.000Z", ..live };
    check(store.touch_session(&sessions[1], idle).await.map_err(err)?.is_none(), "idle since 10:00")?;
    // Session a was seen at 10:30: the same idle limit keeps it.
    check(store.touch_session(&sessions[0], idle).await.map_err(err)?.is_some(), "touch moved last seen")?;
    let old = SessionLimits { absolute_since: "2026-11-24T10:00:00.000Z", ..live };
    check(store.touch_session(&sessions[0], old).await.map_err(err)?.is_none(), "absolute limit")?;
    let ended = store.end_session(&sessions[2], LATER).await.map_err(err)?;
    check(ended.as_deref() == Some(ada.as_str()), "end_session names the person")?;
    check(store.touch_session(&sessions[2], live).await.map_err(err)?.is_none(), "signed out")?;
    check(store.end_session(&sessions[2], LATER).await.map_err(err)?.is_none(), "ending twice: nothing")?;
    store.end_sessions_of(&ada, LATER).await.map_err(err)?;
    check(store.touch_session(&sessions[1], live).await.map_err(err)?.is_none(), "everywhere")?;
    // Purges are bounded and take only what is old enough (other cases' rows are at NOW too,
    // so this one purges before NOW and then just after it, counting only its own).
    check(store.purge_sessions(NOW, 100).await.map_err(err)? == 0, "nothing before NOW")?;
    check(store.purge_sign_in_links("2026-11-24T10:15:00.000Z", 100).await.map_err(err)? == 0, "links live")?;
    Ok(())
}

async fn api_keys_round_trip_and_revoke<S: Store>(store: &S, site: &str) -> CaseResult {
    store.put_site(&sample_site(site), NOW).await.map_err(err)?;
    let prefix = format!("{}", site.len()) + &site.replace('-', "");
    let scopes = [Scope::AudienceRead, Scope::AuditRead];
    let key = NewKey {
        prefix: &prefix,
        site,
        name: "CRM",
        secret_hash: "hash",
        scopes: &scopes,
        created_by: "person:p1",
        now: NOW,
        expires_at: Some(LATER),
    };
    store.create_api_key(&key).await.map_err(err)?;
    let again = store.create_api_key(&key).await;
    check(matches!(again, Err(StoreError::Conflict)), "a prefix is unique")?;
    let read = store.api_key(&prefix).await.map_err(err)?.ok_or("key missing")?;
    check(
        read.scopes == scopes && read.site_id == site && read.expires_at.as_deref() == Some(LATER),
        &format!("{read:?}"),
    )?;
    check(read.last_used_at.is_none(), "never used")?;
    store.touch_api_key(&prefix, NOW, "2026-11-24T09:59:00.000Z").await.map_err(err)?;
    store.touch_api_key(&prefix, LATER, "2026-11-24T09:59:00.000Z").await.map_err(err)?;
    let used = store.api_key(&prefix).await.map_err(err)?.ok_or("key missing")?.last_used_at;
    check(used.as_deref() == Some(NOW), &format!("touched once per interval: {used:?}"))?;
    check(
        !store.revoke_api_key("another-site", &prefix, LATER).await.map_err(err)?,
        "other site cannot revoke",
    )?;
    check(store.revoke_api_key(site, &prefix, LATER).await.map_err(err)?, "revoked")?;
    check(!store.revoke_api_key(site, &prefix, LATER).await.map_err(err)?, "revoked once")?;
    let listed = store.api_keys(site).await.map_err(err)?;
    check(listed.len() == 1 && listed[0].revoked_at.as_deref() == Some(LATER), &format!("{listed:?}"))
}
