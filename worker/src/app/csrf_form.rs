//! HTML form posts to the person-facing pages and the console: parsing
//! `application/x-www-form-urlencoded` bodies and `multipart/form-data` ones (a file upload, read
//! with the `multer` crate), and refusing forgeries — a cross-site `Origin`/`Sec-Fetch-Site`, or a missing,
//! foreign or expired anti-forgery value (`shared::csrf`).

use consent_shared::csrf;
use consent_shared::digest::hmac_sha256_hex;

use super::{body_cap, App};
use crate::http::HttpRequest;

/// The name of the hidden anti-forgery field.
pub const FIELD: &str = "csrf";

/// A posted form's text fields, in order, and the files it carried (multipart only).
pub struct Form {
    fields: Vec<(String, String)>,
    files: Vec<UploadedFile>,
}

/// One `<input type=file>` part of a multipart form, as sent: its bytes are not yet known to be
/// text (the page that reads it says what it must be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    pub field: String,
    /// The name the browser gave (empty when no file was chosen).
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl UploadedFile {
    /// Whether the browser sent the part without a file in it (nothing chosen).
    pub fn is_unchosen(&self) -> bool {
        self.file_name.is_empty() && self.bytes.is_empty()
    }
}

impl Form {
    /// The body of a form post, urlencoded or multipart; `None` when it is neither (or a broken
    /// multipart body, or too large for the route).
    pub fn parse(req: &HttpRequest) -> Option<Form> {
        let ct = req.header("content-type").unwrap_or("");
        let media = ct.split(';').next().unwrap_or("").trim();
        // The route's own cap (the import and suppression forms' are larger than the others').
        if req.body.len() > body_cap(&req.path) {
            return None;
        }
        if media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            let fields = form_urlencoded::parse(&req.body).into_owned().collect();
            return Some(Form { fields, files: Vec::new() });
        }
        if media.eq_ignore_ascii_case("multipart/form-data") {
            return parse_multipart(ct, &req.body);
        }
        None
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The file sent in the field `name`, if one was chosen.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|f| f.field == name && !f.is_unchosen())
    }
}

/// Reads a multipart body with `multer`. The body is already whole in memory (the shell read
/// it through the route's cap), so its one-chunk stream is always ready and each step completes
/// on its first poll; `now_or_never` keeps this parser synchronous like the urlencoded one. A
/// step that would wait (it cannot with a ready stream) counts as a broken body.
fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Form> {
    use futures_util::FutureExt;
    let boundary = multer::parse_boundary(content_type).ok()?;
    let chunk =
        futures_util::stream::once(std::future::ready(Ok::<_, std::convert::Infallible>(body.to_vec())));
    let mut multipart = multer::Multipart::new(chunk, boundary);
    let mut form = Form { fields: Vec::new(), files: Vec::new() };
    while let Some(field) = multipart.next_field().now_or_never()?.ok()? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.essence_str().to_string());
        let bytes = field.bytes().now_or_never()?.ok()?.to_vec();
        match file_name {
            Some(file_name) => form.files.push(UploadedFile { field: name, file_name, content_type, bytes }),
            // Text fields are read as the urlencoded parser reads bytes that are not UTF-8.
            None => form.fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Some(form)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(content_type: &str, body: &str) -> Option<Form> {
        let req = HttpRequest::new("POST", "/admin/sites/demo/import")
            .with_header("content-type", content_type)
            .with_body(body);
        Form::parse(&req)
    }

    #[test]
    fn multipart_forms_give_their_fields_and_files_and_broken_ones_are_not_forms() {
        let body = "--xyz\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nv1\r\n\
            --xyz\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nsecond\r\n\
            --xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.csv\"\r\nContent-Type: text/csv; charset=utf-8\r\n\r\nemail\r\nx@example.org\r\n\
            --xyz\r\nContent-Disposition: form-data; name=\"g\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n\
            --xyz--\r\n";
        for content_type in ["multipart/form-data; boundary=xyz", "Multipart/Form-Data; boundary=\"xyz\""] {
            let form = parsed(content_type, body).expect(content_type);
            assert_eq!(form.get("csrf"), Some("v1"), "the first value, as for urlencoded forms");
            let file = form.file("f").unwrap();
            assert_eq!(
                (file.file_name.as_str(), file.content_type.as_deref(), file.bytes.as_slice()),
                ("a.csv", Some("text/csv"), &b"email\r\nx@example.org"[..])
            );
            assert!(form.file("g").is_none(), "no file chosen");
            assert!(form.get("f").is_none(), "a file is not a text field");
        }
        assert!(parsed("multipart/form-data", body).is_none(), "no boundary");
        assert!(parsed("multipart/form-data; boundary=xyz", "--xyz\r\nno headers end").is_none());
        assert!(parsed("multipart/form-data; boundary=other", body).is_none());
        assert!(parsed("text/plain", "csrf=v1").is_none());
    }
}
