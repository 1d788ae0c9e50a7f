//! Ledger rules: turning validated choices into events, and their canonical form.
//!
//! Writing and chaining are two steps, so concurrent submissions never contend for the end of
//! the chain. An event is written atomically with its effects (and its append mark) and no
//! chain position. Sealing then appends, in write order, one `ChainLink` per event:
//! `event_hash` is the SHA-256 of the event's canonical form and the link hash is keyed
//! (`crate::chain`). Editing or deleting a sealed event, or inserting, deleting or editing a
//! link, breaks the chain at that point, which `ChainVerifier` names.

use chrono::{DateTime, Utc};
use serde::Serialize;
use thiserror::Error;

use crate::api::v1::{ConsentReceipt, ConsentSubmission, RecordedChanges, RecordedEvent};
use crate::basis::{soft_opt_in_allowed, Collection, LawfulBasis, SoftOptInRefusal, SupportContext};
use crate::consent::{Action, ConsentEvent, Method};
use crate::digest::sha256_hex;
use crate::email::{Email, EmailError};
use crate::site::{Channel, PurposeChannel, SiteConfig, Wording};
use crate::site_edit::is_http_url;
use crate::time::format_utc;

pub use crate::chain::{
    seal, BrokenLink, ChainHead, ChainKind, ChainLink, ChainVerifier, SealedItem, GENESIS_HASH,
};

/// A form lists a handful of options; more than this is a client bug or abuse.
pub const MAX_CHOICES_PER_SUBMISSION: usize = 32;
pub const MAX_URL_LEN: usize = 2048;
pub const MAX_USER_AGENT_LEN: usize = 512;
pub const MAX_CLIENT_TIME_LEN: usize = 40;

/// Events sealed in one step at most (one storage batch).
pub const SEAL_BATCH: usize = 500;

/// The fields covered by the hash, in a fixed order. Field names are part of the chain format.
#[derive(Serialize)]
struct Canonical<'a> {
    v: u8,
    id: &'a str,
    site_id: &'a str,
    subject: &'a str,
    purpose: &'a str,
    channel: Channel,
    action: Action,
    wording_version: u32,
    wording_sha256: &'a str,
    lang: &'a str,
    method: Method,
    source_url: &'a Option<String>,
    server_time: &'a str,
    client_time: &'a Option<String>,
    user_agent: &'a Option<String>,
    ip_truncated: &'a Option<String>,
    gpc: bool,
    idempotency_key: &'a Option<String>,
    // Added later: absent (not null) when unset, so earlier events hash exactly as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_origin: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fetch_site: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    support_context: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direct_from_person: Option<bool>,
}

/// An event's canonical form: what its hash and its append mark cover.
pub fn canonical_event(e: &ConsentEvent) -> Vec<u8> {
    let canonical = Canonical {
        v: 1,
        id: &e.id,
        site_id: &e.site_id,
        subject: &e.subject,
        purpose: &e.purpose,
        channel: e.channel,
        action: e.action,
        wording_version: e.wording_version,
        wording_sha256: &e.wording_sha256,
        lang: &e.lang,
        method: e.method,
        source_url: &e.source_url,
        server_time: &e.server_time,
        client_time: &e.client_time,
        user_agent: &e.user_agent,
        ip_truncated: &e.ip_truncated,
        gpc: e.gpc,
        idempotency_key: &e.idempotency_key,
        request_origin: &e.request_origin,
        fetch_site: &e.fetch_site,
        support_context: e.support_context.map(SupportContext::as_str),
        direct_from_person: e.direct_from_person,
    };
    serde_json::to_vec(&canonical).expect("canonical event always serialises")
}

/// The SHA-256 of an event's canonical form: what its chain link commits to.
pub fn event_hash(e: &ConsentEvent) -> String {
    sha256_hex(&canonical_event(e))
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SubmissionError {
    #[error("{0}")]
    Email(#[from] EmailError),
    #[error("no purposes were ticked: consent must be a positive choice")]
    NoChoices,
    #[error("too many purposes in one submission (at most {MAX_CHOICES_PER_SUBMISSION})")]
    TooManyChoices,
    #[error("unknown purpose '{purpose}' on channel '{channel}' for this site")]
    UnknownPurpose { purpose: String, channel: &'static str },
    #[error("purpose '{purpose}' on channel '{channel}' was chosen twice")]
    DuplicateChoice { purpose: String, channel: &'static str },
    #[error("wording version {given} of '{purpose}' on '{channel}' is not current (current is {current}); reload the form")]
    StaleWording { purpose: String, channel: &'static str, given: u32, current: u32 },
    #[error("wording version {given} of '{purpose}' on '{channel}' does not exist")]
    UnknownWording { purpose: String, channel: &'static str, given: u32 },
    #[error("language '{0}' is not offered by this site")]
    UnknownLanguage(String),
    #[error("page_url must be an absolute http(s) URL of at most {MAX_URL_LEN} characters")]
    BadPageUrl,
    #[error("page_url must be a page on one of this site's registered origins")]
    ForeignPageUrl,
    #[error("source must be at most {MAX_URL_LEN} characters")]
    BadSource,
    #[error("client_time must be at most {MAX_CLIENT_TIME_LEN} characters")]
    BadClientTime,
    #[error("method '{0}' cannot be recorded here (use admin_import or paper_form)")]
    MethodNotAllowed(&'static str),
    #[error("purpose '{purpose}' on '{channel}' cannot be recorded as a charitable purpose soft opt-in: {refusal}")]
    SoftOptInRefused { purpose: String, channel: &'static str, refusal: SoftOptInRefusal },
    #[error("purpose '{purpose}' on '{channel}' does not rest on the charitable purpose soft opt-in: it needs the person's consent (a ticked box), not a notice")]
    NotOnSoftOptIn { purpose: String, channel: &'static str },
    #[error("purpose '{purpose}' on '{channel}' rests on the charitable purpose soft opt-in: the form shows its notice with a refusal box and sends the answer in 'notices', not as a consent")]
    NoticeNotConsent { purpose: String, channel: &'static str },
    #[error("a soft opt-in recorded by the organisation needs 'occurred_at': when the person gave their details (RFC 3339, on or after 2026-02-05)")]
    NoCollectionDate,
}

/// Facts about the request that the worker supplies: time, fresh ids, and request metadata.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub now: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub gpc: bool,
    pub idempotency_key: Option<String>,
    /// The request's `Origin`, when it is one the site registered (public form posts).
    pub request_origin: Option<String>,
    /// The request's `Sec-Fetch-Site`, when sent.
    pub fetch_site: Option<String>,
}

/// One purpose × channel a person granted or withdrew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub purpose: String,
    pub channel: Channel,
    pub action: Action,
    /// The wording the person saw; `None` means the current one.
    pub wording_version: Option<u32>,
}

/// How, where and in which language the choices were made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub method: Method,
    pub source_url: Option<String>,
    pub lang: String,
    pub client_time: Option<String>,
    /// For soft opt-in (and the refusal beside its notice): the declared support context.
    pub support_context: Option<SupportContext>,
    /// For soft opt-in: the details came from the person directly.
    pub direct_from_person: Option<bool>,
}

/// Whether a named wording version must be the one shown now (live forms) or may be any
/// version that existed (paper forms and imports, which were signed earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordingRule {
    MustBeCurrent,
    MayBeEarlier,
}

/// A validated set of changes for one person, ready to be written atomically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionPlan {
    /// The address to store for the subject; `None` keeps what is stored (e.g. a withdrawal
    /// through a link, which carries only the subject id).
    pub email: Option<Email>,
    pub subject: String,
    pub events: Vec<ConsentEvent>,
    /// One append mark per event (`chain::event_mark`), filled by `mark` just before writing;
    /// an event written without one is reported by verification and never sealed.
    pub marks: Vec<String>,
}

impl SubmissionPlan {
    /// Marks every event as written through the append path.
    pub fn mark(&mut self, ledger_key: &[u8]) {
        self.marks = self.events.iter().map(|e| crate::chain::event_mark(ledger_key, e)).collect();
    }

    /// The receipt with each event's id (for the admin key).
    pub fn receipt(&self) -> ConsentReceipt {
        self.receipt_with(true)
    }

    /// The receipt a public form gets: no event ids, so it depends only on what was submitted
    /// and when — never on whether the address could be recorded.
    pub fn public_receipt(&self) -> ConsentReceipt {
        self.receipt_with(false)
    }

    fn receipt_with(&self, event_ids: bool) -> ConsentReceipt {
        ConsentReceipt {
            preview: None,
            recorded_at: self.events.first().map(|e| e.server_time.clone()).unwrap_or_default(),
            events: self
                .events
                .iter()
                .map(|e| RecordedEvent {
                    event_id: event_ids.then(|| e.id.clone()),
                    purpose: e.purpose.clone(),
                    channel: e.channel,
                    action: e.action.as_str().to_string(),
                    wording_version: e.wording_version,
                    wording_sha256: e.wording_sha256.clone(),
                })
                .collect(),
        }
    }
}

/// Checks choices against the site: known purposes, existing (or current) wording, no repeats.
pub fn validate_choices(
    site: &SiteConfig,
    choices: &[Choice],
    lang: &str,
    rule: WordingRule,
) -> Result<(), SubmissionError> {
    if choices.is_empty() {
        return Err(SubmissionError::NoChoices);
    }
    if choices.len() > MAX_CHOICES_PER_SUBMISSION {
        return Err(SubmissionError::TooManyChoices);
    }
    if !site.offers_lang(lang) {
        return Err(SubmissionError::UnknownLanguage(lang.to_string()));
    }
    for (i, choice) in choices.iter().enumerate() {
        let channel = choice.channel.as_str();
        let purpose = || choice.purpose.clone();
        let pc = site
            .purpose(&choice.purpose, choice.channel)
            .ok_or_else(|| SubmissionError::UnknownPurpose { purpose: purpose(), channel })?;
        if let Some(given) = choice.wording_version {
            if !pc.wordings.iter().any(|w| w.version == given) {
                return Err(SubmissionError::UnknownWording { purpose: purpose(), channel, given });
            }
            if rule == WordingRule::MustBeCurrent && given != pc.current_version {
                let current = pc.current_version;
                return Err(SubmissionError::StaleWording { purpose: purpose(), channel, given, current });
            }
        }
        if choices[..i].iter().any(|c| c.purpose == choice.purpose && c.channel == choice.channel) {
            return Err(SubmissionError::DuplicateChoice { purpose: purpose(), channel });
        }
    }
    Ok(())
}

/// A web-form submission as choices: every ticked box is a grant of the wording shown; every
/// soft opt-in notice shown is a `soft_opt_in`, or an `objected` when its refusal box was ticked.
pub fn submission_choices(submission: &ConsentSubmission) -> Vec<Choice> {
    let consents = submission.consents.iter().map(|c| Choice {
        purpose: c.purpose.clone(),
        channel: c.channel,
        action: Action::Granted,
        wording_version: Some(c.wording_version),
    });
    let notices = submission.notices.iter().map(|n| Choice {
        purpose: n.purpose.clone(),
        channel: n.channel,
        action: if n.refused { Action::Objected } else { Action::SoftOptIn },
        wording_version: Some(n.wording_version),
    });
    consents.chain(notices).collect()
}

/// Checks validated choices against each purpose's lawful basis: a `soft_opt_in` only for a
/// purpose on the charitable soft opt-in and only for a collection that qualifies
/// (`basis::soft_opt_in_allowed`); on a web form (`from_notice`), a notice purpose only ever as
/// a notice answer and a consent purpose only ever as a ticked box.
pub fn check_bases(
    site: &SiteConfig,
    choices: &[Choice],
    collection: &Collection,
    from_notice: Option<&[bool]>,
) -> Result<(), SubmissionError> {
    for (i, choice) in choices.iter().enumerate() {
        let pc = site.purpose(&choice.purpose, choice.channel).expect("validated before");
        let channel = choice.channel.as_str();
        let purpose = || choice.purpose.clone();
        let soft = pc.basis == LawfulBasis::CharitySoftOptIn;
        if let Some(from_notice) = from_notice {
            match (soft, from_notice.get(i).copied().unwrap_or(false)) {
                (true, false) => {
                    return Err(SubmissionError::NoticeNotConsent { purpose: purpose(), channel })
                }
                (false, true) => return Err(SubmissionError::NotOnSoftOptIn { purpose: purpose(), channel }),
                _ => {}
            }
        }
        if choice.action == Action::SoftOptIn {
            if !soft {
                return Err(SubmissionError::NotOnSoftOptIn { purpose: purpose(), channel });
            }
            soft_opt_in_allowed(*collection).map_err(|refusal| SubmissionError::SoftOptInRefused {
                purpose: purpose(),
                channel,
                refusal,
            })?;
        }
    }
    Ok(())
}

/// Which of a web submission's choices (in `submission_choices` order) answer a notice.
pub fn notice_flags(submission: &ConsentSubmission) -> Vec<bool> {
    let mut flags = vec![false; submission.consents.len()];
    flags.resize(submission.consents.len() + submission.notices.len(), true);
    flags
}

/// A web form's collection: the worker's own form, so the details come from the person.
pub fn web_collection(submission: &ConsentSubmission, now: DateTime<Utc>) -> Collection {
    Collection {
        method: Method::WebForm,
        collected_at: now,
        context: submission.context,
        directly_from_person: true,
    }
}

/// The collection an administrator states for recorded changes. Soft opt-in needs an explicit
/// date (`occurred_at`), so a missing one is refused here when any change is a `soft_opt_in`.
pub fn recorded_collection(input: &RecordedChanges) -> Result<Option<Collection>, SubmissionError> {
    if !input.changes.iter().any(|c| c.action == Action::SoftOptIn) {
        return Ok(None);
    }
    let collected_at = input
        .occurred_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or(SubmissionError::NoCollectionDate)?
        .with_timezone(&Utc);
    Ok(Some(Collection {
        method: input.method,
        collected_at,
        context: input.context,
        directly_from_person: input.directly_from_person == Some(true),
    }))
}

/// Double opt-in: every email grant from a form waits for confirmation (`Pending`), also for
/// someone whose consent is already in force — a form proves nothing about who typed the
/// address, and answering differently would tell the typist who is on the list. (A `Pending`
/// does not replace a `Granted` in the current state, so a subscriber stays subscribed.)
/// Returns the choices now pending.
pub fn hold_for_confirmation(choices: &mut [Choice]) -> Vec<Choice> {
    let mut held = Vec::new();
    for c in choices.iter_mut() {
        if c.action == Action::Granted && c.channel == Channel::Email {
            c.action = Action::Pending;
            held.push(c.clone());
        }
    }
    held
}

/// Checks everything a person sent through a form. Returns the normalised email.
pub fn validate_submission(
    site: &SiteConfig,
    submission: &ConsentSubmission,
) -> Result<Email, SubmissionError> {
    let email = Email::parse(&submission.email)?;
    let page = page_location(&submission.page_url).ok_or(SubmissionError::BadPageUrl)?;
    if !site.allows_origin(&page.origin) {
        return Err(SubmissionError::ForeignPageUrl);
    }
    check_client_time(submission.client_time.as_deref())?;
    let lang = submission.lang.as_deref().unwrap_or(&site.default_lang);
    let choices = submission_choices(submission);
    validate_choices(site, &choices, lang, WordingRule::MustBeCurrent)?;
    Ok(email)
}

/// Where a form was: the origin and path of its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLocation {
    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    pub origin: String,
    pub path: String,
}

impl PageLocation {
    /// What the ledger keeps: origin + path. Query and fragment are dropped, because they can
    /// hold emails and tokens, and a chained event can never be edited.
    pub fn stored(&self) -> String {
        format!("{}{}", self.origin, self.path)
    }
}

/// Parses an absolute http(s) page URL (at most `MAX_URL_LEN`); `None` when it is not one.
pub fn page_location(page_url: &str) -> Option<PageLocation> {
    if !is_http_url(page_url) {
        return None;
    }
    let url = url::Url::parse(page_url).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    Some(PageLocation { origin: url.origin().ascii_serialization(), path: url.path().to_string() })
}

/// The provenance of a web-form submission (validated: its `page_url` is an http(s) URL).
pub fn submission_provenance(site: &SiteConfig, submission: &ConsentSubmission) -> Provenance {
    Provenance {
        method: Method::WebForm,
        source_url: page_location(&submission.page_url).map(|p| p.stored()),
        lang: submission.lang.clone().unwrap_or_else(|| site.default_lang.clone()),
        client_time: submission.client_time.clone(),
        support_context: submission.context,
        direct_from_person: Some(true),
    }
}

/// Checks changes an administrator records for one person (paper forms, imports, withdrawals
/// received by letter or phone).
pub fn validate_recorded_changes(
    site: &SiteConfig,
    input: &RecordedChanges,
) -> Result<(Email, Vec<Choice>, Provenance), SubmissionError> {
    let email = Email::parse(&input.email)?;
    if !matches!(input.method, Method::AdminImport | Method::PaperForm) {
        return Err(SubmissionError::MethodNotAllowed(input.method.as_str()));
    }
    if input.source.as_ref().is_some_and(|s| s.len() > MAX_URL_LEN) {
        return Err(SubmissionError::BadSource);
    }
    check_client_time(input.occurred_at.as_deref())?;
    let choices: Vec<Choice> = input
        .changes
        .iter()
        .map(|c| Choice {
            purpose: c.purpose.clone(),
            channel: c.channel,
            action: c.action,
            wording_version: c.wording_version,
        })
        .collect();
    let lang = input.lang.clone().unwrap_or_else(|| site.default_lang.clone());
    validate_choices(site, &choices, &lang, WordingRule::MayBeEarlier)?;
    if let Some(collection) = recorded_collection(input)? {
        check_bases(site, &choices, &collection, None)?;
    }
    let provenance = Provenance {
        method: input.method,
        source_url: input.source.clone(),
        lang,
        client_time: input.occurred_at.clone(),
        support_context: input.context,
        direct_from_person: input.directly_from_person,
    };
    Ok((email, choices, provenance))
}

fn check_client_time(t: Option<&str>) -> Result<(), SubmissionError> {
    if t.is_some_and(|t| t.len() > MAX_CLIENT_TIME_LEN) {
        Err(SubmissionError::BadClientTime)
    } else {
        Ok(())
    }
}

/// Builds the events for validated `choices`. `subject` is `subject::subject_id` of the
/// email; `ids` supplies one fresh id per event.
pub fn plan_events(
    site: &SiteConfig,
    email: Option<Email>,
    subject: String,
    choices: &[Choice],
    provenance: &Provenance,
    ctx: &RequestContext,
    ids: &mut dyn Iterator<Item = String>,
) -> SubmissionPlan {
    let server_time = format_utc(ctx.now);
    let user_agent = ctx.user_agent.as_deref().map(|ua| truncate_chars(ua, MAX_USER_AGENT_LEN));
    let ip_truncated = ctx.ip.as_deref().and_then(truncate_ip);
    let mut events = Vec::with_capacity(choices.len());
    for choice in choices {
        let pc = site.purpose(&choice.purpose, choice.channel).expect("validated before planning");
        let version = choice.wording_version.unwrap_or(pc.current_version);
        let wording =
            wording_version(site, pc, version, &provenance.lang).expect("validated before planning");
        // The collection evidence belongs to the answer to a soft opt-in notice.
        let notice_answer = pc.basis == LawfulBasis::CharitySoftOptIn
            && matches!(choice.action, Action::SoftOptIn | Action::Objected);
        events.push(ConsentEvent {
            id: ids.next().expect("one id per event"),
            site_id: site.id.clone(),
            subject: subject.clone(),
            purpose: choice.purpose.clone(),
            channel: choice.channel,
            action: choice.action,
            wording_version: wording.version,
            wording_sha256: wording.sha256.clone(),
            lang: wording.lang.clone(),
            method: provenance.method,
            source_url: provenance.source_url.clone(),
            server_time: server_time.clone(),
            client_time: provenance.client_time.clone(),
            user_agent: user_agent.clone(),
            ip_truncated: ip_truncated.clone(),
            gpc: ctx.gpc,
            idempotency_key: ctx.idempotency_key.clone(),
            request_origin: ctx.request_origin.clone(),
            fetch_site: ctx.fetch_site.clone(),
            support_context: notice_answer.then_some(provenance.support_context).flatten(),
            direct_from_person: notice_answer.then_some(provenance.direct_from_person).flatten(),
        });
    }
    SubmissionPlan { email, subject, events, marks: Vec::new() }
}

/// Wording `version` in `lang`, else in the site's default language, else in any language.
fn wording_version<'a>(
    site: &SiteConfig,
    pc: &'a PurposeChannel,
    version: u32,
    lang: &str,
) -> Option<&'a Wording> {
    let of = |l: &str| pc.wordings.iter().find(|w| w.version == version && w.lang == l);
    of(lang).or_else(|| of(&site.default_lang)).or_else(|| pc.wordings.iter().find(|w| w.version == version))
}

fn truncate_chars(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Keeps the network part of an address: IPv4 to /24, IPv6 to /48.
pub fn truncate_ip(ip: &str) -> Option<String> {
    match ip.trim().parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.0/24"))
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]))
        }
    }
}

#[cfg(test)]
mod tests;
