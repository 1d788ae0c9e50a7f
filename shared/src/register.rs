//! The register of rights requests and complaints: what kind of request, how it arrived, when it
//! is due, and the transitions an entry goes through. Pure: today's date and the random bytes of
//! a reference are arguments.
//!
//! Deadlines, as the ICO reads UK GDPR art. 12(3) and the Data (Use and Access) Act 2025:
//! - a rights request is answered within one calendar month of receipt: the same day number of
//!   the next month, or that month's last day when it has no such day; a date falling on a
//!   Saturday or Sunday moves to the Monday. (Bank holidays are not modelled: the date given is
//!   then one working day earlier than the law allows, never later.)
//! - it may be extended by two further months where the request is complex or one of many; the
//!   person must be told, with the reason, within the first month — so an extension needs a
//!   reason and is refused once the first month has passed;
//! - an objection to direct marketing is absolute and the seed policy processes opt-outs
//!   "within 14 days" (`seeds/001`): its due date is the earlier of that and the month;
//! - a complaint (DPA 2018 s.164A, inserted by the Data (Use and Access) Act 2025; in force from
//!   19 June 2026) is acknowledged within
//!   30 days of receipt, then answered "without undue delay": no fixed reply date exists, so the
//!   register shows the acknowledgement date until the complaint is acknowledged.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// What the person asked for. Stored by name: a variant is never removed or renamed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Access,
    Rectification,
    Erasure,
    Restriction,
    Portability,
    Objection,
    Complaint,
}

impl RequestKind {
    pub const ALL: [RequestKind; 7] = [
        RequestKind::Access,
        RequestKind::Rectification,
        RequestKind::Erasure,
        RequestKind::Restriction,
        RequestKind::Portability,
        RequestKind::Objection,
        RequestKind::Complaint,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Rectification => "rectification",
            RequestKind::Erasure => "erasure",
            RequestKind::Restriction => "restriction",
            RequestKind::Portability => "portability",
            RequestKind::Objection => "objection",
            RequestKind::Complaint => "complaint",
        }
    }

    pub fn parse(raw: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Letter of the reference's prefix: `C` for complaints, `R` for rights requests.
    fn reference_prefix(self) -> char {
        if self == RequestKind::Complaint {
            'C'
        } else {
            'R'
        }
    }
}

/// How the request reached the organisation. Stored by name: never removed or renamed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrival {
    /// The person did it themselves in the preference centre (recorded as completed that day).
    SelfService,
    Letter,
    Phone,
    Email,
    /// The complaint form (preference centre or `/complaints/{site}`).
    ComplaintForm,
}

impl Arrival {
    pub const ALL: [Arrival; 5] =
        [Arrival::SelfService, Arrival::Letter, Arrival::Phone, Arrival::Email, Arrival::ComplaintForm];

    pub fn as_str(self) -> &'static str {
        match self {
            Arrival::SelfService => "self_service",
            Arrival::Letter => "letter",
            Arrival::Phone => "phone",
            Arrival::Email => "email",
            Arrival::ComplaintForm => "complaint_form",
        }
    }

    pub fn parse(raw: &str) -> Option<Arrival> {
        Arrival::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    /// Whether staff may record an entry arriving this way by hand (the other two are written
    /// by the preference centre and the complaint form themselves).
    pub fn recordable_by_staff(self) -> bool {
        matches!(self, Arrival::Letter | Arrival::Phone | Arrival::Email)
    }
}

/// Where an entry stands. Stored by name: never removed or renamed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    /// A complaint whose receipt was acknowledged to the person.
    Acknowledged,
    /// Answered: the outcome says how.
    Closed,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Received, Status::Acknowledged, Status::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Acknowledged => "acknowledged",
            Status::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn is_open(self) -> bool {
        self != Status::Closed
    }
}

/// The dates an entry must be acted on by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Complaints only: acknowledge receipt by this day.
    pub acknowledge_by: Option<NaiveDate>,
    /// Answer by this day; `None` for a complaint (no fixed date: "without undue delay").
    pub respond_by: Option<NaiveDate>,
}

/// Days the seed policy allows for an opt-out (`seeds/001`: "processed within 14 days").
pub const OPT_OUT_DAYS: u64 = 14;
/// Days the law allows for acknowledging a complaint.
pub const COMPLAINT_ACKNOWLEDGEMENT_DAYS: u64 = 30;
/// Months an extension adds to the first month.
pub const EXTENSION_MONTHS: u32 = 2;

/// `received` plus `months` calendar months: the same day number, or the last day of a shorter
/// month (chrono clamps), moved off a weekend to the Monday.
pub fn calendar_months_after(received: NaiveDate, months: u32) -> NaiveDate {
    let same_day = received.checked_add_months(Months::new(months)).expect("dates far below chrono's limit");
    next_working_day(same_day)
}

fn next_working_day(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + Days::new(2),
        Weekday::Sun => day + Days::new(1),
        _ => day,
    }
}

/// The deadlines of a request of `kind` received on `received`, extended or not.
pub fn deadlines(kind: RequestKind, received: NaiveDate, extended: bool) -> Deadlines {
    let month = calendar_months_after(received, 1);
    match kind {
        RequestKind::Complaint => Deadlines {
            acknowledge_by: Some(received + Days::new(COMPLAINT_ACKNOWLEDGEMENT_DAYS)),
            respond_by: None,
        },
        RequestKind::Objection if !extended => {
            Deadlines { acknowledge_by: None, respond_by: Some(month.min(received + Days::new(OPT_OUT_DAYS))) }
        }
        _ if extended => {
            Deadlines { acknowledge_by: None, respond_by: Some(calendar_months_after(received, 1 + EXTENSION_MONTHS)) }
        }
        _ => Deadlines { acknowledge_by: None, respond_by: Some(month) },
    }
}

/// Whether the extension may be taken: not for complaints or objections to direct marketing
/// (absolute, honoured at once), and only while the first month runs.
pub fn extendable(kind: RequestKind) -> bool {
    !matches!(kind, RequestKind::Complaint | RequestKind::Objection)
}

/// A register entry's reference: `R-` or `C-` and eight Crockford base-32 characters from the
/// caller's random bytes, e.g. `C-7K3M9QX2` — short enough to read over the phone, no I/O/L/U.
pub fn reference(kind: RequestKind, random: [u8; 5]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits = random.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut out = String::with_capacity(10);
    out.push(kind.reference_prefix());
    out.push('-');
    for i in (0..8).rev() {
        out.push(ALPHABET[((bits >> (i * 5)) & 31) as usize] as char);
    }
    out
}

/// Reads a reference typed by a person: case and spaces/dashes forgiven, the letters Crockford
/// base-32 confuses read as the digits they stand for. `None` when it cannot be one.
pub fn parse_reference(raw: &str) -> Option<String> {
    let cleaned: Vec<char> =
        raw.trim().chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    let (prefix, rest) = cleaned.split_first()?;
    if !matches!(prefix, 'R' | 'C') || rest.len() != 8 {
        return None;
    }
    let mut out = format!("{prefix}-");
    for c in rest {
        let c = match c {
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii_digit() || (c.is_ascii_uppercase() && *c != 'U') => *c,
            _ => return None,
        };
        out.push(c);
    }
    Some(out)
}

/// The longest complaint or note the register keeps (characters).
pub const MAX_TEXT_CHARS: usize = 5_000;
/// How far back a received date may be entered (a request older than this is history, not work).
pub const MAX_BACKDATE_DAYS: u64 = 366;

/// An entry as the register keeps it. Dates are the organisation's calendar days (UK).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub reference: String,
    pub kind: RequestKind,
    pub arrival: Arrival,
    pub received_on: NaiveDate,
    pub status: Status,
    pub acknowledged_on: Option<NaiveDate>,
    pub extended_on: Option<NaiveDate>,
    pub extension_reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<String>,
}

/// Why a change to the register was refused; each names the field it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("the received date is in the future")]
    ReceivedInFuture,
    #[error("the received date is more than a year ago")]
    ReceivedTooLongAgo,
    #[error("the text is empty")]
    TextMissing,
    #[error("the text is too long")]
    TextTooLong,
    #[error("this kind of request cannot be extended")]
    NotExtendable,
    #[error("the extension needs a reason")]
    ExtensionReasonMissing,
    #[error("the first month has passed: too late to extend")]
    ExtensionTooLate,
    #[error("already extended")]
    AlreadyExtended,
    #[error("only a complaint is acknowledged")]
    NotAComplaint,
    #[error("already acknowledged")]
    AlreadyAcknowledged,
    #[error("the entry is closed")]
    Closed,
    #[error("the outcome is empty")]
    OutcomeMissing,
}

/// Checks a free text (complaint, note, outcome, reason): trimmed, not empty, not too long.
pub fn text(raw: &str) -> Result<String, RegisterError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Err(RegisterError::TextMissing)
    } else if trimmed.chars().count() > MAX_TEXT_CHARS {
        Err(RegisterError::TextTooLong)
    } else {
        Ok(trimmed.to_owned())
    }
}

/// Checks the day a request was received, as staff enter it.
pub fn received_on(day: NaiveDate, today: NaiveDate) -> Result<NaiveDate, RegisterError> {
    if day > today {
        Err(RegisterError::ReceivedInFuture)
    } else if day + Days::new(MAX_BACKDATE_DAYS) < today {
        Err(RegisterError::ReceivedTooLongAgo)
    } else {
        Ok(day)
    }
}

impl Entry {
    /// A new entry, received on `received_on` (already checked with [`received_on`]).
    pub fn new(reference: String, kind: RequestKind, arrival: Arrival, received_on: NaiveDate) -> Entry {
        Entry {
            reference,
            kind,
            arrival,
            received_on,
            status: Status::Received,
            acknowledged_on: None,
            extended_on: None,
            extension_reason: None,
            closed_on: None,
            outcome: None,
        }
    }

    /// A self-service action done in the preference centre: completed the day it was received.
    pub fn self_service(reference: String, kind: RequestKind, today: NaiveDate, outcome: &str) -> Entry {
        Entry {
            status: Status::Closed,
            closed_on: Some(today),
            outcome: Some(outcome.to_owned()),
            ..Entry::new(reference, kind, Arrival::SelfService, today)
        }
    }

    pub fn deadlines(&self) -> Deadlines {
        deadlines(self.kind, self.received_on, self.extended_on.is_some())
    }

    /// The next date something is owed on this entry; `None` once closed, or for an
    /// acknowledged complaint (answered without undue delay, no fixed date).
    pub fn due_on(&self) -> Option<NaiveDate> {
        if !self.status.is_open() {
            return None;
        }
        let d = self.deadlines();
        match (self.kind, self.status) {
            (RequestKind::Complaint, Status::Received) => d.acknowledge_by,
            (RequestKind::Complaint, _) => None,
            _ => d.respond_by,
        }
    }

    /// Where the entry stands against its due date on `today`.
    pub fn urgency(&self, today: NaiveDate, soon_days: u64) -> Urgency {
        match self.due_on() {
            None => Urgency::None,
            Some(due) if due < today => Urgency::Overdue,
            Some(due) if due <= today + Days::new(soon_days) => Urgency::DueSoon,
            Some(_) => Urgency::Later,
        }
    }

    /// Takes the two-month extension with its reason, on `today`.
    pub fn extend(&mut self, reason: &str, today: NaiveDate) -> Result<(), RegisterError> {
        self.open()?;
        if !extendable(self.kind) {
            return Err(RegisterError::NotExtendable);
        }
        if self.extended_on.is_some() {
            return Err(RegisterError::AlreadyExtended);
        }
        let reason = text(reason).map_err(|e| match e {
            RegisterError::TextMissing => RegisterError::ExtensionReasonMissing,
            other => other,
        })?;
        if deadlines(self.kind, self.received_on, false).respond_by.is_some_and(|first| today > first) {
            return Err(RegisterError::ExtensionTooLate);
        }
        self.extended_on = Some(today);
        self.extension_reason = Some(reason);
        Ok(())
    }

    /// Records that a complaint's receipt was acknowledged on `today`.
    pub fn acknowledge(&mut self, today: NaiveDate) -> Result<(), RegisterError> {
        self.open()?;
        if self.kind != RequestKind::Complaint {
            return Err(RegisterError::NotAComplaint);
        }
        if self.status == Status::Acknowledged {
            return Err(RegisterError::AlreadyAcknowledged);
        }
        self.status = Status::Acknowledged;
        self.acknowledged_on = Some(today);
        Ok(())
    }

    /// Closes the entry with its outcome (what was done, or the reply to a complaint). Closing
    /// a complaint never acknowledged acknowledges it the same day: the reply is the answer.
    pub fn close(&mut self, outcome: &str, today: NaiveDate) -> Result<(), RegisterError> {
        self.open()?;
        let outcome = text(outcome).map_err(|e| match e {
            RegisterError::TextMissing => RegisterError::OutcomeMissing,
            other => other,
        })?;
        if self.kind == RequestKind::Complaint && self.acknowledged_on.is_none() {
            self.acknowledged_on = Some(today);
        }
        self.status = Status::Closed;
        self.closed_on = Some(today);
        self.outcome = Some(outcome);
        Ok(())
    }

    fn open(&self) -> Result<(), RegisterError> {
        if self.status.is_open() {
            Ok(())
        } else {
            Err(RegisterError::Closed)
        }
    }
}

/// How pressing an entry is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Overdue,
    DueSoon,
    Later,
    /// Closed, or nothing with a fixed date is owed.
    None,
}

/// Days before a due date an entry counts as "due soon" on the console's front page.
pub const DUE_SOON_DAYS: u64 = 7;

#[cfg(test)]
mod tests;
