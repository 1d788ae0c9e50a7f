//! The data review (issue 14; seed policy 001 §8.1: "a data review will be held every 2 years
//! and no more than 27 calendar months after the last review"): the cycle, when the next review
//! falls due, when the console starts to nag, the per-review parameters and the decision taken
//! for each group of people. Pure: today's date is always an argument.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The cycle a site gets unless it sets one: two years.
pub const DEFAULT_CYCLE_MONTHS: u32 = 24;
/// The longest cycle the seed policy allows ("no more than 27 calendar months").
pub const MAX_CYCLE_MONTHS: u32 = 27;
/// The console nags from this many days before the due date (and every day once overdue).
pub const NAG_DAYS: i64 = 30;
/// How long an erased subject's pseudonymous history is kept by default (years after erasure).
pub const DEFAULT_ERASED_HISTORY_YEARS: u32 = 6;
/// Bounds of every "N months" a review is run with, and of the erased-history policy.
pub const MONTHS_RANGE: (u32, u32) = (1, 120);
pub const YEARS_RANGE: (u32, u32) = (1, 100);
/// The longest reason a "keep" decision may carry.
pub const MAX_REASON: usize = 1000;

/// Why a review setting or parameter was refused (one per field, so the page can put it beside it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("the review cycle must be between 1 and {MAX_CYCLE_MONTHS} months (policy: no more than 27 calendar months)")]
    CycleOutOfRange,
    #[error("not a number of months")]
    NotANumber,
    #[error("the date must be written YYYY-MM-DD")]
    BadDate,
    #[error("the date is in the future")]
    DateInFuture,
    #[error("must be between {0} and {1}")]
    OutOfRange(u32, u32),
    #[error("a reason is required to keep these people's data")]
    ReasonMissing,
    #[error("the reason is too long")]
    ReasonTooLong,
    #[error("this choice is not available for this group")]
    DecisionNotAllowed,
}

/// A site's review settings, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSettings {
    pub cycle_months: u32,
    /// The last review (one held before the site used Consent, or the last completed here).
    pub last_review_on: Option<NaiveDate>,
    /// Years an erased subject's pseudonymous history is kept after the erasure.
    pub erased_history_years: u32,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            cycle_months: DEFAULT_CYCLE_MONTHS,
            last_review_on: None,
            erased_history_years: DEFAULT_ERASED_HISTORY_YEARS,
        }
    }
}

/// `date` plus `months` calendar months; a day the target month lacks becomes its last day
/// (31 January + 1 month = 28 or 29 February), so a cycle never overshoots a month.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// `date` minus `months` calendar months (same end-of-month rule).
pub fn sub_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(months)).unwrap_or(NaiveDate::MIN)
}

/// A cycle as typed in the settings form.
pub fn parse_cycle(raw: &str) -> Result<u32, ReviewError> {
    let months: u32 = raw.trim().parse().map_err(|_| ReviewError::NotANumber)?;
    if !(1..=MAX_CYCLE_MONTHS).contains(&months) {
        return Err(ReviewError::CycleOutOfRange);
    }
    Ok(months)
}

/// An "N months" (or years) parameter within `range`.
pub fn parse_bounded(raw: &str, range: (u32, u32)) -> Result<u32, ReviewError> {
    let n: u32 = raw.trim().parse().map_err(|_| ReviewError::NotANumber)?;
    if n < range.0 || n > range.1 {
        return Err(ReviewError::OutOfRange(range.0, range.1));
    }
    Ok(n)
}

/// A past date (`YYYY-MM-DD`, never after `today`); empty is `None`.
pub fn parse_past_date(raw: &str, today: NaiveDate) -> Result<Option<NaiveDate>, ReviewError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| ReviewError::BadDate)?;
    if date > today {
        return Err(ReviewError::DateInFuture);
    }
    Ok(Some(date))
}

/// Where a site stands with its review on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    /// More than [`NAG_DAYS`] away.
    NotYet { days_left: i64 },
    /// Within [`NAG_DAYS`]: the console nags.
    DueSoon { days_left: i64 },
    /// Past the due date.
    Overdue { days_over: i64 },
}

impl DueState {
    pub fn nags(self) -> bool {
        !matches!(self, DueState::NotYet { .. })
    }
}

/// When the next review is due: a cycle after the last one, or — never reviewed — a cycle after
/// the site was created in Consent.
pub fn next_due(settings: &ReviewSettings, site_created: NaiveDate) -> NaiveDate {
    add_months(settings.last_review_on.unwrap_or(site_created), settings.cycle_months)
}

pub fn due_state(due: NaiveDate, today: NaiveDate) -> DueState {
    let days = (due - today).num_days();
    if days < 0 {
        DueState::Overdue { days_over: -days }
    } else if days <= NAG_DAYS {
        DueState::DueSoon { days_left: days }
    } else {
        DueState::NotYet { days_left: days }
    }
}

/// The groups of people a review looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewGroup {
    /// Held (an address, not erased) and nothing recorded for them for N months.
    Inactive,
    /// Held, whose choices are consents only (no soft opt-in), all older than N months, with
    /// nothing recorded since.
    OldConsent,
    /// Restricted for more than N months.
    Restricted,
    /// Erased longer ago than the site's erased-history policy, with history still held.
    ErasedHistory,
}

impl ReviewGroup {
    pub const ALL: [ReviewGroup; 4] =
        [ReviewGroup::Inactive, ReviewGroup::OldConsent, ReviewGroup::Restricted, ReviewGroup::ErasedHistory];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewGroup::Inactive => "inactive",
            ReviewGroup::OldConsent => "old_consent",
            ReviewGroup::Restricted => "restricted",
            ReviewGroup::ErasedHistory => "erased_history",
        }
    }

    pub fn parse(raw: &str) -> Option<ReviewGroup> {
        ReviewGroup::ALL.into_iter().find(|g| g.as_str() == raw)
    }

    /// What the DPO may decide for the group. Asking to check details needs an address and a
    /// basis to email (never for the restricted or the erased); the erased cannot be erased again.
    pub fn allows(self, decision: DecisionKind) -> bool {
        match decision {
            DecisionKind::Keep => true,
            DecisionKind::AskToCheck => matches!(self, ReviewGroup::Inactive | ReviewGroup::OldConsent),
            DecisionKind::Erase => self != ReviewGroup::ErasedHistory,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Keep,
    AskToCheck,
    Erase,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 3] = [DecisionKind::Keep, DecisionKind::AskToCheck, DecisionKind::Erase];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Keep => "keep",
            DecisionKind::AskToCheck => "ask_to_check",
            DecisionKind::Erase => "erase",
        }
    }

    pub fn parse(raw: &str) -> Option<DecisionKind> {
        DecisionKind::ALL.into_iter().find(|d| d.as_str() == raw)
    }
}

/// One group's decision as recorded with the completed review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDecision {
    pub group: ReviewGroup,
    pub decision: DecisionKind,
    /// Required for `keep`.
    pub reason: Option<String>,
    /// How many people the group held when the decision was taken.
    pub count: u64,
}

/// Checks a decision for a group: allowed for it, and a reason (not blank, bounded) to keep.
pub fn decide(
    group: ReviewGroup,
    decision: DecisionKind,
    reason: &str,
    count: u64,
) -> Result<GroupDecision, ReviewError> {
    if !group.allows(decision) {
        return Err(ReviewError::DecisionNotAllowed);
    }
    let reason = reason.trim();
    if reason.len() > MAX_REASON || reason.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(ReviewError::ReasonTooLong);
    }
    let reason = match decision {
        DecisionKind::Keep if reason.is_empty() => return Err(ReviewError::ReasonMissing),
        _ if reason.is_empty() => None,
        _ => Some(reason.to_string()),
    };
    Ok(GroupDecision { group, decision, reason, count })
}

/// The "N months" a review is run with (chosen per review) and the cut-off dates they give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewParams {
    pub inactive_months: u32,
    pub consent_months: u32,
    pub restricted_months: u32,
}

impl Default for ReviewParams {
    fn default() -> Self {
        ReviewParams { inactive_months: 24, consent_months: 24, restricted_months: 12 }
    }
}

/// The cut-off instants (RFC 3339, midnight UTC) each group is selected by: "before" them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cutoffs {
    pub inactive_before: String,
    pub consent_before: String,
    pub restricted_before: String,
    pub erased_before: String,
}

pub fn cutoffs(params: &ReviewParams, erased_history_years: u32, today: NaiveDate) -> Cutoffs {
    let at = |d: NaiveDate| format!("{d}T00:00:00.000Z");
    Cutoffs {
        inactive_before: at(sub_months(today, params.inactive_months)),
        consent_before: at(sub_months(today, params.consent_months)),
        restricted_before: at(sub_months(today, params.restricted_months)),
        erased_before: at(sub_months(today, erased_history_years.saturating_mul(12))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn month_arithmetic_across_month_ends_and_leap_years() {
        let cases = [
            ("2024-01-31", 1),
            ("2023-01-31", 1),
            ("2024-02-29", 12),
            ("2024-02-29", 24),
            ("2024-02-29", 48),
            ("2025-08-31", 27),
            ("2026-12-15", 24),
            ("2026-03-31", 27),
        ];
        let out: String =
            cases.iter().map(|(from, n)| format!("{from} + {n:>2} months = {}\n", add_months(d(from), *n))).collect();
        expect![[r#"
            2024-01-31 +  1 months = 2024-02-29
            2023-01-31 +  1 months = 2023-02-28
            2024-02-29 + 12 months = 2025-02-28
            2024-02-29 + 24 months = 2026-02-28
            2024-02-29 + 48 months = 2028-02-29
            2025-08-31 + 27 months = 2027-11-30
            2026-12-15 + 24 months = 2028-12-15
            2026-03-31 + 27 months = 2028-06-30
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn next_due_and_nag_window() {
        let created = d("2025-01-10");
        let never = ReviewSettings::default();
        let last = ReviewSettings { last_review_on: Some(d("2024-12-31")), ..ReviewSettings::default() };
        let short = ReviewSettings { cycle_months: 27, ..last.clone() };
        let mut out = String::new();
        for (name, s) in [("never reviewed", &never), ("reviewed 2024-12-31", &last), ("27-month cycle", &short)] {
            let due = next_due(s, created);
            out.push_str(&format!("{name}: due {due}\n"));
            for today in ["2026-11-30", "2026-12-01", "2026-12-31", "2027-01-10", "2027-01-11", "2027-03-31"] {
                out.push_str(&format!("  {today}: {:?}\n", due_state(due, d(today))));
            }
        }
        expect![[r#"
            never reviewed: due 2027-01-10
              2026-11-30: NotYet { days_left: 41 }
              2026-12-01: NotYet { days_left: 40 }
              2026-12-31: DueSoon { days_left: 10 }
              2027-01-10: DueSoon { days_left: 0 }
              2027-01-11: Overdue { days_over: 1 }
              2027-03-31: Overdue { days_over: 80 }
            reviewed 2024-12-31: due 2026-12-31
              2026-11-30: NotYet { days_left: 31 }
              2026-12-01: DueSoon { days_left: 30 }
              2026-12-31: DueSoon { days_left: 0 }
              2027-01-10: Overdue { days_over: 10 }
              2027-01-11: Overdue { days_over: 11 }
              2027-03-31: Overdue { days_over: 90 }
            27-month cycle: due 2027-03-31
              2026-11-30: NotYet { days_left: 121 }
              2026-12-01: NotYet { days_left: 120 }
              2026-12-31: NotYet { days_left: 90 }
              2027-01-10: NotYet { days_left: 80 }
              2027-01-11: NotYet { days_left: 79 }
              2027-03-31: DueSoon { days_left: 0 }
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn bad_input_is_refused() {
        let today = d("2026-12-01");
        let out: String = [
            format!("cycle '24' {:?}", parse_cycle("24")),
            format!("cycle '27' {:?}", parse_cycle("27")),
            format!("cycle '28' {:?}", parse_cycle("28")),
            format!("cycle '0' {:?}", parse_cycle("0")),
            format!("cycle 'two' {:?}", parse_cycle("two")),
            format!("date '' {:?}", parse_past_date("", today)),
            format!("date '2026-12-01' {:?}", parse_past_date("2026-12-01", today)),
            format!("date '2026-12-02' {:?}", parse_past_date("2026-12-02", today)),
            format!("date '2026-02-30' {:?}", parse_past_date("2026-02-30", today)),
            format!("months '0' {:?}", parse_bounded("0", MONTHS_RANGE)),
            format!("months '121' {:?}", parse_bounded("121", MONTHS_RANGE)),
            format!("months '18' {:?}", parse_bounded("18", MONTHS_RANGE)),
        ]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
        expect![[r#"
            cycle '24' Ok(24)
            cycle '27' Ok(27)
            cycle '28' Err(CycleOutOfRange)
            cycle '0' Err(CycleOutOfRange)
            cycle 'two' Err(NotANumber)
            date '' Ok(None)
            date '2026-12-01' Ok(Some(2026-12-01))
            date '2026-12-02' Err(DateInFuture)
            date '2026-02-30' Err(BadDate)
            months '0' Err(OutOfRange(1, 120))
            months '121' Err(OutOfRange(1, 120))
            months '18' Ok(18)
        "#]]
        .assert_eq(&out);
        assert_eq!(
            ReviewError::CycleOutOfRange.to_string(),
            "the review cycle must be between 1 and 27 months (policy: no more than 27 calendar months)"
        );
    }

    #[test]
    fn decisions_per_group() {
        let mut out = String::new();
        for group in ReviewGroup::ALL {
            for decision in DecisionKind::ALL {
                for reason in ["", "members' register"] {
                    let r = decide(group, decision, reason, 3).map(|g| g.reason);
                    out.push_str(&format!("{} {} {reason:?}: {r:?}\n", group.as_str(), decision.as_str()));
                }
            }
        }
        expect![[r#"
            inactive keep "": Err(ReasonMissing)
            inactive keep "members' register": Ok(Some("members' register"))
            inactive ask_to_check "": Ok(None)
            inactive ask_to_check "members' register": Ok(Some("members' register"))
            inactive erase "": Ok(None)
            inactive erase "members' register": Ok(Some("members' register"))
            old_consent keep "": Err(ReasonMissing)
            old_consent keep "members' register": Ok(Some("members' register"))
            old_consent ask_to_check "": Ok(None)
            old_consent ask_to_check "members' register": Ok(Some("members' register"))
            old_consent erase "": Ok(None)
            old_consent erase "members' register": Ok(Some("members' register"))
            restricted keep "": Err(ReasonMissing)
            restricted keep "members' register": Ok(Some("members' register"))
            restricted ask_to_check "": Err(DecisionNotAllowed)
            restricted ask_to_check "members' register": Err(DecisionNotAllowed)
            restricted erase "": Ok(None)
            restricted erase "members' register": Ok(Some("members' register"))
            erased_history keep "": Err(ReasonMissing)
            erased_history keep "members' register": Ok(Some("members' register"))
            erased_history ask_to_check "": Err(DecisionNotAllowed)
            erased_history ask_to_check "members' register": Err(DecisionNotAllowed)
            erased_history erase "": Err(DecisionNotAllowed)
            erased_history erase "members' register": Err(DecisionNotAllowed)
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn cutoffs_from_params() {
        let c = cutoffs(&ReviewParams::default(), 6, d("2026-02-28"));
        expect![[r#"
            Cutoffs {
                inactive_before: "2024-02-28T00:00:00.000Z",
                consent_before: "2024-02-28T00:00:00.000Z",
                restricted_before: "2025-02-28T00:00:00.000Z",
                erased_before: "2020-02-28T00:00:00.000Z",
            }
        "#]]
        .assert_debug_eq(&c);
    }
}
