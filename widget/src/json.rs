//! JSON for the wire DTOs without `serde_json` in the wasm (it and the float formatting it drags in
//! were about a quarter of the binary).
//!
//! Writing a [`ConsentSubmission`] or a [`CookieDecision`] is a few lines of plain Rust, tested
//! natively to produce exactly what `serde_json::to_string` does. Reading uses the browser's own
//! `JSON.parse` and picks the fields out with `Reflect`; a missing or mistyped one makes the answer
//! unreadable.

use consent_shared::api::v1::{ConsentSubmission, CookieDecision};

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
        push_u32(&mut out, c.wording_version);
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
    if !s.notices.is_empty() {
        out.push_str(",\"notices\":[");
        for (i, n) in s.notices.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"purpose\":");
            push_str(&mut out, &n.purpose);
            out.push_str(",\"channel\":");
            push_str(&mut out, n.channel.as_str());
            out.push_str(",\"wording_version\":");
            push_u32(&mut out, n.wording_version);
            out.push_str(",\"refused\":");
            out.push_str(if n.refused { "true" } else { "false" });
            out.push('}');
        }
        out.push(']');
    }
    if let Some(context) = s.context {
        out.push_str(",\"context\":");
        push_str(&mut out, context.as_str());
    }
    out.push('}');
    out
}

/// The compact JSON of a banner decision, byte-for-byte as `serde_json::to_string` writes it.
pub fn cookie_decision_to_json(d: &CookieDecision) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"consent_id\":");
    push_str(&mut out, &d.consent_id);
    out.push_str(",\"categories\":[");
    for (i, c) in d.categories.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_str(&mut out, c);
    }
    out.push_str("],\"choice\":");
    push_str(&mut out, d.choice.as_str());
    out.push_str(",\"policy_version\":");
    push_u32(&mut out, d.policy_version);
    out.push_str(",\"wording_sha256\":");
    push_str(&mut out, &d.wording_sha256);
    out.push_str(",\"reject_on_first_layer\":");
    out.push_str(if d.reject_on_first_layer { "true" } else { "false" });
    out.push_str(",\"gpc\":");
    out.push_str(if d.gpc { "true" } else { "false" });
    if let Some(time) = &d.client_time {
        out.push_str(",\"client_time\":");
        push_str(&mut out, time);
    }
    out.push('}');
    out
}

/// Appends `n` in decimal.
pub fn push_u32(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
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

/// A number `JSON.parse` gave, as the `u32` serde_json would have read from the same text: only
/// whole numbers in range (the reader's one rule of its own, so it is tested natively).
pub fn whole_u32(n: f64) -> Option<u32> {
    (n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0).then_some(n as u32)
}

#[cfg(target_arch = "wasm32")]
pub use read::banner_config;
#[cfg(all(target_arch = "wasm32", feature = "forms"))]
pub use read::{awaiting_confirmation, error_code, error_message, recorded_at, site_config};

#[cfg(target_arch = "wasm32")]
mod read {
    use consent_shared::api::v1::{BannerText, CookieCategoryOption, Organisation};
    #[cfg(feature = "forms")]
    use consent_shared::api::v1::{Channel, LawfulBasis, PurposeOption, SiteConfig};
    use wasm_bindgen::{JsCast, JsValue};

    use crate::banner_state::BannerConfig;

    fn field(obj: &JsValue, name: &str) -> Option<JsValue> {
        js_sys::Reflect::get(obj, &JsValue::from_str(name)).ok()
    }

    /// A string field `js/ui.js` has checked is one.
    fn text(obj: &JsValue, name: &str) -> String {
        field(obj, name).and_then(|v| v.as_string()).unwrap_or_default()
    }

    /// A number field `js/ui.js` has checked is a whole number ≥ 0.
    fn number(obj: &JsValue, name: &str) -> u32 {
        field(obj, name).and_then(|v| v.as_f64()).unwrap_or_default() as u32
    }

    /// What the banner shows, from the config endpoint's answer. `js/ui.js` has checked every
    /// field it reads (strings are strings, numbers whole, `banner` present, `cookie_categories`
    /// an array or absent), so this cannot fail — and has no error paths to carry in the wasm.
    pub fn banner_config(v: &JsValue) -> BannerConfig {
        let org = field(v, "organisation").unwrap_or_default();
        let banner = field(v, "banner").unwrap_or_default();
        let categories = field(v, "cookie_categories").filter(js_sys::Array::is_array);
        BannerConfig {
            site: text(v, "site"),
            lang: text(v, "lang"),
            policy_version: number(v, "policy_version"),
            organisation: Organisation {
                name: text(&org, "name"),
                contact_email: text(&org, "contact_email"),
                postal_address: text(&org, "postal_address"),
                privacy_notice_url: text(&org, "privacy_notice_url"),
                cookie_policy_url: text(&org, "cookie_policy_url"),
                charity_number: None,
            },
            categories: categories
                .map(|c| {
                    c.unchecked_into::<js_sys::Array>()
                        .iter()
                        .map(|c| CookieCategoryOption {
                            key: text(&c, "key"),
                            required: field(&c, "required").and_then(|r| r.as_bool()).unwrap_or_default(),
                            label: text(&c, "label"),
                            description: text(&c, "description"),
                            // The loader sends Consent Mode updates, from the policy answer.
                            consent_mode: Vec::new(),
                            basis: None,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            banner: BannerText {
                version: number(&banner, "version"),
                lang: text(&banner, "lang"),
                text: text(&banner, "text"),
                sha256: text(&banner, "sha256"),
            },
        }
    }

    #[cfg(feature = "forms")]
    fn string(obj: &JsValue, name: &str) -> Option<String> {
        field(obj, name)?.as_string()
    }

    #[cfg(feature = "forms")]
    fn u32_field(obj: &JsValue, name: &str) -> Option<u32> {
        super::whole_u32(field(obj, name)?.as_f64()?)
    }

    #[cfg(feature = "forms")]
    fn array(obj: &JsValue, name: &str) -> Option<js_sys::Array> {
        let v = field(obj, name)?;
        js_sys::Array::is_array(&v).then(|| js_sys::Array::from(&v))
    }

    /// The config endpoint's `SiteConfig` for the opt-in form, already parsed by the browser.
    /// `cookie_categories` may be absent (empty) and `banner` absent or null; anything else
    /// missing or mistyped makes it unreadable.
    #[cfg(feature = "forms")]
    pub fn site_config(v: &JsValue) -> Option<SiteConfig> {
        if !v.is_object() {
            return None;
        }
        let org = field(v, "organisation")?;
        let purposes = array(v, "purposes")?
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
                    // Absent: consent. Only the soft opt-in changes what the form shows.
                    basis: (string(&p, "basis").as_deref() == Some("charity_soft_opt_in"))
                        .then_some(LawfulBasis::CharitySoftOptIn),
                    refusal: string(&p, "refusal"),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let cookie_categories = match field(v, "cookie_categories").filter(|c| !c.is_undefined()) {
            None => Vec::new(),
            Some(_) => array(v, "cookie_categories")?
                .iter()
                .map(|c| {
                    Some(CookieCategoryOption {
                        key: string(&c, "key")?,
                        required: field(&c, "required")?.as_bool()?,
                        label: string(&c, "label")?,
                        description: string(&c, "description")?,
                        consent_mode: Vec::new(),
                        basis: None,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
        };
        let banner = match field(v, "banner").filter(|b| !b.is_undefined() && !b.is_null()) {
            None => None,
            Some(b) => Some(BannerText {
                version: u32_field(&b, "version")?,
                lang: string(&b, "lang")?,
                text: string(&b, "text")?,
                sha256: string(&b, "sha256")?,
            }),
        };
        Some(SiteConfig {
            site: string(v, "site")?,
            lang: string(v, "lang")?,
            policy_version: u32_field(v, "policy_version")?,
            organisation: Organisation {
                name: string(&org, "name")?,
                contact_email: string(&org, "contact_email")?,
                postal_address: string(&org, "postal_address")?,
                privacy_notice_url: string(&org, "privacy_notice_url")?,
                cookie_policy_url: string(&org, "cookie_policy_url")?,
                charity_number: None,
            },
            purposes,
            cookie_categories,
            banner,
        })
    }

    #[cfg(feature = "forms")]
    fn parse(text: &str) -> Option<JsValue> {
        js_sys::JSON::parse(text).ok().filter(|v| v.is_object())
    }

    /// `recorded_at` from a `ConsentReceipt` body (the rest of the receipt is not shown).
    #[cfg(feature = "forms")]
    pub fn recorded_at(text: &str) -> Option<String> {
        string(&parse(text)?, "recorded_at")
    }

    /// Whether a receipt holds a consent waiting for the person's confirmation (double opt-in).
    #[cfg(feature = "forms")]
    pub fn awaiting_confirmation(text: &str) -> bool {
        let events = parse(text).and_then(|v| array(&v, "events"));
        events.is_some_and(|events| events.iter().any(|e| string(&e, "action").as_deref() == Some("pending")))
    }

    /// `error.message` from an `ErrorBody`.
    #[cfg(feature = "forms")]
    pub fn error_message(text: &str) -> Option<String> {
        string(&field(&parse(text)?, "error")?, "message")
    }

    /// `error.code` from an `ErrorBody`.
    #[cfg(feature = "forms")]
    pub fn error_code(text: &str) -> Option<String> {
        string(&field(&parse(text)?, "error")?, "code")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent_shared::api::v1::{Channel, ChosenPurpose, CookieChoice, NoticeAnswer, SupportContext};

    #[test]
    fn numbers() {
        for n in [0, 7, 10, 99, 100, 4_000_000_000, u32::MAX] {
            let mut out = String::from("x");
            push_u32(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

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
            notices: vec![],
            context: None,
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
            ConsentSubmission {
                notices: vec![
                    NoticeAnswer {
                        purpose: "our-work".into(),
                        channel: Channel::Email,
                        wording_version: 3,
                        refused: false,
                    },
                    NoticeAnswer {
                        purpose: "sms\"x".into(),
                        channel: Channel::Sms,
                        wording_version: 1,
                        refused: true,
                    },
                ],
                context: Some(SupportContext::Donation),
                ..submission("x@y.z", Some("cy"), None)
            },
        ] {
            assert_eq!(submission_to_json(&s), serde_json::to_string(&s).unwrap());
            let back: ConsentSubmission = serde_json::from_str(&submission_to_json(&s)).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn cookie_decisions_are_written_exactly_as_serde_json_writes_them() {
        let tricky = "a\"b\\c\n\u{01} é 😀 </script>";
        let decision = |categories: &[&str], choice, gpc, time: Option<&str>| CookieDecision {
            consent_id: "5f0c3c4e-aaaa-4bbb-8ccc-000000000001".into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            choice,
            policy_version: 4294967295,
            wording_sha256: "ab".repeat(32),
            reject_on_first_layer: true,
            gpc,
            client_time: time.map(Into::into),
        };
        for d in [
            decision(&["analytics"], CookieChoice::AcceptAll, false, Some("2026-11-24T10:00:00.000Z")),
            decision(&[], CookieChoice::RejectAll, true, None),
            decision(&["analytics", "ads", tricky], CookieChoice::Custom, false, Some(tricky)),
            CookieDecision {
                reject_on_first_layer: false,
                policy_version: 0,
                ..decision(&[], CookieChoice::GpcSignal, true, None)
            },
        ] {
            assert_eq!(cookie_decision_to_json(&d), serde_json::to_string(&d).unwrap());
            let back: CookieDecision = serde_json::from_str(&cookie_decision_to_json(&d)).unwrap();
            assert_eq!(back, d);
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Any text, weighted towards what JSON escapes (quotes, backslashes, controls, DEL,
        /// line and paragraph separators, astral characters).
        fn text() -> impl Strategy<Value = String> {
            prop_oneof![any::<String>(), r#"[\\"\x00-\x1f\x7f\u{2028}\u{2029}a😀]{0,12}"#]
        }

        fn submission() -> impl Strategy<Value = ConsentSubmission> {
            let channel = proptest::sample::select(Channel::ALL.to_vec());
            let consent = (text(), channel, any::<u32>()).prop_map(|(purpose, channel, wording_version)| {
                ChosenPurpose { purpose, channel, wording_version }
            });
            (
                text(),
                proptest::collection::vec(consent, 0..4),
                text(),
                proptest::option::of(text()),
                proptest::option::of(text()),
            )
                .prop_map(|(email, consents, page_url, lang, client_time)| ConsentSubmission {
                    email,
                    consents,
                    page_url,
                    lang,
                    client_time,
                    notices: vec![],
                    context: None,
                })
        }

        fn decision() -> impl Strategy<Value = CookieDecision> {
            let choice = proptest::sample::select(vec![
                CookieChoice::AcceptAll,
                CookieChoice::RejectAll,
                CookieChoice::Custom,
                CookieChoice::GpcSignal,
            ]);
            (
                text(),
                proptest::collection::vec(text(), 0..4),
                choice,
                any::<u32>(),
                text(),
                any::<bool>(),
                any::<bool>(),
                proptest::option::of(text()),
            )
                .prop_map(
                    |(
                        consent_id,
                        categories,
                        choice,
                        policy_version,
                        wording_sha256,
                        first,
                        gpc,
                        client_time,
                    )| {
                        CookieDecision {
                            consent_id,
                            categories,
                            choice,
                            policy_version,
                            wording_sha256,
                            reject_on_first_layer: first,
                            gpc,
                            client_time,
                        }
                    },
                )
        }

        proptest! {
            /// The writer is serde_json, byte for byte, and serde_json reads it back unchanged.
            #[test]
            fn submission_writer_is_serde_json(s in submission()) {
                let written = submission_to_json(&s);
                prop_assert_eq!(&written, &serde_json::to_string(&s).unwrap());
                prop_assert_eq!(serde_json::from_str::<ConsentSubmission>(&written).unwrap(), s);
            }

            #[test]
            fn cookie_decision_writer_is_serde_json(d in decision()) {
                let written = cookie_decision_to_json(&d);
                prop_assert_eq!(&written, &serde_json::to_string(&d).unwrap());
                prop_assert_eq!(serde_json::from_str::<CookieDecision>(&written).unwrap(), d);
            }

            /// What serde_json reads as a `u32`, the reader reads as the same number from the
            /// `f64` that `JSON.parse` makes of the text; what it refuses, the reader refuses.
            #[test]
            fn reader_numbers_agree_with_serde_json(n in prop_oneof![any::<u32>().prop_map(u64::from), any::<u64>()], frac in any::<bool>()) {
                let text = if frac { format!("{n}.5") } else { n.to_string() };
                let parsed: f64 = text.parse().unwrap();
                prop_assert_eq!(whole_u32(parsed), serde_json::from_str::<u32>(&text).ok());
            }

            #[test]
            fn numbers_are_written_as_display_does(n in any::<u32>()) {
                let mut out = String::new();
                push_u32(&mut out, n);
                prop_assert_eq!(out, n.to_string());
            }
        }
    }
}
