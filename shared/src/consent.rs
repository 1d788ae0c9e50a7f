//! Consent events: the append-only, hash-chained record of who agreed to (or withdrew from) what,
//! when, and how. These are storage formats: enum variants are never removed or renamed.

use serde::{Deserialize, Serialize};

use crate::site::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Granted,
    Withdrawn,
    /// Double opt-in: asked for from a form, not in force until the person confirms it from the
    /// link in a confirmation message (then a `Granted` event follows).
    Pending,
    /// PECR reg. 22(3A): a charity collected the person's details while they supported it and
    /// showed its notice with an unticked refusal box, which they left unticked. In force like a
    /// grant for a purpose on the charitable soft opt-in; never consent.
    SoftOptIn,
    /// The person objected to direct marketing for this purpose × channel (refused at
    /// collection, or later): absolute, whatever the basis (UK GDPR art. 21(3)).
    Objected,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Granted => "granted",
            Action::Withdrawn => "withdrawn",
            Action::Pending => "pending",
            Action::SoftOptIn => "soft_opt_in",
            Action::Objected => "objected",
        }
    }

    /// Whether the organisation may contact the person on this state (on its own basis:
    /// `Granted` is consent, `SoftOptIn` the charitable soft opt-in).
    pub fn in_force(self) -> bool {
        matches!(self, Action::Granted | Action::SoftOptIn)
    }

    /// An unsubscribe, a withdrawal or an objection: the person said no.
    pub fn is_refusal(self) -> bool {
        matches!(self, Action::Withdrawn | Action::Objected)
    }
}

/// The state rule: what a subject's consent for one purpose × channel is after `event`, given
/// what it was (`None` before any event). The latest event decides, in write order, except
/// that a `pending` request (double opt-in) does not undo a state already in force, and that a
/// `soft_opt_in` never replaces consent (the stronger basis) nor an earlier withdrawal or
/// objection (a person who said no is not signed up again by leaving a box unticked; only a new
/// positive consent brings them back).
/// `consent_state` follows this rule (`store::sql::UPSERT_STATE`), and verification rebuilds it
/// from the events with it.
pub fn next_state(current: Option<Action>, event: Action) -> Action {
    match (current, event) {
        (Some(now @ (Action::Granted | Action::SoftOptIn)), Action::Pending) => now,
        (Some(now @ (Action::Granted | Action::Withdrawn | Action::Objected)), Action::SoftOptIn) => now,
        (_, event) => event,
    }
}

/// How the choice reached us — part of the evidence the ICO asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Method {
    WebForm,
    Banner,
    PreferencePage,
    UnsubscribeLink,
    OneClick,
    AdminImport,
    PaperForm,
    /// Double opt-in: the person confirmed a pending consent from the emailed link.
    EmailConfirmation,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::WebForm => "web_form",
            Method::Banner => "banner",
            Method::PreferencePage => "preference_page",
            Method::UnsubscribeLink => "unsubscribe_link",
            Method::OneClick => "one_click",
            Method::AdminImport => "admin_import",
            Method::PaperForm => "paper_form",
            Method::EmailConfirmation => "email_confirmation",
        }
    }
}

/// One ledger entry exactly as stored. Its place in the site's hash chain is a separate
/// `ledger::ChainLink`, written when the event is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentEvent {
    pub id: String,
    pub site_id: String,
    pub subject: String,
    pub purpose: String,
    pub channel: Channel,
    pub action: Action,
    pub wording_version: u32,
    pub wording_sha256: String,
    pub lang: String,
    pub method: Method,
    pub source_url: Option<String>,
    pub server_time: String,
    pub client_time: Option<String>,
    pub user_agent: Option<String>,
    /// IPv4 /24 or IPv6 /48 — enough to evidence a submission, not to identify a household.
    pub ip_truncated: Option<String>,
    pub gpc: bool,
    pub idempotency_key: Option<String>,
    /// The `Origin` header of the request, for public form posts: a registered origin, which
    /// is what the request proved about where it came from (a script can send any value, a
    /// browser cannot).
    #[serde(default)]
    pub request_origin: Option<String>,
    /// The browser's `Sec-Fetch-Site` (`same-origin`, `same-site`, `cross-site`, `none`), when
    /// sent: browsers set it and pages cannot.
    #[serde(default)]
    pub fetch_site: Option<String>,
    /// For a soft opt-in (or the refusal made beside its notice): how the person was supporting
    /// the charity when they gave their details, as the site declared it for the form.
    #[serde(default)]
    pub support_context: Option<crate::basis::SupportContext>,
    /// For a soft opt-in: the person gave the details to the charity directly (always so for the
    /// worker's own forms; stated by the organisation for paper forms and imports).
    #[serde(default)]
    pub direct_from_person: Option<bool>,
}

/// An anonymous cookie-banner decision. Not part of the subject ledger (there is no subject),
/// but kept as evidence that non-essential cookies were set only after a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CookieConsentRecord {
    pub id: String,
    pub site_id: String,
    /// Random id the browser keeps in its decision cookie, so a later change links to this one.
    pub consent_id: String,
    /// The non-essential categories accepted (strictly necessary ones are implied).
    pub categories: Vec<String>,
    pub policy_version: u32,
    /// SHA-256 of the banner text that was shown.
    pub wording_sha256: String,
    pub choice: CookieChoice,
    /// Whether "Reject all" was offered on the first layer, beside "Accept all".
    pub reject_on_first_layer: bool,
    pub gpc: bool,
    pub server_time: String,
    pub client_time: Option<String>,
    pub user_agent: Option<String>,
    pub ip_truncated: Option<String>,
    /// The cookie rules that applied to the visitor when they decided (UK or EU); `None` for
    /// decisions recorded before rule sets existed (all of them opt-in decisions).
    #[serde(default)]
    pub rule_set: Option<crate::basis::RuleSet>,
}

/// Which control produced a cookie decision. Stored: variants are never removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CookieChoice {
    AcceptAll,
    RejectAll,
    Custom,
    /// No explicit choice: the browser's Global Privacy Control signal was applied as a reject.
    GpcSignal,
    /// "Object" / "Turn off" on a notice for categories that run without consent (UK statistics
    /// and appearance cookies): the listed categories are the ones still allowed.
    Object,
}

impl CookieChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            CookieChoice::AcceptAll => "accept_all",
            CookieChoice::RejectAll => "reject_all",
            CookieChoice::Custom => "custom",
            CookieChoice::GpcSignal => "gpc_signal",
            CookieChoice::Object => "object",
        }
    }
}
