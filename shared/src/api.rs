//! Wire DTOs between the widget (and other clients) and the worker.
//!
//! Versioned by module: `v1` is served under `/api/v1/`. A field is only ever added as optional;
//! anything else is a new version. Tests in the worker pin the JSON shapes.

pub mod v1 {
    use serde::{Deserialize, Serialize};

    pub use crate::site::{Channel, Organisation};

    /// `GET /api/v1/sites/{site}/config`: what a form or banner shows.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SiteConfig {
        pub site: String,
        pub lang: String,
        pub policy_version: u32,
        pub organisation: Organisation,
        pub purposes: Vec<PurposeOption>,
    }

    /// One checkbox: a purpose on a channel with the exact wording to show next to it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct PurposeOption {
        pub purpose: String,
        pub channel: Channel,
        pub wording_version: u32,
        pub lang: String,
        pub label: String,
        pub text: String,
        pub sha256: String,
    }

    /// `POST /api/v1/sites/{site}/consents`: the purposes a person ticked, as they saw them.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ConsentSubmission {
        pub email: String,
        /// Only ticked options are sent: silence is never consent.
        pub consents: Vec<ChosenPurpose>,
        /// The page the form was on.
        pub page_url: String,
        /// The language the wording was shown in; defaults to the site's language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lang: Option<String>,
        /// The browser's clock when the person pressed submit (RFC 3339), kept as evidence only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub client_time: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ChosenPurpose {
        pub purpose: String,
        pub channel: Channel,
        pub wording_version: u32,
    }

    /// The answer to a recorded submission (replayed unchanged for a repeated Idempotency-Key).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ConsentReceipt {
        pub recorded_at: String,
        pub events: Vec<RecordedEvent>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct RecordedEvent {
        pub event_id: String,
        pub purpose: String,
        pub channel: Channel,
        pub action: String,
        pub wording_version: u32,
        pub wording_sha256: String,
    }

    /// Every error response: `{"error": {"code": "...", "message": "..."}}`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ErrorBody {
        pub error: ErrorDetail,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ErrorDetail {
        pub code: String,
        pub message: String,
    }
}
