//! Consent events: the append-only, hash-chained record of who agreed to (or withdrew from) what,
//! when, and how. These are storage formats: enum variants are never removed or renamed.

use serde::{Deserialize, Serialize};

use crate::site::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Granted,
    Withdrawn,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Granted => "granted",
            Action::Withdrawn => "withdrawn",
        }
    }
}

/// How the choice reached us — part of the evidence the ICO asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    WebForm,
    Banner,
    PreferencePage,
    UnsubscribeLink,
    OneClick,
    AdminImport,
    PaperForm,
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
        }
    }
}

/// One ledger entry exactly as stored. `hash` covers every other field (see `ledger::event_hash`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub id: String,
    pub site_id: String,
    /// Position in the site's chain, from 1.
    pub seq: i64,
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
    pub prev_hash: String,
    pub hash: String,
}
