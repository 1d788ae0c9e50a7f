//! Turning an owner's `SiteDefinition` into a `SiteConfig`: validation, and wording versions.
//!
//! Wording is evidence, so it is never edited in place: when the text (or label) of a purpose ×
//! channel changes in any language, all its texts become a new version and the old version stays
//! stored. The banner works the same way with the site's policy version, which also makes every
//! visitor be asked again.

use thiserror::Error;

use crate::api::v1::{
    CookieCategoryDefinition, PurposeDefinition, SiteDefinition, TextDefinition, WordingDefinition,
};
use crate::basis::{check_basis, BasisFacts, BasisRefusal, CookieBasis, LawfulBasis};
use crate::digest::sha256_hex;
use crate::email::Email;
use crate::site::{BannerWording, ConsentSignal, CookieCategory, PurposeChannel, SiteConfig, Wording};

pub const MAX_TEXT_LEN: usize = 4000;
pub const MAX_PURPOSES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DefinitionError {
    #[error("site id must be 1-64 characters of a-z, 0-9, '-' or '_'")]
    SiteId,
    #[error("organisation.{0} must not be empty")]
    MissingOrganisationField(&'static str),
    #[error("organisation.contact_email is not a valid email address")]
    ContactEmail,
    #[error("{0} must be an absolute http(s) URL")]
    Url(&'static str),
    #[error(
        "allowed origin '{0}' must look like https://example.org (scheme, host, optional port; no path)"
    )]
    Origin(String),
    #[error("'{0}' must be 1-40 characters of a-z, 0-9, '-' or '_'")]
    Key(String),
    #[error("language '{0}' must be a short code such as en or cy")]
    Lang(String),
    #[error("purpose '{0}' on channel '{1}' is defined twice")]
    DuplicatePurpose(String, &'static str),
    #[error("purpose '{0}' on channel '{1}' has no wording in the default language '{2}'")]
    MissingDefaultWording(String, &'static str, String),
    #[error("purpose '{0}' on channel '{1}' has two wordings in language '{2}'")]
    DuplicateLang(String, &'static str, String),
    #[error("a text or label is empty or longer than {MAX_TEXT_LEN} characters")]
    TextLength,
    #[error("too many purposes (at most {MAX_PURPOSES})")]
    TooManyPurposes,
    #[error("cookie category '{0}' is defined twice")]
    DuplicateCategory(String),
    #[error("cookie category '{0}' names the Consent Mode signal '{1}' twice")]
    DuplicateSignal(String, &'static str),
    #[error(
        "cookie category '{0}' is required, so it cannot grant Consent Mode signals: each of them needs the visitor's consent"
    )]
    SignalOnRequired(String),
    #[error("the banner needs a text in the default language '{0}' when there are cookie categories")]
    MissingBanner(String),
    #[error("organisation.charity_number '{0}' is not a charity number: give the digits of a charity registered in England and Wales (e.g. 1234567), SC and 6 digits in Scotland, NIC and 6 digits in Northern Ireland, or 'exempt: <principal regulator>' for an exempt charity")]
    CharityNumber(String),
    #[error("purpose '{0}' on channel '{1}': {2}")]
    Basis(String, &'static str, BasisRefusal),
    #[error("purpose '{0}' on channel '{1}' rests on the charitable purpose soft opt-in: its wording in '{2}' needs a 'refusal' (the label of the unticked box to refuse, e.g. \"I don't want to receive emails about our work\"), and its 'text' is the notice shown instead of a consent statement")]
    MissingRefusal(String, &'static str, String),
    #[error("purpose '{0}' on channel '{1}' has a 'refusal' label, which only a purpose on the charitable purpose soft opt-in shows")]
    RefusalWithoutSoftOptIn(String, &'static str),
    #[error("cookie category '{0}' is required (strictly necessary) but its basis is '{1}'")]
    RequiredWithOtherBasis(String, &'static str),
    #[error("cookie category '{0}' runs without consent (basis '{1}'), so it cannot grant the advertising signal '{2}': advertising, profiling and cross-site tracking always need consent (basis 'consent')")]
    AdvertisingWithoutConsent(String, &'static str, &'static str),
}

/// A cookie category's basis as its definition gives it (`required` is the older spelling).
pub fn category_basis(required: bool, basis: Option<CookieBasis>) -> CookieBasis {
    basis.unwrap_or(if required { CookieBasis::StrictlyNecessary } else { CookieBasis::Consent })
}

/// The definition that gives `site` as it stands: its current wording versions only (applying it
/// to `site` changes nothing). The console edits this and applies it as the API would.
pub fn definition_of(site: &SiteConfig) -> SiteDefinition {
    SiteDefinition {
        organisation: site.organisation.clone(),
        allowed_origins: site.allowed_origins.clone(),
        default_lang: site.default_lang.clone(),
        purposes: site
            .purposes
            .iter()
            .map(|p| PurposeDefinition {
                purpose: p.purpose.clone(),
                channel: p.channel,
                wordings: p
                    .wordings
                    .iter()
                    .filter(|w| w.version == p.current_version)
                    .map(|w| WordingDefinition {
                        lang: w.lang.clone(),
                        label: w.label.clone(),
                        text: w.text.clone(),
                        refusal: w.refusal.clone(),
                    })
                    .collect(),
                basis: p.basis,
                furthers_charitable_purposes: p.furthers_charitable_purposes,
            })
            .collect(),
        cookie_categories: site
            .cookie_categories
            .iter()
            .map(|c| CookieCategoryDefinition {
                key: c.key.clone(),
                required: c.required,
                basis: Some(c.basis),
                texts: c.texts.clone(),
                consent_mode: c.consent_mode.clone(),
            })
            .collect(),
        banner: site
            .banner
            .iter()
            .filter(|b| b.version == site.policy_version)
            .map(|b| TextDefinition { lang: b.lang.clone(), text: b.text.clone() })
            .collect(),
        double_opt_in: site.double_opt_in,
        region_rules: Some(site.region_rules),
    }
}

/// The site `id` as `def` describes it, versioned against what is stored (`existing`).
pub fn apply_definition(
    id: &str,
    existing: Option<&SiteConfig>,
    def: &SiteDefinition,
) -> Result<SiteConfig, DefinitionError> {
    validate(id, def)?;
    let purposes = def
        .purposes
        .iter()
        .map(|p| {
            let old = existing.and_then(|e| e.purpose(&p.purpose, p.channel));
            PurposeChannel {
                basis: p.basis,
                furthers_charitable_purposes: p.furthers_charitable_purposes,
                ..version_purpose(old, &p.purpose, p.channel, &p.wordings)
            }
        })
        .collect();
    let (policy_version, banner) = version_banner(existing, &def.banner);
    Ok(SiteConfig {
        id: id.to_string(),
        organisation: def.organisation.clone(),
        allowed_origins: {
            let mut o = def.allowed_origins.clone();
            o.sort();
            o.dedup();
            o
        },
        default_lang: def.default_lang.clone(),
        policy_version,
        purposes,
        cookie_categories: def
            .cookie_categories
            .iter()
            .map(|c| {
                let basis = category_basis(c.required, c.basis);
                CookieCategory {
                    key: c.key.clone(),
                    required: basis == CookieBasis::StrictlyNecessary,
                    texts: c.texts.clone(),
                    consent_mode: c.consent_mode.clone(),
                    basis,
                }
            })
            .collect(),
        banner,
        double_opt_in: def.double_opt_in,
        region_rules: def.region_rules.unwrap_or_default(),
    })
}

fn version_purpose(
    old: Option<&PurposeChannel>,
    purpose: &str,
    channel: crate::site::Channel,
    wordings: &[WordingDefinition],
) -> PurposeChannel {
    let same_as_current = old.is_some_and(|old| {
        let current: Vec<_> = old.wordings.iter().filter(|w| w.version == old.current_version).collect();
        current.len() == wordings.len()
            && wordings.iter().all(|d| {
                current.iter().any(|w| {
                    w.lang == d.lang && w.label == d.label && w.text == d.text && w.refusal == d.refusal
                })
            })
    });
    match old {
        Some(old) if same_as_current => old.clone(),
        _ => {
            let version = old.map_or(1, |o| o.wordings.iter().map(|w| w.version).max().unwrap_or(0) + 1);
            let mut all = old.map(|o| o.wordings.clone()).unwrap_or_default();
            all.extend(wordings.iter().map(|d| Wording {
                version,
                lang: d.lang.clone(),
                label: d.label.clone(),
                text: d.text.clone(),
                sha256: sha256_hex(d.text.as_bytes()),
                refusal: d.refusal.clone(),
            }));
            PurposeChannel {
                purpose: purpose.to_string(),
                channel,
                current_version: version,
                wordings: all,
                basis: LawfulBasis::Consent,
                furthers_charitable_purposes: false,
            }
        }
    }
}

fn version_banner(existing: Option<&SiteConfig>, texts: &[TextDefinition]) -> (u32, Vec<BannerWording>) {
    let Some(site) = existing else {
        return (1, banner_version(1, texts));
    };
    let current: Vec<_> = site.banner.iter().filter(|b| b.version == site.policy_version).collect();
    let unchanged = current.len() == texts.len()
        && texts.iter().all(|t| current.iter().any(|b| b.lang == t.lang && b.text == t.text));
    if unchanged {
        return (site.policy_version, site.banner.clone());
    }
    let version = site.policy_version + 1;
    let mut all = site.banner.clone();
    all.extend(banner_version(version, texts));
    (version, all)
}

fn banner_version(version: u32, texts: &[TextDefinition]) -> Vec<BannerWording> {
    texts
        .iter()
        .map(|t| BannerWording {
            version,
            lang: t.lang.clone(),
            text: t.text.clone(),
            sha256: sha256_hex(t.text.as_bytes()),
        })
        .collect()
}

fn validate(id: &str, def: &SiteDefinition) -> Result<(), DefinitionError> {
    if !crate::site::is_valid_site_id(id) {
        return Err(DefinitionError::SiteId);
    }
    let org = &def.organisation;
    for (field, value) in [("name", &org.name), ("postal_address", &org.postal_address)] {
        if value.trim().is_empty() {
            return Err(DefinitionError::MissingOrganisationField(field));
        }
    }
    Email::parse(&org.contact_email).map_err(|_| DefinitionError::ContactEmail)?;
    if let Some(number) = &org.charity_number {
        if !crate::basis::is_charity_number(number) {
            return Err(DefinitionError::CharityNumber(number.clone()));
        }
    }
    for (field, url) in [
        ("organisation.privacy_notice_url", &org.privacy_notice_url),
        ("organisation.cookie_policy_url", &org.cookie_policy_url),
    ] {
        if !is_http_url(url) {
            return Err(DefinitionError::Url(field));
        }
    }
    for origin in &def.allowed_origins {
        if !is_origin(origin) {
            return Err(DefinitionError::Origin(origin.clone()));
        }
    }
    check_lang(&def.default_lang)?;
    if def.purposes.len() > MAX_PURPOSES {
        return Err(DefinitionError::TooManyPurposes);
    }
    for (i, p) in def.purposes.iter().enumerate() {
        check_key(&p.purpose)?;
        let channel = p.channel.as_str();
        if def.purposes[..i].iter().any(|q| q.purpose == p.purpose && q.channel == p.channel) {
            return Err(DefinitionError::DuplicatePurpose(p.purpose.clone(), channel));
        }
        for (j, w) in p.wordings.iter().enumerate() {
            check_lang(&w.lang)?;
            check_text(&w.label)?;
            check_text(&w.text)?;
            if p.wordings[..j].iter().any(|v| v.lang == w.lang) {
                return Err(DefinitionError::DuplicateLang(p.purpose.clone(), channel, w.lang.clone()));
            }
            match (&w.refusal, p.basis) {
                (Some(refusal), LawfulBasis::CharitySoftOptIn) => check_text(refusal)?,
                (None, LawfulBasis::CharitySoftOptIn) => {
                    return Err(DefinitionError::MissingRefusal(p.purpose.clone(), channel, w.lang.clone()))
                }
                (Some(_), _) => {
                    return Err(DefinitionError::RefusalWithoutSoftOptIn(p.purpose.clone(), channel))
                }
                (None, _) => {}
            }
        }
        let facts = BasisFacts {
            is_charity: org.is_charity(),
            furthers_charitable_purposes: p.furthers_charitable_purposes,
        };
        check_basis(p.basis, p.channel, facts)
            .map_err(|refusal| DefinitionError::Basis(p.purpose.clone(), channel, refusal))?;
        if !p.wordings.iter().any(|w| w.lang == def.default_lang) {
            return Err(DefinitionError::MissingDefaultWording(
                p.purpose.clone(),
                channel,
                def.default_lang.clone(),
            ));
        }
    }
    for (i, c) in def.cookie_categories.iter().enumerate() {
        check_key(&c.key)?;
        if def.cookie_categories[..i].iter().any(|d| d.key == c.key) {
            return Err(DefinitionError::DuplicateCategory(c.key.clone()));
        }
        for t in &c.texts {
            check_lang(&t.lang)?;
            check_text(&t.label)?;
            check_text(&t.description)?;
        }
        // Only the four names parse at all (`ConsentSignal`); here: no repeats, none on a
        // category that is always on.
        let basis = category_basis(c.required, c.basis);
        if c.required && basis != CookieBasis::StrictlyNecessary {
            return Err(DefinitionError::RequiredWithOtherBasis(c.key.clone(), basis.as_str()));
        }
        if basis == CookieBasis::StrictlyNecessary && !c.consent_mode.is_empty() {
            return Err(DefinitionError::SignalOnRequired(c.key.clone()));
        }
        if matches!(basis, CookieBasis::Statistics | CookieBasis::Appearance) {
            if let Some(ad) = c.consent_mode.iter().find(|s| **s != ConsentSignal::AnalyticsStorage) {
                return Err(DefinitionError::AdvertisingWithoutConsent(
                    c.key.clone(),
                    basis.as_str(),
                    ad.as_str(),
                ));
            }
        }
        for (j, s) in c.consent_mode.iter().enumerate() {
            if c.consent_mode[..j].contains(s) {
                return Err(DefinitionError::DuplicateSignal(c.key.clone(), s.as_str()));
            }
        }
    }
    for t in &def.banner {
        check_lang(&t.lang)?;
        check_text(&t.text)?;
    }
    if !def.cookie_categories.is_empty() && !def.banner.iter().any(|t| t.lang == def.default_lang) {
        return Err(DefinitionError::MissingBanner(def.default_lang.clone()));
    }
    Ok(())
}

pub fn check_key(key: &str) -> Result<(), DefinitionError> {
    let ok = (1..=40).contains(&key.len())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(DefinitionError::Key(key.to_string()))
    }
}

fn check_lang(lang: &str) -> Result<(), DefinitionError> {
    let ok = (2..=8).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(DefinitionError::Lang(lang.to_string()))
    }
}

pub fn check_text(text: &str) -> Result<(), DefinitionError> {
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_LEN {
        Err(DefinitionError::TextLength)
    } else {
        Ok(())
    }
}

pub(crate) fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    url.len() <= crate::ledger::MAX_URL_LEN
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")) else {
        return false;
    };
    let (host, port) = rest.split_once(':').unwrap_or((rest, ""));
    !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && (port.is_empty() || (port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit())))
}

#[cfg(test)]
mod tests;
