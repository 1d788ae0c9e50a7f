//! Reading a legacy consent file (console → Import): the plain layout
//! (`email,name,purpose,channel,consented_at,method,evidence,wording_version|statement`, with
//! optional `action`, `context`, `directly_from_person`) or the consent records of Raiser's Edge
//! NXT (`Channel`, `Category`, `Source`, `Consent date`, `Response`, `Consent statement`,
//! `Privacy notice`, with the constituent's email address joined in the export). Pure: every
//! row is checked against the site and the file; what the store knows (suppressions, later
//! decisions) is checked by `console_import`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use consent_shared::api::v1::{Change, RecordedChanges};
use consent_shared::basis::SupportContext;
use consent_shared::consent::{Action, Method};
use consent_shared::email::Email;
use consent_shared::ledger::{validate_recorded_changes, SubmissionError, MAX_URL_LEN};
use consent_shared::site::{Channel, SiteConfig};
use consent_shared::time::format_utc;
use serde::{Deserialize, Serialize};

/// Rows one file may hold.
pub const MAX_ROWS: usize = 50_000;
/// Rows recorded per confirm request (and kept per stored chunk): each costs two or three
/// storage round trips and a few HMACs, far inside the Workers CPU limit.
pub const CHUNK_ROWS: usize = 250;

/// A row the dry run accepted, as kept in the job until recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The row's line in the file (the header is line 1).
    pub line: u32,
    /// Exactly what the admin API would be sent for it (one change).
    pub changes: RecordedChanges,
    /// The consent statement the person was shown, when the file gives one that is not yet a
    /// wording version of the purpose: kept as a version of its own when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

impl ImportRow {
    pub fn change(&self) -> &Change {
        &self.changes.changes[0]
    }
}

/// Why a row is not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    BadEmail,
    UnknownChannel(String),
    UnknownPurpose(String),
    /// Raiser's Edge "No response" (or an empty one): nothing to record.
    NoResponse,
    UnknownAction(String),
    BadDate(String),
    FutureDate,
    BadMethod(String),
    /// The same address, purpose and channel on an earlier line.
    Duplicate {
        first_line: u32,
    },
    UnknownWording(u32),
    /// Any other rule of the admin API (the soft opt-in's evidence, mostly), in its words.
    Invalid(String),
    Suppressed,
    Erased,
    /// The ledger holds a decision on this purpose × channel made on or after the row's date:
    /// an import never overrides it.
    LaterDecision,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::BadEmail => "bad_email",
            Refusal::UnknownChannel(_) => "unknown_channel",
            Refusal::UnknownPurpose(_) => "unknown_purpose",
            Refusal::NoResponse => "no_response",
            Refusal::UnknownAction(_) => "unknown_action",
            Refusal::BadDate(_) => "bad_date",
            Refusal::FutureDate => "future_date",
            Refusal::BadMethod(_) => "bad_method",
            Refusal::Duplicate { .. } => "duplicate",
            Refusal::UnknownWording(_) => "unknown_wording",
            Refusal::Invalid(_) => "invalid",
            Refusal::Suppressed => "suppressed",
            Refusal::Erased => "erased",
            Refusal::LaterDecision => "later_decision",
        }
    }
}

/// One line's outcome in the dry run.
#[derive(Debug, Clone, PartialEq)]
pub struct RowReport {
    pub line: u32,
    /// As written in the file (shown back to the person who uploaded it).
    pub email: String,
    pub purpose: String,
    pub channel: String,
    pub outcome: Result<ImportRow, Refusal>,
}

/// Which layout a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Plain,
    RaisersEdge,
}

/// What the person said about the file in the upload form.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The method for rows that do not name one (`admin_import` unless stated).
    pub method: Option<Method>,
    /// The evidence note for rows without one (where the records came from).
    pub evidence: String,
    /// Raiser's Edge category → purpose key, from the form (`Category = purpose` lines).
    pub category_map: HashMap<String, String>,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Empty,
    NoEmailColumn,
    TooManyRows,
    Unreadable(String),
}

/// Parses `Category = purpose` lines.
pub fn parse_category_map(raw: &str) -> HashMap<String, String> {
    raw.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(c, p)| (normalise(c), p.trim().to_string()))
        .filter(|(c, p)| !c.is_empty() && !p.is_empty())
        .collect()
}

fn normalise(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['-', ' '], "_")
}

struct Columns {
    layout: Layout,
    index: HashMap<String, usize>,
}

impl Columns {
    fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.index.get(*n).copied())
    }
}

fn field(record: &csv::StringRecord, at: Option<usize>) -> &str {
    at.and_then(|i| record.get(i)).map(str::trim).unwrap_or("")
}

/// Reads every row of `text`: each one accepted (as the change to record) or refused with its
/// reason. Checks against the site and the file only.
pub fn dry_run(
    site: &SiteConfig,
    text: &str,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<(Layout, Vec<RowReport>), FileError> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| FileError::Unreadable(e.to_string()))?.clone();
    let index: HashMap<String, usize> =
        headers.iter().enumerate().map(|(i, h)| (normalise(h.trim_start_matches('\u{feff}')), i)).collect();
    let layout = if index.contains_key("response") || index.contains_key("consent_response") {
        Layout::RaisersEdge
    } else {
        Layout::Plain
    };
    let columns = Columns { layout, index };
    let email_at = columns
        .find(&["email", "email_address", "e_mail", "preferred_email", "constituent_email"])
        .ok_or(FileError::NoEmailColumn)?;
    let mut seen: HashMap<(String, String, Channel), u32> = HashMap::new();
    let mut reports = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let record = record.map_err(|e| FileError::Unreadable(e.to_string()))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = i as u32 + 2;
        reports.push(read_row(site, &columns, email_at, &record, line, options, now, &mut seen));
    }
    if reports.is_empty() {
        return Err(FileError::Empty);
    }
    Ok((layout, reports))
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    site: &SiteConfig,
    columns: &Columns,
    email_at: usize,
    record: &csv::StringRecord,
    line: u32,
    options: &ImportOptions,
    now: DateTime<Utc>,
    seen: &mut HashMap<(String, String, Channel), u32>,
) -> RowReport {
    let email = field(record, Some(email_at)).to_string();
    let raise = columns.layout == Layout::RaisersEdge;
    let get = |names: &[&str]| field(record, columns.find(names)).to_string();
    let channel_raw = get(&["channel", "consent_channel"]);
    let purpose = if raise {
        let category = get(&["category", "consent_category"]);
        options.category_map.get(&normalise(&category)).cloned().unwrap_or_else(|| slug(&category))
    } else {
        get(&["purpose"])
    };
    let mut report = RowReport {
        line,
        email: email.clone(),
        purpose: purpose.clone(),
        channel: channel_raw.clone(),
        outcome: Err(Refusal::BadEmail),
    };
    report.outcome = (|| {
        let parsed = Email::parse(&email).map_err(|_| Refusal::BadEmail)?;
        let channel =
            parse_channel(&channel_raw).ok_or_else(|| Refusal::UnknownChannel(channel_raw.clone()))?;
        if site.purpose(&purpose, channel).is_none() {
            return Err(Refusal::UnknownPurpose(purpose.clone()));
        }
        let action = if raise {
            match normalise(&get(&["response", "consent_response"])).as_str() {
                "opt_in" | "optin" | "yes" => Action::Granted,
                "opt_out" | "optout" | "no" => Action::Withdrawn,
                _ => return Err(Refusal::NoResponse),
            }
        } else {
            match normalise(&get(&["action"])).as_str() {
                "" | "grant" | "granted" | "opt_in" => Action::Granted,
                "withdraw" | "withdrawn" | "opt_out" => Action::Withdrawn,
                "soft_opt_in" => Action::SoftOptIn,
                "objected" | "objection" => Action::Objected,
                other => return Err(Refusal::UnknownAction(other.to_string())),
            }
        };
        let date_raw = get(&["consented_at", "consent_date", "date", "date_of_consent"]);
        let date = parse_date(&date_raw).ok_or_else(|| Refusal::BadDate(date_raw.clone()))?;
        if date > now {
            return Err(Refusal::FutureDate);
        }
        let method = match normalise(&get(&["method"])).as_str() {
            "" => options.method.unwrap_or(Method::AdminImport),
            "admin_import" => Method::AdminImport,
            "paper_form" => Method::PaperForm,
            other => return Err(Refusal::BadMethod(other.to_string())),
        };
        let key = (parsed.identity().to_string(), purpose.clone(), channel);
        if let Some(first_line) = seen.get(&key) {
            return Err(Refusal::Duplicate { first_line: *first_line });
        }
        seen.insert(key, line);
        let pc = site.purpose(&purpose, channel).expect("checked above");
        let version_raw = get(&["wording_version"]);
        let statement = get(&["statement", "consent_statement"]);
        let (wording_version, legacy) = if !version_raw.is_empty() {
            let v = version_raw
                .parse::<u32>()
                .map_err(|_| Refusal::Invalid(format!("wording_version '{version_raw}'")))?;
            (Some(v), None)
        } else if statement.is_empty() {
            (None, None)
        } else if let Some(w) = pc.wordings.iter().find(|w| w.text.trim() == statement) {
            (Some(w.version), None)
        } else {
            (None, Some(statement.clone()))
        };
        let evidence = evidence_note(raise, &get, options);
        let context = SupportContext::parse(&normalise(&get(&["context"])));
        let direct =
            matches!(normalise(&get(&["directly_from_person"])).as_str(), "yes" | "true" | "y" | "1");
        let changes = RecordedChanges {
            email: parsed.address_for_sending().to_string(),
            method,
            changes: vec![Change { purpose: purpose.clone(), channel, action, wording_version }],
            source: (!evidence.is_empty()).then_some(evidence),
            occurred_at: Some(format_utc(date)),
            lang: None,
            context,
            directly_from_person: direct.then_some(true),
        };
        validate_recorded_changes(site, &changes).map_err(|e| match e {
            SubmissionError::Email(_) => Refusal::BadEmail,
            SubmissionError::UnknownWording { given, .. } => Refusal::UnknownWording(given),
            other => Refusal::Invalid(other.to_string()),
        })?;
        Ok(ImportRow { line, changes, statement: legacy })
    })();
    report
}

/// The evidence note: the row's own, else (Raiser's Edge) its source and privacy notice, else
/// the note given for the whole file. At most `MAX_URL_LEN` characters (the ledger's limit).
fn evidence_note(raise: bool, get: &dyn Fn(&[&str]) -> String, options: &ImportOptions) -> String {
    let own = get(&["evidence", "evidence_note"]);
    let note = if !own.is_empty() {
        own
    } else if raise {
        let mut parts = vec!["Raiser's Edge NXT consent record".to_string()];
        for (label, names) in
            [("source", &["source", "consent_source"][..]), ("privacy notice", &["privacy_notice"][..])]
        {
            let v = get(names);
            if !v.is_empty() {
                parts.push(format!("{label}: {v}"));
            }
        }
        if !options.evidence.is_empty() {
            parts.push(options.evidence.clone());
        }
        parts.join("; ")
    } else {
        options.evidence.clone()
    };
    note.chars().take(MAX_URL_LEN).collect()
}

/// A category name as a purpose key: `Alumni News` → `alumni_news`.
fn slug(s: &str) -> String {
    let mapped: String = s
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    mapped.trim_matches('_').to_string()
}

/// Raiser's Edge channels (`Email`, `Mail`, `Phone`, `Auto Phone`, `SMS`) and ours.
fn parse_channel(raw: &str) -> Option<Channel> {
    match normalise(raw).as_str() {
        "email" | "e_mail" => Some(Channel::Email),
        "post" | "mail" | "letter" => Some(Channel::Post),
        "phone" | "auto_phone" | "telephone" => Some(Channel::Phone),
        "sms" | "text" => Some(Channel::Sms),
        _ => None,
    }
}

/// `2024-03-15`, an RFC 3339 time, or a UK day-first `15/03/2024`.
fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
        .ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}
