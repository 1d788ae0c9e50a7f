//! The consent check for backends (what a mailer or CRM asks before each send):
//! `GET /api/v1/sites/{site}/subjects/check?email=&purpose=&channel=` for one address,
//! `POST` the same path with up to 1,000. The answer has the same shape for every address,
//! known or not; a suppressed or erased address may never be contacted.
//!
//! The audit trail counts checks, never the addresses: each request adds its number of
//! addresses to a (site, actor, UTC day) count, and the cron turns each finished day's count
//! into one `subjects_checked` entry (`audit::summarise_subject_checks`). One entry per request
//! would flood the trail with a mailer's every send, and the trail must stay append-only, so the
//! running count lives in its own table until the day is over.

use consent_shared::access::Action;
use consent_shared::api::v1::{
    CheckBasis, SubjectCheck, SubjectCheckBatch, SubjectCheckResult, SubjectCheckResults, MAX_CHECK_BATCH,
};
use consent_shared::audit::actor_type;
use consent_shared::basis::LawfulBasis;
use consent_shared::consent::Action as ConsentAction;
use consent_shared::email::Email;
use consent_shared::site::{Channel, SiteConfig};
use consent_shared::subject::subject_id;

use super::admin::{admin_email, admin_site};
use super::links::LinkSigner;
use super::{json_body_capped, require_method, App, RequestFacts, MAX_CHECK_BODY_BYTES};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::audit::{CheckCount, Standing};
use crate::store::Store;

/// Subject ids looked up per storage round trip.
pub(super) const STANDINGS_PER_QUERY: usize = 100;

pub async fn check<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let (site, principal) = admin_site(app, site_id, req, facts, Action::CheckSubjects).await?;
    let actor = principal.actor();
    require_method(req, &["GET", "POST"])?;
    let (purpose, channel, emails, single) = if req.method == "GET" {
        let email = req
            .query_param("email")
            .ok_or_else(|| AppError::BadRequest("query parameter 'email' is required".into()))?;
        let purpose = required(req, "purpose")?;
        let channel_raw = required(req, "channel")?;
        let channel = Channel::parse(&channel_raw).ok_or_else(|| {
            AppError::BadRequest(format!("unknown channel '{channel_raw}' (email, post, phone or sms)"))
        })?;
        // A malformed address in a single check is the caller's mistake: say so.
        admin_email(&email)?;
        (purpose, channel, vec![email], true)
    } else {
        let batch: SubjectCheckBatch = json_body_capped(req, MAX_CHECK_BODY_BYTES)?;
        if batch.emails.len() > MAX_CHECK_BATCH {
            return Err(AppError::TooManyAddresses(MAX_CHECK_BATCH));
        }
        (batch.purpose, batch.channel, batch.emails, false)
    };
    known_purpose(&site, &purpose, channel)?;

    let ids: Vec<Option<String>> = emails
        .iter()
        .map(|raw| Email::parse(raw).ok().map(|e| subject_id(&app.config.subject_key, &site.id, &e)))
        .collect();
    let valid: Vec<String> = ids.iter().flatten().cloned().collect();
    let mut standings = Vec::with_capacity(valid.len());
    for chunk in valid.chunks(STANDINGS_PER_QUERY) {
        standings.extend(app.store.subject_standings(&site.id, &purpose, channel, chunk).await?);
    }
    if standings.len() != valid.len() {
        return Err(AppError::Internal(format!(
            "subject standings: {} rows for {} ids",
            standings.len(),
            valid.len()
        )));
    }

    // Counted before the answer leaves: a check that cannot be counted is not answered.
    let count = CheckCount {
        site: site.id.clone(),
        day: facts.now.format("%Y-%m-%d").to_string(),
        actor_type: actor_type(&actor).to_string(),
        actor: actor.label(),
        checks: i64::try_from(emails.len()).unwrap_or(i64::MAX),
    };
    if count.checks > 0 {
        app.store.count_subject_checks(&count).await?;
    }

    let signer = app.config.links_off().is_none().then(|| LinkSigner::for_request(app, req, facts));
    let purpose_basis = site.purpose(&purpose, channel).map(|pc| pc.basis).unwrap_or_default();
    let answer =
        |s: &Standing| standing_answer(s, purpose_basis, signer.as_ref(), &site.id, &purpose, channel);
    let mut standings = standings.iter();
    let mut results = Vec::with_capacity(emails.len());
    for (email, id) in emails.into_iter().zip(&ids) {
        let result = match id {
            Some(_) => {
                let standing = standings.next().expect("one standing per valid address (counted above)");
                SubjectCheckResult { email, check: Some(answer(standing)), error: None }
            }
            None => SubjectCheckResult { email, check: None, error: Some("invalid_email".into()) },
        };
        results.push(result);
    }
    let response = if single {
        let check = results.pop().and_then(|r| r.check).expect("a single valid address has its answer");
        HttpResponse::json(200, &check)
    } else {
        HttpResponse::json(200, &SubjectCheckResults { results })
    };
    Ok(response.with_header("cache-control", "no-store"))
}

fn required(req: &HttpRequest, name: &str) -> Result<String, AppError> {
    req.query_param(name).ok_or_else(|| AppError::BadRequest(format!("query parameter '{name}' is required")))
}

fn known_purpose(site: &SiteConfig, purpose: &str, channel: Channel) -> Result<(), AppError> {
    match site.purpose(purpose, channel) {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound(format!(
            "site '{}' has no purpose '{purpose}' on channel '{}'",
            site.id,
            channel.as_str()
        ))),
    }
}

/// What one standing means for contacting the person now. Suppression wins over everything, then
/// restriction; otherwise the consent in force decides (as the audience export does).
pub(super) fn standing_answer(
    s: &Standing,
    purpose_basis: LawfulBasis,
    signer: Option<&LinkSigner>,
    site: &str,
    purpose: &str,
    channel: Channel,
) -> SubjectCheck {
    let (may_contact, basis, since) = if s.suppressed_at.is_some() {
        (false, CheckBasis::Suppressed, s.suppressed_at.clone())
    } else if s.restricted {
        (false, CheckBasis::Restricted, None)
    } else {
        match s.action {
            Some(ConsentAction::Granted) if s.has_email => (true, CheckBasis::Consent, s.since.clone()),
            Some(ConsentAction::SoftOptIn) if s.has_email => {
                (true, CheckBasis::CharitySoftOptIn, s.since.clone())
            }
            Some(ConsentAction::Withdrawn) => (false, CheckBasis::Withdrawn, s.since.clone()),
            Some(ConsentAction::Objected) => (false, CheckBasis::Objected, s.since.clone()),
            Some(ConsentAction::Pending) => (false, CheckBasis::PendingConfirmation, s.since.clone()),
            // Post on legitimate interests: everyone held who has not objected (the audience).
            _ if purpose_basis == LawfulBasis::LegitimateInterests && s.has_email => {
                (true, CheckBasis::LegitimateInterests, s.since.clone())
            }
            Some(ConsentAction::Granted | ConsentAction::SoftOptIn) | None => {
                (false, CheckBasis::NoConsent, None)
            }
        }
    };
    let unsubscribe_url = may_contact
        .then(|| signer.map(|l| l.unsubscribe_url(site, &s.subject, Some(purpose.to_string()), channel)))
        .flatten();
    SubjectCheck { may_contact, basis, since, unsubscribe_url }
}
