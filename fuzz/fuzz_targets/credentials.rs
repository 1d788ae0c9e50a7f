//! The credentials of an admin request (issue 11): the `Authorization: Bearer …` value (an API
//! key `ck_<prefix>_<secret>` or the admin key) and the console session cookie in `Cookie`
//! headers. The parsers never panic on any header value, and what a client writes comes back.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use consent_worker::app::parsers::{bearer_token, cookie_value, credential, Credential, KEY_PREFIX};
use libfuzzer_sys::fuzz_target;

const SESSION: &str = "consent_session";

fuzz_target!(|data: &[u8]| {
    // Raw: any header value, as the Authorization header and as two Cookie headers.
    let text = String::from_utf8_lossy(data);
    if let Some(token) = bearer_token(&text) {
        assert_eq!(token, token.trim());
        match credential(token) {
            Credential::ApiKey { prefix, secret } => {
                assert!(!prefix.contains('_'), "prefix {prefix:?} of {token:?}");
                assert_eq!(format!("{KEY_PREFIX}{prefix}_{secret}"), token);
            }
            Credential::MalformedApiKey => {
                assert!(token.starts_with(KEY_PREFIX) && token[3..].find('_').is_none())
            }
            Credential::AdminKey(key) => {
                assert_eq!(key, token);
                assert!(!key.starts_with(KEY_PREFIX));
            }
        }
    }
    let (first, second) =
        text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    if let Some(value) = cookie_value([first, second], SESSION) {
        assert!(!value.is_empty() && value == value.trim() && !value.contains(';'), "{value:?}");
    }

    // Structured: a key the worker minted (a prefix without `_`, any secret) parses back.
    let mut u = Unstructured::new(data);
    let (Ok(prefix), Ok(secret), Ok(pad)) =
        (String::arbitrary(&mut u), String::arbitrary(&mut u), u.int_in_range(0..=3usize))
    else {
        return;
    };
    if !prefix.contains('_') && secret.trim() == secret {
        let header = format!("Bearer {}{KEY_PREFIX}{prefix}_{secret}", " ".repeat(pad));
        let token = bearer_token(&header).expect("a bearer header");
        assert_eq!(credential(token), Credential::ApiKey { prefix: &prefix, secret: &secret }, "{header:?}");
    }

    // A session cookie among others, in any header and position, comes back as set.
    let (Ok(others), Ok(value), Ok(at)) =
        (Vec::<(String, String)>::arbitrary(&mut u), String::arbitrary(&mut u), usize::arbitrary(&mut u))
    else {
        return;
    };
    // A cookie value as a server sets it: no separators, no spaces at its ends (RFC 6265 cookie-octets).
    let octet = |c: char| c.is_ascii_graphic() && !matches!(c, '"' | ',' | ';' | '\\');
    if value.is_empty() || !value.chars().all(octet) {
        return;
    }
    let mut pairs: Vec<String> = others
        .iter()
        .filter(|(n, v)| {
            !n.is_empty() && n.chars().all(octet) && !n.contains('=') && n != SESSION && v.chars().all(octet)
        })
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    pairs.insert(at % (pairs.len() + 1), format!("{SESSION}={value}"));
    let split = at % (pairs.len() + 1);
    let (a, b) = (pairs[..split].join("; "), pairs[split..].join("; "));
    assert_eq!(cookie_value([a.as_str(), b.as_str()], SESSION), Some(value.as_str()), "{a:?} | {b:?}");
});
