//! Signed, scoped, expiring link tokens: unsubscribe, preference-centre and confirmation links.
//!
//! `v1.<key id>.<base64url(claims JSON)>.<base64url(HMAC-SHA256)>`, the MAC over everything
//! before the last dot. The key id lets keys rotate: sign with the newest, verify with any listed.
//! Links carry the subject's HMAC id, never an email or a database id, and say what they may do.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

use crate::site::Channel;

const VERSION: &str = "v1";

/// What a token allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Scope {
    /// Withdraw one purpose on a channel, or every purpose on it when `purpose` is `None`.
    Unsubscribe { purpose: Option<String>, channel: Channel },
    /// See and change everything held about the subject (the preference centre).
    Preferences,
    /// Confirm the subject's pending (double opt-in) consents.
    Confirm,
    /// Confirm a new address asked for on the preference page; `alias` is its HMAC id.
    ConfirmEmail { alias: String },
    /// See where one complaint stands (`/complaint-status/{token}`): names the register entry by
    /// its reference; the claims' `sub` is empty, so the link carries no trace of the person.
    ComplaintStatus { reference: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub site: String,
    /// The subject id (`subject::subject_id`).
    pub sub: String,
    pub scope: Scope,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
}

/// A signing key with its id.
#[derive(Clone)]
pub struct Key {
    pub id: String,
    pub secret: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    #[error("the link is not complete or not one of ours")]
    Malformed,
    #[error("the link was signed with a key that is no longer in use")]
    UnknownKey,
    #[error("the link has been altered or was not issued by us")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
    #[error("token keys must look like 'id:secret,id:secret' with secrets of at least 16 characters")]
    BadKeySpec,
}

/// Parses `TOKEN_KEYS`: `newest-id:secret,older-id:secret,…` (the first one signs).
pub fn parse_keys(spec: &str) -> Result<Vec<Key>, TokenError> {
    let keys: Vec<Key> = spec
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| match k.split_once(':') {
            Some((id, secret))
                if !id.is_empty()
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    && secret.len() >= 16 =>
            {
                Ok(Key { id: id.to_string(), secret: secret.as_bytes().to_vec() })
            }
            _ => Err(TokenError::BadKeySpec),
        })
        .collect::<Result<_, _>>()?;
    if keys.is_empty() {
        return Err(TokenError::BadKeySpec);
    }
    Ok(keys)
}

/// The keys in `TOKEN_KEYS`, or — when it is not set — one key derived from another secret
/// (the subject key), so a deployment works before it sets up rotation.
pub fn keys_or_derived(spec: Option<&str>, master: &[u8]) -> Result<Vec<Key>, TokenError> {
    match spec.filter(|s| !s.trim().is_empty()) {
        Some(spec) => parse_keys(spec),
        None => Ok(vec![Key {
            id: "d1".into(),
            secret: crate::digest::hmac_sha256_hex(master, b"link-tokens:v1").into_bytes(),
        }]),
    }
}

fn mac(key: &Key, signed: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.secret).expect("HMAC accepts keys of any length");
    mac.update(signed.as_bytes());
    mac
}

pub fn sign(claims: &Claims, key: &Key) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let signed = format!("{VERSION}.{}.{payload}", key.id);
    let tag = URL_SAFE_NO_PAD.encode(mac(key, &signed).finalize().into_bytes());
    format!("{signed}.{tag}")
}

/// The claims of a genuine, unexpired token. `now` is seconds since the Unix epoch.
pub fn verify(token: &str, keys: &[Key], now: i64) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(version), Some(kid), Some(payload), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    if version != VERSION {
        return Err(TokenError::Malformed);
    }
    let key = keys.iter().find(|k| k.id == kid).ok_or(TokenError::UnknownKey)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| TokenError::Malformed)?;
    let signed = &token[..token.rfind('.').expect("four parts")];
    mac(key, signed).verify_slice(&tag).map_err(|_| TokenError::BadSignature)?;
    let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn keys() -> Vec<Key> {
        parse_keys("k2:new-secret-0123456789, k1:old-secret-0123456789").unwrap()
    }

    fn claims() -> Claims {
        Claims {
            site: "demo".into(),
            sub: "ab".repeat(32),
            scope: Scope::Unsubscribe { purpose: Some("news".into()), channel: Channel::Email },
            exp: 2_000_000_000,
        }
    }

    #[test]
    fn tokens_as_data() {
        let keys = keys();
        let good = sign(&claims(), &keys[0]);
        let old_key = sign(&claims(), &keys[1]);
        let retired = sign(&claims(), &parse_keys("k0:retired-secret-012345").unwrap()[0]);
        let other_site = {
            let mut c = claims();
            c.site = "other".into();
            let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap());
            let parts: Vec<&str> = good.split('.').collect();
            format!("{}.{}.{forged_payload}.{}", parts[0], parts[1], parts[3])
        };
        let expired = sign(&Claims { exp: 1_000, ..claims() }, &keys[0]);
        let mut flipped = good.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        let scoped = |scope: Scope| sign(&Claims { scope, ..claims() }, &keys[0]);
        let preferences = scoped(Scope::Preferences);
        let confirm = scoped(Scope::Confirm);
        let confirm_email = scoped(Scope::ConfirmEmail { alias: "cd".repeat(32) });
        let complaint = scoped(Scope::ComplaintStatus { reference: "C-7K3M9QX2".into() });
        let cases = [
            ("current key", good.as_str()),
            ("preference centre", preferences.as_str()),
            ("double opt-in confirmation", confirm.as_str()),
            ("new address confirmation", confirm_email.as_str()),
            ("complaint status", complaint.as_str()),
            ("older key still accepted", old_key.as_str()),
            ("retired key", retired.as_str()),
            ("claims changed to another site", other_site.as_str()),
            ("signature altered", flipped.as_str()),
            ("expired", expired.as_str()),
            ("empty", ""),
            ("garbage", "not.a.token.at.all"),
            ("other version", "v9.k2.e30.AAAA"),
        ];
        let actual: String = cases
            .iter()
            .map(|(name, t)| match verify(t, &keys, 1_800_000_000) {
                Ok(c) => format!("{name}: ok {} {:?}\n", c.site, c.scope),
                Err(e) => format!("{name}: {e}\n"),
            })
            .collect();
        expect![[r#"
            current key: ok demo Unsubscribe { purpose: Some("news"), channel: Email }
            preference centre: ok demo Preferences
            double opt-in confirmation: ok demo Confirm
            new address confirmation: ok demo ConfirmEmail { alias: "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd" }
            complaint status: ok demo ComplaintStatus { reference: "C-7K3M9QX2" }
            older key still accepted: ok demo Unsubscribe { purpose: Some("news"), channel: Email }
            retired key: the link was signed with a key that is no longer in use
            claims changed to another site: the link has been altered or was not issued by us
            signature altered: the link has been altered or was not issued by us
            expired: the link has expired
            empty: the link is not complete or not one of ours
            garbage: the link is not complete or not one of ours
            other version: the link is not complete or not one of ours
        "#]]
        .assert_eq(&actual);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn scope() -> impl Strategy<Value = Scope> {
            let channel = proptest::sample::select(Channel::ALL.to_vec());
            prop_oneof![
                (proptest::option::of(any::<String>()), channel)
                    .prop_map(|(purpose, channel)| Scope::Unsubscribe { purpose, channel }),
                Just(Scope::Preferences),
                Just(Scope::Confirm),
                any::<String>().prop_map(|alias| Scope::ConfirmEmail { alias }),
                any::<String>().prop_map(|reference| Scope::ComplaintStatus { reference }),
            ]
        }

        fn claims() -> impl Strategy<Value = Claims> {
            (any::<String>(), any::<String>(), scope(), any::<i64>())
                .prop_map(|(site, sub, scope, exp)| Claims { site, sub, scope, exp })
        }

        proptest! {
            /// What we sign verifies to the same claims with any listed key until it expires,
            /// and not at all once it has.
            #[test]
            fn sign_then_verify(claims in claims(), which in 0usize..2, now in any::<i64>()) {
                let keys = keys();
                let token = sign(&claims, &keys[which]);
                let verified = verify(&token, &keys, now);
                if claims.exp > now {
                    prop_assert_eq!(verified, Ok(claims));
                } else {
                    prop_assert_eq!(verified, Err(TokenError::Expired));
                }
            }

            /// Changing any one character never yields other claims.
            #[test]
            fn altered_tokens_never_verify_as_other_claims(claims in claims(), at in any::<usize>()) {
                let keys = keys();
                let token = sign(&Claims { exp: i64::MAX, ..claims.clone() }, &keys[0]);
                let mut bytes = token.into_bytes();
                let at = at % bytes.len();
                bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
                let altered = String::from_utf8(bytes).unwrap();
                if let Ok(back) = verify(&altered, &keys, 0) {
                    prop_assert_eq!(back, Claims { exp: i64::MAX, ..claims });
                }
            }
        }
    }

    #[test]
    fn key_specs() {
        assert_eq!(keys()[0].id, "k2");
        assert_eq!(parse_keys("").err(), Some(TokenError::BadKeySpec));
        assert_eq!(parse_keys("k1:short").err(), Some(TokenError::BadKeySpec));
        assert_eq!(parse_keys("bad id:0123456789abcdef").err(), Some(TokenError::BadKeySpec));
    }
}
