//! Form posts and RFC 8058 one-click bodies: the parsers never panic on any content type and
//! body, agree with each other on urlencoded bodies, find the one-click field in a multipart
//! body built with any boundary, and the form parser (multer, for console file uploads) reads
//! back every field of such a body.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use consent_worker::app::parsers::{is_one_click, Form};
use consent_worker::http::HttpRequest;
use libfuzzer_sys::fuzz_target;

const URLENCODED: &str = "application/x-www-form-urlencoded";

fuzz_target!(|data: &[u8]| {
    // Raw: the first line is the content type, the rest the body.
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (String::from_utf8_lossy(&data[..i]).into_owned(), &data[i + 1..]),
        None => (String::new(), data),
    };
    let req = HttpRequest::new("POST", "/p/x").with_header("content-type", &content_type).with_body(body);
    let form = Form::parse(&req);
    let one_click = is_one_click(&content_type, body);
    let urlencoded = content_type.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case(URLENCODED));
    if let (Some(form), true) = (form, urlencoded) {
        // A urlencoded body: the one-click check reads it as the form parser does.
        let fields: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        let has = fields.iter().any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click");
        assert_eq!(one_click, has, "one-click {one_click} but fields {fields:?}");
        if let Some((name, value)) = fields.first() {
            assert_eq!(form.get(name), Some(value.as_str()));
        }
    }

    // Structured: fields written by a real encoder come back.
    let mut u = Unstructured::new(data);
    let Ok(fields) = Vec::<(String, String)>::arbitrary(&mut u) else { return };
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
    let req =
        HttpRequest::new("POST", "/p/x").with_header("content-type", URLENCODED).with_body(body.clone());
    let form = Form::parse(&req);
    if body.len() <= 16 * 1024 {
        let form = form.expect("a urlencoded body is a form");
        for (name, value) in &fields {
            let first = fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
            assert_eq!(form.get(name), first, "{name:?} in {body:?}");
            let _ = value;
        }
    }
    let want = fields.iter().any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click");
    assert_eq!(is_one_click(URLENCODED, body.as_bytes()), want, "urlencoded {body:?}");

    // A multipart body with an RFC 2046 boundary (1-70 of its characters, not ending in a space).
    const BCHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?";
    let Ok(len) = u.int_in_range(1..=70usize) else { return };
    let Ok(boundary) =
        (0..len).map(|_| u.choose(BCHARS).map(|&b| b as char)).collect::<arbitrary::Result<String>>()
    else {
        return;
    };
    let Ok(quoted) = bool::arbitrary(&mut u) else { return };
    let mut body = String::new();
    for (name, value) in &fields {
        // Names and values that cannot hold the delimiter, as an encoder would choose the boundary.
        if name.contains(&boundary) || value.contains(&boundary) || name.contains(['"', '\r', '\n']) {
            return;
        }
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let content_type = if quoted {
        format!("multipart/form-data; boundary=\"{boundary}\"")
    } else {
        format!("multipart/form-data; boundary={boundary}")
    };
    assert_eq!(is_one_click(&content_type, body.as_bytes()), want, "{content_type} {body:?}");
    // The form parser reads the same body: each name's first value, as for urlencoded forms.
    // Names as forms write them (they travel in a header, where other bytes need escaping).
    let plain = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    // An unquoted boundary must be an RFC 2045 token: one holding a tspecial (`,` `/` `:` `=` `?`
    // `(` `)` among the boundary characters) is well-formed only in quotes, as browsers send it.
    let token = !boundary.bytes().any(|b| b"()<>@,;:\\\"/[]?=".contains(&b));
    if body.len() <= 16 * 1024 && (quoted || token) && fields.iter().all(|(n, _)| plain(n)) {
        let req = HttpRequest::new("POST", "/p/x").with_header("content-type", &content_type).with_body(body.clone());
        let form = Form::parse(&req).expect("a well-formed multipart body is a form");
        for (name, _) in &fields {
            let first = fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
            assert_eq!(form.get(name), first, "{name:?} in {content_type} {body:?}");
        }
    }
});
