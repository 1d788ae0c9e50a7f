//! CORS for the public site endpoints: only the site's registered origins may read answers or
//! post consents from a browser. A read without an `Origin` (servers, curl) passes through; the
//! public POSTs refuse it (`consents::with_site`), since only a browser's `Origin` is evidence.

use consent_shared::site::SiteConfig;

use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};

/// The origin to echo back, or 403 when a browser on an unregistered origin is asking.
pub fn allowed_origin(site: &SiteConfig, req: &HttpRequest) -> Result<Option<String>, AppError> {
    match req.header("origin") {
        None => Ok(None),
        Some(origin) if site.allows_origin(origin) => Ok(Some(origin.to_string())),
        Some(origin) => Err(AppError::OriginNotAllowed(origin.to_string())),
    }
}

pub fn with_cors(response: HttpResponse, origin: Option<&str>) -> HttpResponse {
    let response = response.with_header("vary", "Origin");
    match origin {
        Some(o) => response.with_header("access-control-allow-origin", o),
        None => response,
    }
}

/// The answer to a CORS preflight from an allowed origin.
pub fn preflight(origin: Option<&str>) -> HttpResponse {
    with_cors(HttpResponse::empty(204), origin)
        .with_header("access-control-allow-methods", "GET, POST, OPTIONS")
        .with_header("access-control-allow-headers", "Content-Type, Idempotency-Key")
        .with_header("access-control-max-age", "600")
}
