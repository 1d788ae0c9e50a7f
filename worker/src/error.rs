//! `AppError`: every way a request can fail, mapped to a status and a JSON body. Internal causes
//! are logged, never sent to the client.

use consent_shared::api::v1::{ErrorBody, ErrorDetail};
use consent_shared::cookies::CookieDecisionError;
use consent_shared::ledger::SubmissionError;
use consent_shared::site_edit::DefinitionError;
use thiserror::Error;

use crate::http::HttpResponse;
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("request body is not valid JSON for this endpoint: {0}")]
    BadJson(String),
    #[error("{0}")]
    Invalid(#[from] SubmissionError),
    #[error("{0}")]
    Cookie(#[from] CookieDecisionError),
    #[error("{0}")]
    Definition(#[from] DefinitionError),
    #[error("this address has asked not to be contacted; to sign up again, contact {contact}")]
    Suppressed { contact: String },
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("origin {0} is not allowed to use this site")]
    OriginNotAllowed(String),
    /// A public browser endpoint called without an `Origin` (a script or a server).
    #[error("this endpoint takes submissions from web browsers on the site's registered pages only; \
             scripts and servers record consents with POST /api/v1/admin/sites/{0}/consents and an API key with the consents:write scope")]
    BrowserOnly(String),
    /// No credentials, or ones that name nobody (unknown, expired or revoked key or session).
    #[error("{0}")]
    Unauthorized(String),
    /// Known credentials that may not do this here: `code` says which rule (`missing_scope`,
    /// `role_not_allowed`, `no_role`, `wrong_site`), the message names the scope or role and site.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The change would leave a site without an owner.
    #[error("{0}")]
    LastOwner(String),
    /// The thing to create exists already (a person's role on a site).
    #[error("{0}")]
    AlreadyExists(String),
    #[error("too many requests: try again in {retry_after} seconds")]
    RateLimited { retry_after: u32 },
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    /// A batch larger than its endpoint takes (the most is in the message).
    #[error("at most {0} addresses per request: split the batch")]
    TooManyAddresses(usize),
    /// A service this request needs is not configured or not reachable; nothing was written.
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) | AppError::BadJson(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::OriginNotAllowed(_) | AppError::BrowserOnly(_) | AppError::Forbidden { .. } => 403,
            AppError::LastOwner(_) | AppError::AlreadyExists(_) => 409,
            AppError::NotFound(_) => 404,
            AppError::MethodNotAllowed => 405,
            AppError::PayloadTooLarge(_) => 413,
            AppError::RateLimited { .. } => 429,
            AppError::UnsupportedMediaType => 415,
            AppError::Suppressed { .. } => 409,
            AppError::IdempotencyKeyReused
            | AppError::TooManyAddresses(_)
            | AppError::Invalid(_)
            | AppError::Cookie(_)
            | AppError::Definition(_) => 422,
            AppError::Internal(_) => 500,
            AppError::Unavailable(_) => 503,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::BadJson(_) => "bad_json",
            AppError::Invalid(SubmissionError::Email(_)) => "invalid_email",
            AppError::Invalid(SubmissionError::UnknownPurpose { .. }) => "unknown_purpose",
            AppError::Invalid(SubmissionError::StaleWording { .. }) => "stale_wording",
            AppError::Invalid(SubmissionError::TooManyChoices) => "too_many_choices",
            AppError::Invalid(SubmissionError::UnknownWording { .. }) => "unknown_wording",
            AppError::Invalid(SubmissionError::ForeignPageUrl) => "foreign_page_url",
            AppError::Invalid(SubmissionError::SoftOptInRefused { .. }) => "soft_opt_in_not_allowed",
            AppError::Invalid(
                SubmissionError::NotOnSoftOptIn { .. } | SubmissionError::NoticeNotConsent { .. },
            ) => "wrong_basis",
            AppError::Invalid(_) => "invalid_submission",
            AppError::Cookie(CookieDecisionError::StalePolicy { .. }) => "stale_policy",
            AppError::Cookie(_) => "invalid_cookie_decision",
            AppError::Definition(_) => "invalid_site_definition",
            AppError::Suppressed { .. } => "suppressed",
            AppError::NotFound(_) => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::OriginNotAllowed(_) => "origin_not_allowed",
            AppError::BrowserOnly(_) => "origin_required",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden { code, .. } => code,
            AppError::LastOwner(_) => "last_owner",
            AppError::AlreadyExists(_) => "already_exists",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::IdempotencyKeyReused => "idempotency_key_reused",
            AppError::TooManyAddresses(_) => "too_many_addresses",
            AppError::Internal(_) => "internal",
            AppError::Unavailable(_) => "unavailable",
        }
    }

    /// What to log: the internal cause when there is one, else the message.
    pub fn cause(&self) -> String {
        match self {
            AppError::Internal(cause) => cause.clone(),
            other => other.to_string(),
        }
    }

    /// What the client sees: the message of a client error, a fixed text for our own faults.
    pub fn to_response(&self) -> HttpResponse {
        let body = ErrorBody { error: ErrorDetail { code: self.code().into(), message: self.to_string() } };
        let response = HttpResponse::json(self.status(), &body);
        match self {
            AppError::Unauthorized(_) => response.with_header("www-authenticate", "Bearer"),
            AppError::MethodNotAllowed => response.with_header("allow", "GET, POST, PUT, DELETE, OPTIONS"),
            AppError::RateLimited { retry_after } => {
                response.with_header("retry-after", &retry_after.to_string())
            }
            _ => response,
        }
    }
}
