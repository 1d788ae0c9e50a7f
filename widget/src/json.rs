//! JSON for the wire DTOs without `serde_json` in the wasm (it and the float formatting it drags in
//! were about a quarter of the binary).
//!
//! Writing a [`ConsentSubmission`] is a few lines of plain Rust, tested natively to produce exactly
//! what `serde_json::to_string` does. Reading uses the browser's own `JSON.parse` and picks the
//! fields the form uses out with `Reflect`; a missing or mistyped one makes the answer unreadable.

use consent_shared::api::v1::ConsentSubmission;

/// The compact JSON of a submission, byte-for-byte as `serde_json::to_string` writes it
/// (same field order; `None` fields left out).
pub fn submission_to_json(s: &ConsentSubmission) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"email\":");
    push_str(&mut out, &s.email);
    out.push_str(",\"consents\":[");
    for (i, c) in s.consents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"purpose\":");
        push_str(&mut out, &c.purpose);
        out.push_str(",\"channel\":");
        push_str(&mut out, c.channel.as_str());
        out.push_str(",\"wording_version\":");
        out.push_str(&c.wording_version.to_string());
        out.push('}');
    }
    out.push_str("],\"page_url\":");
    push_str(&mut out, &s.page_url);
    if let Some(lang) = &s.lang {
        out.push_str(",\"lang\":");
        push_str(&mut out, lang);
    }
    if let Some(time) = &s.client_time {
        out.push_str(",\"client_time\":");
        push_str(&mut out, time);
    }
    out.push('}');
    out
}

/// A JSON string literal, escaped as serde_json does.
fn push_str(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(target_arch = "wasm32")]
pub use read::{error_message, form_config, recorded_at};

#[cfg(target_arch = "wasm32")]
mod read {
    use crate::state::FormConfig;
    use consent_shared::api::v1::{Channel, Organisation, PurposeOption};
    use wasm_bindgen::JsValue;

    fn parse(text: &str) -> Option<JsValue> {
        js_sys::JSON::parse(text).ok().filter(|v| v.is_object())
    }

    fn field(obj: &JsValue, name: &str) -> Option<JsValue> {
        js_sys::Reflect::get(obj, &JsValue::from_str(name)).ok()
    }

    fn string(obj: &JsValue, name: &str) -> Option<String> {
        field(obj, name)?.as_string()
    }

    fn u32_field(obj: &JsValue, name: &str) -> Option<u32> {
        let n = field(obj, name)?.as_f64()?;
        (n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0).then_some(n as u32)
    }

    /// The form's part of the `SiteConfig` in the config endpoint's body.
    pub fn form_config(text: &str) -> Option<FormConfig> {
        let v = parse(text)?;
        let org = field(&v, "organisation")?;
        let purposes = field(&v, "purposes")?;
        if !js_sys::Array::is_array(&purposes) {
            return None;
        }
        let purposes = js_sys::Array::from(&purposes)
            .iter()
            .map(|p| {
                Some(PurposeOption {
                    purpose: string(&p, "purpose")?,
                    channel: Channel::parse(&string(&p, "channel")?)?,
                    wording_version: u32_field(&p, "wording_version")?,
                    lang: string(&p, "lang")?,
                    label: string(&p, "label")?,
                    text: string(&p, "text")?,
                    sha256: string(&p, "sha256")?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(FormConfig {
            site: string(&v, "site")?,
            lang: string(&v, "lang")?,
            organisation: Organisation {
                name: string(&org, "name")?,
                contact_email: string(&org, "contact_email")?,
                postal_address: string(&org, "postal_address")?,
                privacy_notice_url: string(&org, "privacy_notice_url")?,
                cookie_policy_url: string(&org, "cookie_policy_url")?,
            },
            purposes,
        })
    }

    /// `recorded_at` from a `ConsentReceipt` body (the rest of the receipt is not shown).
    pub fn recorded_at(text: &str) -> Option<String> {
        string(&parse(text)?, "recorded_at")
    }

    /// `error.message` from an `ErrorBody`.
    pub fn error_message(text: &str) -> Option<String> {
        string(&field(&parse(text)?, "error")?, "message")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent_shared::api::v1::{Channel, ChosenPurpose};

    fn submission(email: &str, lang: Option<&str>, time: Option<&str>) -> ConsentSubmission {
        ConsentSubmission {
            email: email.into(),
            consents: vec![
                ChosenPurpose { purpose: "news".into(), channel: Channel::Email, wording_version: 7 },
                ChosenPurpose {
                    purpose: "gift-aid".into(),
                    channel: Channel::Sms,
                    wording_version: 4294967295,
                },
            ],
            page_url: "https://demo.example/join?a=1&b=\"2\"#x".into(),
            lang: lang.map(Into::into),
            client_time: time.map(Into::into),
        }
    }

    #[test]
    fn writes_exactly_what_serde_json_writes() {
        let tricky = "a\"b\\c\n\r\t\u{08}\u{0c}\u{01}\u{1f}\u{7f} é ✓ 😀 </script>@x.example";
        for s in [
            submission("ann@example.org", Some("en"), Some("2026-11-24T10:00:00.000Z")),
            submission(tricky, None, None),
            submission("", Some(tricky), None),
            ConsentSubmission { consents: vec![], ..submission("x@y.z", None, Some("t")) },
        ] {
            assert_eq!(submission_to_json(&s), serde_json::to_string(&s).unwrap());
            let back: ConsentSubmission = serde_json::from_str(&submission_to_json(&s)).unwrap();
            assert_eq!(back, s);
        }
    }
}
