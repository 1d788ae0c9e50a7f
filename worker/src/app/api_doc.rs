//! `GET /openapi.json`: the OpenAPI 3.1 document. It is generated natively from the code
//! (`crate::openapi`, `cargo xtask openapi`) into docs/openapi.json and served as those bytes, so
//! the wasm carries no generator; a native test checks that the file is what the code generates.

use super::require_method;
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};

pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

pub fn serve(req: &HttpRequest) -> Result<HttpResponse, AppError> {
    require_method(req, &["GET", "HEAD"])?;
    // Public and the same for everyone: any page or tool may read it, and caches may keep it.
    Ok(HttpResponse::raw_json(200, DOCUMENT)
        .with_header("cache-control", "public, max-age=300")
        .with_header("access-control-allow-origin", "*"))
}
