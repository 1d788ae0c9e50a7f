//! Credentials for the console's live preview (`/admin/sites/{site}/embed/live`): the real
//! widget on the worker's own origin, which no site registers. The preview page carries one;
//! the widget sends it with its POSTs, and the worker then takes the worker's own origin for
//! that one site and answers without recording anything (a dry run).
//!
//! A credential is `<issued-at>.<session hash>.<HMAC(key, "preview:v1|" + site + "|" +
//! session hash + "|" + issued-at)>`: bound to one site and one console session (the SHA-256
//! the store keeps of the session token, never the token), valid for [`MAX_AGE_SECS`], checkable
//! without storing anything. Time is an argument, like everywhere in `shared`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

/// How long a preview page's credential is taken: long enough to try the banner and a form,
/// short enough that a copied one soon stops working.
pub const MAX_AGE_SECS: i64 = 30 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PreviewError {
    #[error("the preview credential is missing or malformed")]
    Malformed,
    #[error("the preview credential was not issued for this site")]
    Forged,
    #[error("the preview credential has expired: reload the preview page")]
    Expired,
}

fn mac(key: &[u8], site: &str, session_hash: &str, issued: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(format!("preview:v1|{site}|{session_hash}|{issued}").as_bytes());
    mac
}

/// A credential for previewing `site` from the session whose token hashes to `session_hash`.
pub fn issue(key: &[u8], site: &str, session_hash: &str, now: i64) -> String {
    let tag = hex::encode(mac(key, site, session_hash, now).finalize().into_bytes());
    format!("{now}.{session_hash}.{tag}")
}

/// The session hash of a genuine, unexpired credential for `site`.
pub fn check<'a>(key: &[u8], site: &str, presented: &'a str, now: i64) -> Result<&'a str, PreviewError> {
    let mut parts = presented.split('.');
    let (Some(issued), Some(session_hash), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(PreviewError::Malformed);
    };
    let issued: i64 = issued.parse().map_err(|_| PreviewError::Malformed)?;
    let well_formed = session_hash.len() == 64 && session_hash.bytes().all(|b| b.is_ascii_hexdigit());
    let tag = hex::decode(tag).map_err(|_| PreviewError::Malformed)?;
    if !well_formed {
        return Err(PreviewError::Malformed);
    }
    mac(key, site, session_hash, issued).verify_slice(&tag).map_err(|_| PreviewError::Forged)?;
    // A minute's leeway for clocks that differ between isolates; saturating, as in `csrf`.
    if !(-60..=MAX_AGE_SECS).contains(&now.saturating_sub(issued)) {
        return Err(PreviewError::Expired);
    }
    Ok(session_hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn preview_credentials_as_data() {
        let key = b"preview-test-key";
        let session = "ab".repeat(32);
        let good = issue(key, "demo", &session, 1_000);
        let cases = [
            ("fresh", good.clone(), "demo", 1_000),
            ("near the end of its life", good.clone(), "demo", 1_000 + MAX_AGE_SECS),
            ("expired", good.clone(), "demo", 1_001 + MAX_AGE_SECS),
            ("issued in the future", issue(key, "demo", &session, 5_000), "demo", 1_000),
            ("for another site", good.clone(), "other", 1_000),
            ("another key", issue(b"other-key", "demo", &session, 1_000), "demo", 1_000),
            ("another session", good.replacen(&session, &"cd".repeat(32), 1), "demo", 1_000),
            ("time altered", good.replacen("1000", "2000", 1), "demo", 2_000),
            ("empty", String::new(), "demo", 1_000),
            ("short session hash", issue(key, "demo", "ab", 1_000), "demo", 1_000),
            ("extra part", format!("{good}.x"), "demo", 1_000),
            ("issued at the start of time", issue(key, "demo", &session, i64::MIN), "demo", i64::MAX),
        ];
        let actual: String = cases
            .iter()
            .map(|(name, value, site, now)| match check(key, site, value, *now) {
                Ok(s) => format!("{name}: ok ({})\n", &s[..4]),
                Err(e) => format!("{name}: {e}\n"),
            })
            .collect();
        expect![[r#"
            fresh: ok (abab)
            near the end of its life: ok (abab)
            expired: the preview credential has expired: reload the preview page
            issued in the future: the preview credential has expired: reload the preview page
            for another site: the preview credential was not issued for this site
            another key: the preview credential was not issued for this site
            another session: the preview credential was not issued for this site
            time altered: the preview credential was not issued for this site
            empty: the preview credential is missing or malformed
            short session hash: the preview credential is missing or malformed
            extra part: the preview credential is missing or malformed
            issued at the start of time: the preview credential has expired: reload the preview page
        "#]]
        .assert_eq(&actual);
    }
}
