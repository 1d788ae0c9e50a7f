//! Cookie-banner decisions: checking what the browser reports against the site's banner, and
//! the anonymous record kept as evidence.

use thiserror::Error;

use crate::api::v1::CookieDecision;
use crate::consent::{CookieChoice, CookieConsentRecord};
use crate::ledger::{truncate_ip, RequestContext, MAX_CLIENT_TIME_LEN, MAX_USER_AGENT_LEN};
use crate::site::SiteConfig;
use crate::time::format_utc;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CookieDecisionError {
    #[error("consent_id must be 8-64 characters of letters, digits and '-'")]
    ConsentId,
    #[error("policy version {given} is not current (current is {current}); reload the banner")]
    StalePolicy { given: u32, current: u32 },
    #[error("wording_sha256 does not match the banner shown for policy version {0}")]
    UnknownWording(u32),
    #[error("unknown cookie category '{0}'")]
    UnknownCategory(String),
    #[error("'{0}' is strictly necessary: it is always on and is not a choice")]
    RequiredCategory(String),
    #[error("cookie category '{0}' appears twice")]
    DuplicateCategory(String),
    #[error("choice '{0}' does not match the categories sent")]
    InconsistentChoice(&'static str),
    #[error("client_time must be at most {MAX_CLIENT_TIME_LEN} characters")]
    BadClientTime,
}

pub fn validate_cookie_decision(site: &SiteConfig, d: &CookieDecision) -> Result<(), CookieDecisionError> {
    let id_ok = (8..=64).contains(&d.consent_id.len())
        && d.consent_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !id_ok {
        return Err(CookieDecisionError::ConsentId);
    }
    if d.policy_version != site.policy_version {
        return Err(CookieDecisionError::StalePolicy {
            given: d.policy_version,
            current: site.policy_version,
        });
    }
    let shown = site.banner.iter().any(|b| b.version == d.policy_version && b.sha256 == d.wording_sha256);
    if !shown {
        return Err(CookieDecisionError::UnknownWording(d.policy_version));
    }
    for (i, key) in d.categories.iter().enumerate() {
        let category = site
            .cookie_categories
            .iter()
            .find(|c| &c.key == key)
            .ok_or_else(|| CookieDecisionError::UnknownCategory(key.clone()))?;
        if category.required {
            return Err(CookieDecisionError::RequiredCategory(key.clone()));
        }
        if d.categories[..i].contains(key) {
            return Err(CookieDecisionError::DuplicateCategory(key.clone()));
        }
    }
    let optional = site.cookie_categories.iter().filter(|c| !c.required).count();
    let consistent = match d.choice {
        CookieChoice::AcceptAll => d.categories.len() == optional,
        CookieChoice::RejectAll | CookieChoice::GpcSignal => d.categories.is_empty(),
        // An objection lists what the visitor still allows (nothing, or the consented ones).
        CookieChoice::Custom | CookieChoice::Object => true,
    };
    if !consistent {
        return Err(CookieDecisionError::InconsistentChoice(d.choice.as_str()));
    }
    if d.client_time.as_ref().is_some_and(|t| t.len() > MAX_CLIENT_TIME_LEN) {
        return Err(CookieDecisionError::BadClientTime);
    }
    Ok(())
}

/// The record of a validated decision. `id` is fresh; request facts come from `ctx`.
pub fn cookie_record(
    site: &SiteConfig,
    d: &CookieDecision,
    ctx: &RequestContext,
    id: String,
    rule_set: Option<crate::basis::RuleSet>,
) -> CookieConsentRecord {
    CookieConsentRecord {
        id,
        site_id: site.id.clone(),
        consent_id: d.consent_id.clone(),
        categories: d.categories.clone(),
        policy_version: d.policy_version,
        wording_sha256: d.wording_sha256.clone(),
        choice: d.choice,
        reject_on_first_layer: d.reject_on_first_layer,
        gpc: d.gpc || ctx.gpc,
        server_time: format_utc(ctx.now),
        client_time: d.client_time.clone(),
        user_agent: ctx.user_agent.as_deref().map(|ua| ua.chars().take(MAX_USER_AGENT_LEN).collect()),
        ip_truncated: ctx.ip.as_deref().and_then(truncate_ip),
        rule_set,
    }
}
