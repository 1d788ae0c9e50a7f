//! HTML form posts to the person-facing pages: parsing `application/x-www-form-urlencoded`
//! bodies, and refusing forgeries — a cross-site `Origin`/`Sec-Fetch-Site`, or a missing,
//! foreign or expired anti-forgery value (`shared::csrf`).

use consent_shared::csrf;
use consent_shared::digest::hmac_sha256_hex;

use super::{body_cap, App};
use crate::http::HttpRequest;

/// The name of the hidden anti-forgery field.
pub const FIELD: &str = "csrf";

/// A posted form's fields, in order.
pub struct Form(Vec<(String, String)>);

impl Form {
    /// The body of a form post; `None` when it is not one (or too large).
    pub fn parse(req: &HttpRequest) -> Option<Form> {
        let ct = req.header("content-type").unwrap_or("");
        let is_form = ct
            .split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
        // The route's own cap (the import form's is larger than the others').
        if !is_form || req.body.len() > body_cap(&req.path) {
            return None;
        }
        Some(Form(form_urlencoded::parse(&req.body).into_owned().collect()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn key<S>(app: &App<S>) -> Vec<u8> {
    hmac_sha256_hex(&app.config.token_keys[0].secret, b"csrf-forms:v1").into_bytes()
}

/// A fresh anti-forgery value for forms about `binding` (a link token, a site id).
pub fn issue<S>(app: &App<S>, binding: &str, now: i64) -> String {
    csrf::issue(&key(app), binding, now)
}

/// Whether a form post may be acted on: sent from our own pages, with a valid value.
pub fn genuine<S>(app: &App<S>, req: &HttpRequest, form: &Form, binding: &str, now: i64) -> bool {
    let cross_site = req.header("sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site");
    let foreign_origin = req.header("origin").is_some_and(|o| o != "null" && o != req.origin);
    if cross_site || foreign_origin {
        return false;
    }
    form.get(FIELD).is_some_and(|v| csrf::check(&key(app), binding, v, now).is_ok())
}
