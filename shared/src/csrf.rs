//! Anti-forgery values for the forms on person-facing pages.
//!
//! A value is `<issued-at>.<HMAC(key, "csrf:v1|" + binding + "|" + issued-at)>`: bound to what
//! the page is about (a link token, a site), valid for a limited time, and checkable without
//! storing anything. Time is an argument, like everywhere in `shared`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

/// How long a page's forms stay usable.
pub const MAX_AGE_SECS: i64 = 4 * 60 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CsrfError {
    #[error("the form value is missing or malformed")]
    Malformed,
    #[error("the form value was not issued for this page")]
    Forged,
    #[error("the form has expired")]
    Expired,
}

fn mac(key: &[u8], binding: &str, issued: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(format!("csrf:v1|{binding}|{issued}").as_bytes());
    mac
}

pub fn issue(key: &[u8], binding: &str, now: i64) -> String {
    format!("{now}.{}", hex::encode(mac(key, binding, now).finalize().into_bytes()))
}

pub fn check(key: &[u8], binding: &str, presented: &str, now: i64) -> Result<(), CsrfError> {
    let (issued, tag) = presented.split_once('.').ok_or(CsrfError::Malformed)?;
    let issued: i64 = issued.parse().map_err(|_| CsrfError::Malformed)?;
    let tag = hex::decode(tag).map_err(|_| CsrfError::Malformed)?;
    mac(key, binding, issued).verify_slice(&tag).map_err(|_| CsrfError::Forged)?;
    // A little leeway for clocks that differ between isolates. Saturating: a signed value may
    // carry any i64, and a difference past the range is expired either way (found by fuzzing).
    let age = now.saturating_sub(issued);
    if !(-60..=MAX_AGE_SECS).contains(&age) {
        return Err(CsrfError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn csrf_values_as_data() {
        let key = b"csrf-test-key";
        let good = issue(key, "page-a", 1_000);
        let cases = [
            ("fresh", good.clone(), "page-a", 1_000),
            ("near the end of its life", good.clone(), "page-a", 1_000 + MAX_AGE_SECS),
            ("expired", good.clone(), "page-a", 1_001 + MAX_AGE_SECS),
            ("from another page", good.clone(), "page-b", 1_000),
            ("issued in the future", issue(key, "page-a", 5_000), "page-a", 1_000),
            ("another key", issue(b"other", "page-a", 1_000), "page-a", 1_000),
            ("time altered", good.replacen("1000", "2000", 1), "page-a", 2_000),
            ("empty", String::new(), "page-a", 1_000),
            ("not hex", "1000.zz".into(), "page-a", 1_000),
            // Found by fuzzing (fuzz/fuzz_targets/csrf.rs): ages past i64's range overflowed.
            ("issued at the start of time", issue(key, "page-a", i64::MIN), "page-a", i64::MAX),
            ("issued at the end of time", issue(key, "page-a", i64::MAX), "page-a", i64::MIN),
            ("issued at the end of time, checked then", issue(key, "page-a", i64::MAX), "page-a", i64::MAX),
        ];
        let actual: String = cases
            .iter()
            .map(|(name, value, binding, now)| match check(key, binding, value, *now) {
                Ok(()) => format!("{name}: ok\n"),
                Err(e) => format!("{name}: {e}\n"),
            })
            .collect();
        expect![[r#"
            fresh: ok
            near the end of its life: ok
            expired: the form has expired
            from another page: the form value was not issued for this page
            issued in the future: the form has expired
            another key: the form value was not issued for this page
            time altered: the form value was not issued for this page
            empty: the form value is missing or malformed
            not hex: the form value is missing or malformed
            issued at the start of time: the form has expired
            issued at the end of time: the form has expired
            issued at the end of time, checked then: ok
        "#]]
        .assert_eq(&actual);
    }
}
