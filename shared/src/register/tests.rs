use super::*;
use expect_test::{expect, Expect};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn show(d: Option<NaiveDate>) -> String {
    d.map(|d| format!("{} {}", d, d.weekday())).unwrap_or_else(|| "-".into())
}

/// One row per (kind, received, extended): the dates a DPO must act by.
fn check_deadlines(cases: &[(RequestKind, &str, bool)], expected: Expect) {
    let mut out = String::new();
    for (kind, received, extended) in cases {
        let d = deadlines(*kind, day(received), *extended);
        out += &format!(
            "{:<13} {} {:<8} ack {:<14} respond {}\n",
            kind.as_str(),
            received,
            if *extended { "extended" } else { "" },
            show(d.acknowledge_by),
            show(d.respond_by)
        );
    }
    expected.assert_eq(&out);
}

#[test]
fn deadlines_as_data() {
    use RequestKind::*;
    check_deadlines(
        &[
            // The same day of the next month, on a weekday.
            (Access, "2026-03-10", false),
            // No 31 February: the last day of February (a Saturday in 2026 → Monday).
            (Access, "2026-01-31", false),
            // Leap year: 29 February 2028 exists (a Tuesday).
            (Access, "2028-01-31", false),
            (Access, "2028-01-29", false),
            // From the 29th of a leap February to 29 March.
            (Erasure, "2028-02-29", false),
            // Month end to a 30-day month.
            (Portability, "2026-08-31", false),
            // Across the year end.
            (Rectification, "2026-12-31", false),
            // The extension: three calendar months from receipt.
            (Access, "2026-11-30", true),
            (Restriction, "2026-12-31", true),
            // An opt-out: 14 days by the seed policy, earlier than the month.
            (Objection, "2026-12-01", false),
            // Complaints: acknowledged within 30 days, no fixed reply date.
            (Complaint, "2026-06-19", false),
            (Complaint, "2026-12-15", false),
        ],
        expect![[r#"
            access        2026-03-10          ack -              respond 2026-04-10 Fri
            access        2026-01-31          ack -              respond 2026-03-02 Mon
            access        2028-01-31          ack -              respond 2028-02-29 Tue
            access        2028-01-29          ack -              respond 2028-02-29 Tue
            erasure       2028-02-29          ack -              respond 2028-03-29 Wed
            portability   2026-08-31          ack -              respond 2026-09-30 Wed
            rectification 2026-12-31          ack -              respond 2027-02-01 Mon
            access        2026-11-30 extended ack -              respond 2027-03-01 Mon
            restriction   2026-12-31 extended ack -              respond 2027-03-31 Wed
            objection     2026-12-01          ack -              respond 2026-12-15 Tue
            complaint     2026-06-19          ack 2026-07-19 Sun respond -
            complaint     2026-12-15          ack 2027-01-14 Thu respond -
        "#]],
    );
}

#[test]
fn extension_rules() {
    let mut e = Entry::new("R-00000000".into(), RequestKind::Access, Arrival::Letter, day("2026-01-31"));
    assert_eq!(e.extend("  ", day("2026-02-01")), Err(RegisterError::ExtensionReasonMissing));
    // The first month ends on Monday 2 March 2026.
    assert_eq!(e.extend("many records", day("2026-03-03")), Err(RegisterError::ExtensionTooLate));
    assert_eq!(e.extend("many records", day("2026-03-02")), Ok(()));
    assert_eq!(e.due_on(), Some(day("2026-04-30")));
    assert_eq!(e.extend("again", day("2026-03-02")), Err(RegisterError::AlreadyExtended));

    let mut c = Entry::new("C-00000000".into(), RequestKind::Complaint, Arrival::ComplaintForm, day("2026-12-01"));
    assert_eq!(c.extend("busy", day("2026-12-02")), Err(RegisterError::NotExtendable));
    let mut o = Entry::new("R-00000001".into(), RequestKind::Objection, Arrival::Phone, day("2026-12-01"));
    assert_eq!(o.extend("busy", day("2026-12-02")), Err(RegisterError::NotExtendable));
}

#[test]
fn complaint_lifecycle() {
    let mut c = Entry::new("C-00000000".into(), RequestKind::Complaint, Arrival::ComplaintForm, day("2026-12-01"));
    assert_eq!(c.due_on(), Some(day("2026-12-31")));
    assert_eq!(c.urgency(day("2026-12-24"), DUE_SOON_DAYS), Urgency::DueSoon);
    assert_eq!(c.urgency(day("2026-12-23"), DUE_SOON_DAYS), Urgency::Later);
    assert_eq!(c.urgency(day("2027-01-01"), DUE_SOON_DAYS), Urgency::Overdue);
    c.acknowledge(day("2026-12-02")).unwrap();
    assert_eq!(c.acknowledge(day("2026-12-02")), Err(RegisterError::AlreadyAcknowledged));
    assert_eq!(c.due_on(), None);
    assert_eq!(c.close(" ", day("2026-12-10")), Err(RegisterError::OutcomeMissing));
    c.close("We fixed the address and apologised.", day("2026-12-10")).unwrap();
    assert_eq!(c.status, Status::Closed);
    assert_eq!(c.close("again", day("2026-12-11")), Err(RegisterError::Closed));

    let mut r = Entry::new("R-00000000".into(), RequestKind::Access, Arrival::Email, day("2026-12-01"));
    assert_eq!(r.acknowledge(day("2026-12-01")), Err(RegisterError::NotAComplaint));
    // A complaint answered straight away is acknowledged by the answer.
    let mut quick = Entry::new("C-00000001".into(), RequestKind::Complaint, Arrival::Letter, day("2026-12-01"));
    quick.close("Answered by return.", day("2026-12-03")).unwrap();
    assert_eq!(quick.acknowledged_on, Some(day("2026-12-03")));
    r.close("Sent the download.", day("2026-12-02")).unwrap();
    assert_eq!(r.urgency(day("2027-06-01"), DUE_SOON_DAYS), Urgency::None);
}

#[test]
fn self_service_is_done_the_same_day() {
    let e = Entry::self_service("R-00000000".into(), RequestKind::Erasure, day("2026-12-01"), "Erased by the person");
    assert_eq!((e.status, e.closed_on, e.arrival), (Status::Closed, Some(day("2026-12-01")), Arrival::SelfService));
    assert_eq!(e.due_on(), None);
}

#[test]
fn received_dates_are_checked() {
    let today = day("2026-12-01");
    assert_eq!(received_on(day("2026-12-02"), today), Err(RegisterError::ReceivedInFuture));
    assert_eq!(received_on(today, today), Ok(today));
    assert_eq!(received_on(day("2025-11-30"), today), Ok(day("2025-11-30")));
    assert_eq!(received_on(day("2025-11-29"), today), Err(RegisterError::ReceivedTooLongAgo));
}

#[test]
fn texts_are_checked() {
    assert_eq!(text(" \n "), Err(RegisterError::TextMissing));
    assert_eq!(text(&"é".repeat(MAX_TEXT_CHARS + 1)), Err(RegisterError::TextTooLong));
    assert_eq!(text(" hello "), Ok("hello".into()));
}

#[test]
fn references_read_back() {
    let r = reference(RequestKind::Complaint, [0xff, 0x00, 0x12, 0x34, 0x56]);
    expect![["C-ZW014D2P"]].assert_eq(&r);
    assert_eq!(reference(RequestKind::Access, [0; 5]), "R-00000000");
    assert_eq!(parse_reference(&r), Some(r.clone()));
    assert_eq!(parse_reference(" c-zw01 4d2p "), Some(r.clone()));
    // Crockford's look-alikes: O→0, I/L→1.
    assert_eq!(parse_reference("czwoi4d2p"), Some("C-ZW014D2P".into()));
    for bad in ["", "C-", "X-ZW014D2P", "C-ZW014D2", "C-ZW014D2PQ", "C-ZW01UD2P", "C-ZW01*D2P"] {
        assert_eq!(parse_reference(bad), None, "{bad:?}");
    }
}

#[test]
fn kinds_and_arrivals_read_back() {
    for k in RequestKind::ALL {
        assert_eq!(RequestKind::parse(k.as_str()), Some(k));
    }
    for a in Arrival::ALL {
        assert_eq!(Arrival::parse(a.as_str()), Some(a));
    }
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
    }
    assert!(!Arrival::SelfService.recordable_by_staff() && !Arrival::ComplaintForm.recordable_by_staff());
}
