//! Sites: the organisation behind a consent request, where its forms may be embedded, and the
//! purposes × channels it asks about with the exact wording currently shown for each.

use serde::{Deserialize, Serialize};

use crate::consent::ConsentEvent;

/// How the organisation will contact the person. Stored in records: variants are never removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Post,
    Phone,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Email, Channel::Post, Channel::Phone, Channel::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Post => "post",
            Channel::Phone => "phone",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(raw: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == raw)
    }
}

/// Who is asking: the PECR/ICO rule is that consent wording names the organisation, and the
/// privacy notice tells people how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub name: String,
    pub contact_email: String,
    pub postal_address: String,
    pub privacy_notice_url: String,
    pub cookie_policy_url: String,
    /// The charity's number with its regulator: `1234567` (Charity Commission for England and
    /// Wales, digits), `SC012345` (OSCR, Scotland), `NIC100002` (Charity Commission for Northern
    /// Ireland), or `exempt: <principal regulator>` for an exempt charity (e.g. a university:
    /// `exempt: Office for Students`). Present and well-formed = the organisation is a charity and
    /// may use the charitable purpose soft opt-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charity_number: Option<String>,
}

impl Organisation {
    pub fn is_charity(&self) -> bool {
        self.charity_number.as_deref().is_some_and(crate::basis::is_charity_number)
    }
}

/// One exact statement shown to people, for one purpose × channel, in one language.
/// A new text is a new version; old versions are kept so every record can be traced to its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wording {
    pub version: u32,
    pub lang: String,
    /// A short heading for the option, e.g. "News and events".
    pub label: String,
    /// The exact consent statement next to the checkbox.
    pub text: String,
    /// Lower-case hex SHA-256 of `text` as UTF-8.
    pub sha256: String,
    /// For a purpose on the charitable soft opt-in, `text` is the notice shown instead of a
    /// consent statement, and this is the label of the unticked box to refuse
    /// ("I don't want to receive …"); versioned with the notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
}

/// A purpose offered on a channel, with its currently shown wording in each language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurposeChannel {
    pub purpose: String,
    pub channel: Channel,
    pub current_version: u32,
    pub wordings: Vec<Wording>,
    /// Why the organisation may contact people for this purpose on this channel.
    #[serde(default)]
    pub basis: crate::basis::LawfulBasis,
    /// The owner declared the messages' sole purpose is to further the charity's charitable
    /// purposes (a condition of the soft opt-in).
    #[serde(default)]
    pub furthers_charitable_purposes: bool,
}

/// Everything the worker needs to know about a site to validate and record a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StoredSite))]
pub struct SiteConfig {
    pub id: String,
    pub organisation: Organisation,
    /// Exact origins (scheme://host[:port]) whose pages may embed the widget and post consents.
    pub allowed_origins: Vec<String>,
    pub default_lang: String,
    /// Version of the cookie banner wording; a new version asks everyone again.
    pub policy_version: u32,
    pub purposes: Vec<PurposeChannel>,
    pub cookie_categories: Vec<CookieCategory>,
    /// Every banner wording ever shown (`version` = the policy version it belonged to).
    pub banner: Vec<BannerWording>,
    /// Double opt-in: email consents from web forms stay pending until confirmed by email.
    #[serde(default)]
    pub double_opt_in: bool,
    /// Which cookie rules apply to visitors from where.
    #[serde(default)]
    pub region_rules: crate::basis::RegionRules,
}

/// A group of cookies the banner asks about, e.g. analytics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CookieCategory {
    pub key: String,
    /// Strictly necessary: always on, shown as such, never asked about.
    pub required: bool,
    pub texts: Vec<CategoryText>,
    /// The Google Consent Mode v2 signals that accepting this category grants. Nothing declared:
    /// accepting it grants none (the loader sends them all as `denied`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent_mode: Vec<ConsentSignal>,
    /// What the category is for, which decides whether it needs consent. `required` is
    /// `basis == StrictlyNecessary`.
    #[serde(default)]
    pub basis: crate::basis::CookieBasis,
}

/// One of the four Google Consent Mode v2 signals a cookie category can grant. Stored in site
/// definitions: variants are never removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentSignal {
    AdStorage,
    AnalyticsStorage,
    AdUserData,
    AdPersonalization,
}

impl ConsentSignal {
    pub const ALL: [ConsentSignal; 4] = [
        ConsentSignal::AdStorage,
        ConsentSignal::AnalyticsStorage,
        ConsentSignal::AdUserData,
        ConsentSignal::AdPersonalization,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSignal::AdStorage => "ad_storage",
            ConsentSignal::AnalyticsStorage => "analytics_storage",
            ConsentSignal::AdUserData => "ad_user_data",
            ConsentSignal::AdPersonalization => "ad_personalization",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryText {
    pub lang: String,
    pub label: String,
    pub description: String,
}

/// The banner's first-layer statement, per policy version and language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BannerWording {
    pub version: u32,
    pub lang: String,
    pub text: String,
    pub sha256: String,
}

impl SiteConfig {
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }

    pub fn purpose(&self, purpose: &str, channel: Channel) -> Option<&PurposeChannel> {
        self.purposes.iter().find(|p| p.purpose == purpose && p.channel == channel)
    }

    /// The current wording for a purpose × channel in `lang`, falling back to the site's default
    /// language when that translation does not exist.
    pub fn current_wording<'a>(&self, pc: &'a PurposeChannel, lang: &str) -> Option<&'a Wording> {
        let current = |l: &str| pc.wordings.iter().find(|w| w.version == pc.current_version && w.lang == l);
        current(lang).or_else(|| current(&self.default_lang))
    }

    /// The exact wording an event records: its version, in the language it was shown in.
    pub fn wording_of(&self, event: &ConsentEvent) -> Option<&Wording> {
        let pc = self.purpose(&event.purpose, event.channel)?;
        pc.wordings.iter().find(|w| w.version == event.wording_version && w.lang == event.lang)
    }

    /// The current banner wording in `lang`, else in the default language.
    pub fn current_banner(&self, lang: &str) -> Option<&BannerWording> {
        let current = |l: &str| self.banner.iter().find(|b| b.version == self.policy_version && b.lang == l);
        current(lang).or_else(|| current(&self.default_lang))
    }

    /// Whether any current wording (form or banner) exists in `lang`.
    pub fn offers_lang(&self, lang: &str) -> bool {
        self.purposes.iter().flat_map(|p| &p.wordings).any(|w| w.lang == lang)
            || self.banner.iter().any(|b| b.lang == lang)
    }
}

/// A site id is what appears in URLs and `data-site`: short, lower-case, URL-safe.
pub fn is_valid_site_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
