//! Admin authentication: `Authorization: Bearer <ADMIN_KEY>`.

use consent_shared::digest::sha256_hex;

use crate::error::AppError;
use crate::http::HttpRequest;

pub fn require_admin(admin_key: Option<&str>, req: &HttpRequest) -> Result<(), AppError> {
    let Some(expected) = admin_key else {
        return Err(AppError::Unavailable(
            "the admin endpoints are off here: ADMIN_KEY is missing or shorter than 32 bytes".into(),
        ));
    };
    let Some(given) = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")) else {
        return Err(AppError::Unauthorized);
    };
    // Compare digests, so the time taken says nothing about how much of the key matched.
    if sha256_hex(given.trim().as_bytes()) == sha256_hex(expected.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Unauthorized)
    }
}
