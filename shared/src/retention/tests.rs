use chrono::{DateTime, Utc};
use expect_test::expect;

use super::*;
use crate::chain::GENESIS_HASH;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn cutoffs_across_month_ends_and_leap_years() {
    let cases = [
        ("2026-12-02T01:00:00Z", 24, 6),
        // 31 March less one month: the end of February (28 days, then 29 in a leap year).
        ("2026-03-31T12:00:00Z", 1, 1),
        ("2028-03-31T12:00:00Z", 1, 1),
        // 29 February less whole years: 28 February in a common year, 29 in a leap year.
        ("2028-02-29T00:00:00Z", 12, 1),
        ("2028-02-29T00:00:00Z", 48, 4),
        // 31 August less 6 months: 28 February; less 60 months: 31 August.
        ("2026-08-31T23:59:59.999Z", 6, 20),
        ("2026-08-31T23:59:59.999Z", 60, 1),
        // Across the year boundary.
        ("2027-01-15T08:30:00Z", 2, 1),
    ];
    let actual: String = cases
        .iter()
        .map(|(now, months, years)| {
            let policy = RetentionPolicy { cookie_decision_months: *months, audit_years: *years };
            let c = cutoffs(&policy, at(now));
            format!(
                "{now} cookies {months}m -> {} | idempotency -> {} | audit {years}y -> {}\n",
                c.cookie_decisions, c.idempotency_answers, c.audit_entries
            )
        })
        .collect();
    expect![[r#"
        2026-12-02T01:00:00Z cookies 24m -> 2024-12-02T01:00:00.000Z | idempotency -> 2026-12-01T01:00:00.000Z | audit 6y -> 2020-12-02T01:00:00.000Z
        2026-03-31T12:00:00Z cookies 1m -> 2026-02-28T12:00:00.000Z | idempotency -> 2026-03-30T12:00:00.000Z | audit 1y -> 2025-03-31T12:00:00.000Z
        2028-03-31T12:00:00Z cookies 1m -> 2028-02-29T12:00:00.000Z | idempotency -> 2028-03-30T12:00:00.000Z | audit 1y -> 2027-03-31T12:00:00.000Z
        2028-02-29T00:00:00Z cookies 12m -> 2027-02-28T00:00:00.000Z | idempotency -> 2028-02-28T00:00:00.000Z | audit 1y -> 2027-02-28T00:00:00.000Z
        2028-02-29T00:00:00Z cookies 48m -> 2024-02-29T00:00:00.000Z | idempotency -> 2028-02-28T00:00:00.000Z | audit 4y -> 2024-02-29T00:00:00.000Z
        2026-08-31T23:59:59.999Z cookies 6m -> 2026-02-28T23:59:59.999Z | idempotency -> 2026-08-30T23:59:59.999Z | audit 20y -> 2006-08-31T23:59:59.999Z
        2026-08-31T23:59:59.999Z cookies 60m -> 2021-08-31T23:59:59.999Z | idempotency -> 2026-08-30T23:59:59.999Z | audit 1y -> 2025-08-31T23:59:59.999Z
        2027-01-15T08:30:00Z cookies 2m -> 2026-11-15T08:30:00.000Z | idempotency -> 2027-01-14T08:30:00.000Z | audit 1y -> 2026-01-15T08:30:00.000Z
    "#]]
    .assert_eq(&actual);
}

#[test]
fn settings_as_data() {
    let cases = [
        ("24", "6"),
        ("1", "1"),
        ("60", "20"),
        (" 12 ", "3"),
        ("0", "6"),
        ("61", "6"),
        ("-1", "6"),
        ("two", "6"),
        ("", ""),
        ("24", "0"),
        ("24", "21"),
        ("1.5", "6"),
        ("99999999999", "6"),
    ];
    let actual: String =
        cases.iter().map(|(m, y)| format!("{m:?} {y:?} -> {:?}\n", RetentionPolicy::parse(m, y))).collect();
    expect![[r#"
        "24" "6" -> Ok(RetentionPolicy { cookie_decision_months: 24, audit_years: 6 })
        "1" "1" -> Ok(RetentionPolicy { cookie_decision_months: 1, audit_years: 1 })
        "60" "20" -> Ok(RetentionPolicy { cookie_decision_months: 60, audit_years: 20 })
        " 12 " "3" -> Ok(RetentionPolicy { cookie_decision_months: 12, audit_years: 3 })
        "0" "6" -> Err([CookieMonthsOutOfRange])
        "61" "6" -> Err([CookieMonthsOutOfRange])
        "-1" "6" -> Err([CookieMonthsOutOfRange])
        "two" "6" -> Err([CookieMonthsNotANumber])
        "" "" -> Err([CookieMonthsNotANumber, AuditYearsNotANumber])
        "24" "0" -> Err([AuditYearsOutOfRange])
        "24" "21" -> Err([AuditYearsOutOfRange])
        "1.5" "6" -> Err([CookieMonthsNotANumber])
        "99999999999" "6" -> Err([CookieMonthsNotANumber])
    "#]]
    .assert_eq(&actual);
    assert_eq!(RetentionPolicy::default(), RetentionPolicy { cookie_decision_months: 24, audit_years: 6 });
    assert!(RetentionPolicy::default().is_valid());
}

fn head(seq: i64, hash: &str) -> ChainHead {
    ChainHead { seq, hash: hash.to_string() }
}

#[test]
fn checkpoints_hold_only_in_sequence_and_under_the_key() {
    let key: &[u8] = b"a ledger key of at least thirty-two bytes";
    let day2 = "2026-12-03T03:00:00.000Z";
    let seal = |key: &[u8], chain: &str, from: &ChainHead, to: ChainHead, at: &str| {
        PurgeCheckpoint::seal(key, "demo", chain, from, &to, at)
    };
    let first = seal(key, "cookies", &ChainHead::genesis(), head(500, "aa"), "2026-12-02T03:00:00.000Z");
    let second = seal(key, "cookies", &first.head(), head(740, "bb"), day2);
    let mut forged = second.clone();
    forged.up_to_seq = 900;
    forged.purged = 900 - 500;
    let other_key =
        seal(b"another key entirely, thirty-two+", "cookies", &first.head(), head(740, "bb"), day2);
    let skipping = seal(key, "cookies", &head(600, "cc"), head(740, "bb"), day2);
    let other_chain = seal(key, "audit", &first.head(), head(740, "bb"), day2);
    let cases: [(&str, Vec<PurgeCheckpoint>); 7] = [
        ("none", vec![]),
        ("one", vec![first.clone()]),
        ("two in sequence", vec![first.clone(), second.clone()]),
        ("second moved without the key", vec![first.clone(), forged]),
        ("second sealed under another key", vec![first.clone(), other_key]),
        ("second skips a checkpoint", vec![first.clone(), skipping]),
        ("second of another chain", vec![first.clone(), other_chain]),
    ];
    let actual: String = cases
        .iter()
        .map(|(name, list)| {
            let c = check_checkpoints(key, "demo", "cookies", list);
            format!(
                "{name}: {} checkpoints, {} purged, starts after {:?}, problem {:?}\n  {:?}\n",
                c.checkpoints,
                c.purged,
                c.latest.as_ref().map(|l| l.up_to_seq),
                c.problem,
                c.latest.as_ref().map(|l| describe(
                    l.up_to_seq,
                    c.purged,
                    c.checkpoints,
                    &l.purged_at,
                    c.problem.is_none()
                )),
            )
        })
        .collect();
    expect![[r#"
        none: 0 checkpoints, 0 purged, starts after None, problem None
          None
        one: 1 checkpoints, 500 purged, starts after Some(500), problem None
          Some("Records before #501 were purged under the retention policy (500 records in 1 purge, the latest on 2026-12-02); the chain from there is intact.")
        two in sequence: 2 checkpoints, 740 purged, starts after Some(740), problem None
          Some("Records before #741 were purged under the retention policy (740 records in 2 purges, the latest on 2026-12-03); the chain from there is intact.")
        second moved without the key: 1 checkpoints, 500 purged, starts after Some(500), problem Some("purge checkpoint up to #900: its seal does not hold under LEDGER_KEY: forged or altered")
          Some("Records before #501 were purged under the retention policy (500 records in 1 purge, the latest on 2026-12-02); the chain from there is broken (see first_broken).")
        second sealed under another key: 1 checkpoints, 500 purged, starts after Some(500), problem Some("purge checkpoint up to #740: its seal does not hold under LEDGER_KEY: forged or altered")
          Some("Records before #501 were purged under the retention policy (500 records in 1 purge, the latest on 2026-12-02); the chain from there is broken (see first_broken).")
        second skips a checkpoint: 1 checkpoints, 500 purged, starts after Some(500), problem Some("purge checkpoint up to #740: it does not continue the previous checkpoint: a checkpoint is missing or was inserted")
          Some("Records before #501 were purged under the retention policy (500 records in 1 purge, the latest on 2026-12-02); the chain from there is broken (see first_broken).")
        second of another chain: 1 checkpoints, 500 purged, starts after Some(500), problem Some("purge checkpoint up to #740: belongs to another site or chain")
          Some("Records before #501 were purged under the retention policy (500 records in 1 purge, the latest on 2026-12-02); the chain from there is broken (see first_broken).")
    "#]]
    .assert_eq(&actual);
    assert_eq!(first.prev_up_to, 0);
    assert_eq!(first.head(), head(500, "aa"));
    assert_ne!(first.hash, GENESIS_HASH);
}

#[test]
fn a_chain_resumed_from_a_checkpoint_must_continue_it() {
    use crate::chain::{seal_items, ChainVerifier, Sealable, SealedItem};
    let key = b"a ledger key of at least thirty-two bytes";
    let items: Vec<Sealable> = (1..=5)
        .map(|i| Sealable { site_id: "demo".into(), id: format!("c{i}"), hash: format!("{i:064x}") })
        .collect();
    let links = seal_items(key, ChainKind::Cookies, &ChainHead::genesis(), &items);
    let sealed = |i: usize| SealedItem { id: items[i].id.clone(), hash: items[i].hash.clone(), marked: true };
    let at_two = ChainHead { seq: links[1].seq, hash: links[1].hash.clone() };
    let check = |start: ChainHead, from: usize| {
        let mut v = ChainVerifier::resume(key, ChainKind::Cookies, start);
        let result = (from..5).try_for_each(|i| v.check(&links[i], Some(&sealed(i))));
        format!("{:?} checked {}", result.err().map(|b| (b.seq, b.reason)), v.checked)
    };
    let actual = [
        format!("from its checkpoint: {}", check(at_two.clone(), 2)),
        format!("a link after the checkpoint deleted too: {}", check(at_two.clone(), 3)),
        format!("a checkpoint with another hash: {}", check(ChainHead { seq: 2, hash: "ff".repeat(32) }, 2)),
    ]
    .join("\n");
    expect![[r#"
        from its checkpoint: None checked 3
        a link after the checkpoint deleted too: Some((4, "sequence gap: a link is missing or was inserted")) checked 0
        a checkpoint with another hash: Some((3, "prev_hash does not match the previous link's hash")) checked 0"#]]
    .assert_eq(&actual);
}
