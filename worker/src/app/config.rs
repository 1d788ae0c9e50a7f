//! The worker's secrets and settings, read from its environment by one pure function
//! (`AppConfig::from_env`), so every rule about keys is tested natively as data.
//!
//! Rules: every key is at least [`MIN_KEY_BYTES`] bytes. A bad `SUBJECT_KEY` or `LEDGER_KEY`
//! stops the worker (every request answers 503): nothing can be recorded without them. A bad
//! `ADMIN_KEY` turns the admin endpoints off; bad `TOKEN_KEYS` or a missing `PUBLIC_ORIGIN`
//! turns the link features off (link pages, links in mail and exports, double opt-in). Each of
//! these says why in one log line.
//!
//! "Deployed" means `PUBLIC_ORIGIN` is not a loopback origin (`localhost`, `127.0.0.1`,
//! `[::1]`) — unset counts as deployed, so forgetting it fails safe. A deployed worker needs an
//! `https` `PUBLIC_ORIGIN` and its own `TOKEN_KEYS` and `LEDGER_KEY`; only a local one derives
//! them from `SUBJECT_KEY`.

use consent_shared::digest::hmac_sha256_hex;
use consent_shared::token::{parse_keys, Key};

/// The shortest key accepted: 256 bits, the HMAC-SHA-256 output size.
pub const MIN_KEY_BYTES: usize = 32;

/// Secrets and settings from the Worker environment.
#[derive(Clone)]
pub struct AppConfig {
    /// Key for `Authorization: Bearer` on admin endpoints; `None` turns them all off.
    pub admin_key: Option<String>,
    /// HMAC key that turns an email into a ledger subject id.
    pub subject_key: Vec<u8>,
    /// Link-signing keys, newest first (it signs; all verify). Empty: link features are off.
    pub token_keys: Vec<Key>,
    /// Key of the ledger's keyed hash chain.
    pub ledger_key: Vec<u8>,
    /// `scheme://host[:port]` every link the worker hands out starts with (`PUBLIC_ORIGIN`).
    /// `None`: link features are off.
    pub public_origin: Option<String>,
}

/// A configuration that starts, and what it had to turn off or make up (one log line each).
#[derive(Debug)]
pub struct Loaded {
    pub config: AppConfig,
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for AppConfig {
    /// Never prints a secret, only whether it is there.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.token_keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("AppConfig")
            .field("admin", &self.admin_key.is_some())
            .field("token_key_ids", &ids)
            .field("public_origin", &self.public_origin)
            .finish_non_exhaustive()
    }
}

impl AppConfig {
    /// Reads the environment through `lookup` (secret or var by name). `Err` is the one line
    /// that says why the worker cannot run at all.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Loaded, String> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut warnings = Vec::new();
        let origin = get("PUBLIC_ORIGIN").map(|o| o.trim().trim_end_matches('/').to_string());
        let local = origin.as_deref().is_some_and(is_loopback_origin);
        let deployed = !local;

        let subject_key = get("SUBJECT_KEY")
            .ok_or("SUBJECT_KEY is not set: refusing to run without the subject HMAC key")?;
        if subject_key.len() < MIN_KEY_BYTES {
            return Err(format!("SUBJECT_KEY is shorter than {MIN_KEY_BYTES} bytes: refusing to run"));
        }
        let subject_key = subject_key.into_bytes();

        let ledger_key = match get("LEDGER_KEY") {
            Some(key) if key.len() >= MIN_KEY_BYTES => key.into_bytes(),
            Some(_) => {
                return Err(format!("LEDGER_KEY is shorter than {MIN_KEY_BYTES} bytes: refusing to run"));
            }
            None if deployed => {
                return Err("LEDGER_KEY is not set: a deployed worker (PUBLIC_ORIGIN not loopback) \
                            needs its own ledger key; refusing to run"
                    .into());
            }
            None => {
                warnings
                    .push("LEDGER_KEY is not set: using one derived from SUBJECT_KEY (local only)".into());
                hmac_sha256_hex(&subject_key, b"ledger-chain:v1").into_bytes()
            }
        };

        let admin_key = match get("ADMIN_KEY") {
            Some(key) if key.len() >= MIN_KEY_BYTES => Some(key),
            Some(_) => {
                warnings.push(format!(
                    "ADMIN_KEY is shorter than {MIN_KEY_BYTES} bytes: admin endpoints are off"
                ));
                None
            }
            None => {
                warnings.push("ADMIN_KEY is not set: admin endpoints are off".into());
                None
            }
        };

        let token_keys = match get("TOKEN_KEYS") {
            Some(spec) => match parse_keys(&spec) {
                Ok(keys) if keys.iter().all(|k| k.secret.len() >= MIN_KEY_BYTES) => keys,
                Ok(keys) => {
                    let short: Vec<&str> = keys
                        .iter()
                        .filter(|k| k.secret.len() < MIN_KEY_BYTES)
                        .map(|k| k.id.as_str())
                        .collect();
                    warnings.push(format!(
                        "TOKEN_KEYS: key(s) {} shorter than {MIN_KEY_BYTES} bytes: link features are off",
                        short.join(", ")
                    ));
                    Vec::new()
                }
                Err(e) => {
                    warnings.push(format!("TOKEN_KEYS: {e}: link features are off"));
                    Vec::new()
                }
            },
            None if deployed => {
                warnings.push(
                    "TOKEN_KEYS is not set: a deployed worker needs its own link keys; link features are off"
                        .into(),
                );
                Vec::new()
            }
            None => {
                warnings.push(
                    "TOKEN_KEYS is not set: using one key derived from SUBJECT_KEY (local only)".into(),
                );
                vec![Key {
                    id: "d1".into(),
                    secret: hmac_sha256_hex(&subject_key, b"link-tokens:v1").into_bytes(),
                }]
            }
        };

        let public_origin = match origin {
            None => {
                warnings.push("PUBLIC_ORIGIN is not set: link features are off".into());
                None
            }
            Some(o) if !is_origin(&o) => {
                warnings
                    .push(format!("PUBLIC_ORIGIN '{o}' is not scheme://host[:port]: link features are off"));
                None
            }
            Some(o) if deployed && !o.starts_with("https://") => {
                warnings
                    .push(format!("PUBLIC_ORIGIN '{o}' must be https when deployed: link features are off"));
                None
            }
            Some(o) => Some(o),
        };

        let config = AppConfig { admin_key, subject_key, token_keys, ledger_key, public_origin };
        Ok(Loaded { config, warnings })
    }

    /// This worker's origin: `PUBLIC_ORIGIN`, else (link features off) the one the request came to.
    pub fn own_origin(&self, req: &crate::http::HttpRequest) -> String {
        self.public_origin.clone().unwrap_or_else(|| req.origin.clone())
    }

    /// Whether this worker runs on a loopback origin (`cargo xtask dev`, the tests): the console's
    /// session cookie then cannot be `Secure` nor carry the `__Host-` prefix (plain http), and
    /// the visitor's country is taken from a `CF-IPCountry` header the request carries.
    pub fn is_local(&self) -> bool {
        self.public_origin.as_deref().is_some_and(is_loopback_origin)
    }

    /// Why links cannot be made or opened, if they cannot.
    pub fn links_off(&self) -> Option<&'static str> {
        if self.token_keys.is_empty() {
            Some("link features are off: TOKEN_KEYS is missing or invalid (see the startup log)")
        } else if self.public_origin.is_none() {
            Some("link features are off: PUBLIC_ORIGIN is missing or invalid (see the startup log)")
        } else {
            None
        }
    }
}

/// `http(s)://host[:port]` and nothing more.
fn is_origin(o: &str) -> bool {
    let Some(rest) = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")) else { return false };
    !rest.is_empty() && !rest.contains(['/', '?', '#', '@', ' '])
}

fn is_loopback_origin(o: &str) -> bool {
    let Some(rest) = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")) else { return false };
    let host = match rest.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => rest.split(':').next().unwrap_or(""),
    };
    matches!(host, "localhost" | "127.0.0.1" | "::1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    const K32: &str = "0123456789abcdef0123456789abcdef";
    const SHORT: &str = "0123456789abcdef";

    /// One line per environment: what starts, with which features, and every warning.
    fn describe(env: &[(&str, &str)]) -> String {
        let loaded =
            AppConfig::from_env(|name| env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()));
        match loaded {
            Err(e) => format!("REFUSED: {e}"),
            Ok(Loaded { config: c, warnings }) => {
                let derived_tokens = c.token_keys.first().is_some_and(|k| k.id == "d1");
                let mut line = format!(
                    "admin={} links={} tokens={} origin={}",
                    c.admin_key.is_some(),
                    c.links_off().is_none(),
                    if derived_tokens { "derived".to_string() } else { c.token_keys.len().to_string() },
                    c.public_origin.as_deref().unwrap_or("-"),
                );
                for w in warnings {
                    line.push_str(&format!("\n    ! {w}"));
                }
                line
            }
        }
    }

    #[test]
    fn environments_as_data() {
        let tokens = format!("t2:{K32},t1:{K32}");
        let short_tokens = format!("t2:{K32},t1:{SHORT}");
        let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
            (
                "deployed, complete",
                vec![
                    ("PUBLIC_ORIGIN", "https://consent.example.org/"),
                    ("SUBJECT_KEY", K32),
                    ("ADMIN_KEY", K32),
                    ("TOKEN_KEYS", &tokens),
                    ("LEDGER_KEY", K32),
                ],
            ),
            ("no SUBJECT_KEY", vec![("PUBLIC_ORIGIN", "http://127.0.0.1:8787")]),
            ("short SUBJECT_KEY", vec![("PUBLIC_ORIGIN", "http://127.0.0.1:8787"), ("SUBJECT_KEY", SHORT)]),
            (
                "deployed without LEDGER_KEY",
                vec![("PUBLIC_ORIGIN", "https://consent.example.org"), ("SUBJECT_KEY", K32)],
            ),
            ("no PUBLIC_ORIGIN counts as deployed", vec![("SUBJECT_KEY", K32)]),
            (
                "short LEDGER_KEY, even locally",
                vec![("PUBLIC_ORIGIN", "http://localhost:8787"), ("SUBJECT_KEY", K32), ("LEDGER_KEY", SHORT)],
            ),
            (
                "deployed without TOKEN_KEYS, short ADMIN_KEY",
                vec![
                    ("PUBLIC_ORIGIN", "https://consent.example.org"),
                    ("SUBJECT_KEY", K32),
                    ("LEDGER_KEY", K32),
                    ("ADMIN_KEY", SHORT),
                ],
            ),
            (
                "one short key in TOKEN_KEYS",
                vec![
                    ("PUBLIC_ORIGIN", "https://consent.example.org"),
                    ("SUBJECT_KEY", K32),
                    ("LEDGER_KEY", K32),
                    ("ADMIN_KEY", K32),
                    ("TOKEN_KEYS", &short_tokens),
                ],
            ),
            (
                "malformed TOKEN_KEYS",
                vec![
                    ("PUBLIC_ORIGIN", "https://consent.example.org"),
                    ("SUBJECT_KEY", K32),
                    ("LEDGER_KEY", K32),
                    ("ADMIN_KEY", K32),
                    ("TOKEN_KEYS", "nocolon"),
                ],
            ),
            (
                "deployed over http",
                vec![
                    ("PUBLIC_ORIGIN", "http://consent.example.org"),
                    ("SUBJECT_KEY", K32),
                    ("LEDGER_KEY", K32),
                    ("ADMIN_KEY", K32),
                    ("TOKEN_KEYS", &tokens),
                ],
            ),
            (
                "PUBLIC_ORIGIN with a path",
                vec![
                    ("PUBLIC_ORIGIN", "https://consent.example.org/app"),
                    ("SUBJECT_KEY", K32),
                    ("LEDGER_KEY", K32),
                    ("ADMIN_KEY", K32),
                    ("TOKEN_KEYS", &tokens),
                ],
            ),
            (
                "local, only SUBJECT_KEY and ADMIN_KEY (bare wrangler dev)",
                vec![("PUBLIC_ORIGIN", "http://127.0.0.1:8787"), ("SUBJECT_KEY", K32), ("ADMIN_KEY", K32)],
            ),
            (
                "local over IPv6 loopback, empty values count as unset",
                vec![
                    ("PUBLIC_ORIGIN", "http://[::1]:8787"),
                    ("SUBJECT_KEY", K32),
                    ("ADMIN_KEY", ""),
                    ("TOKEN_KEYS", " "),
                ],
            ),
        ];
        let actual: String =
            cases.iter().map(|(name, env)| format!("{name}:\n  {}\n", describe(env))).collect();
        expect![[r#"
            deployed, complete:
              admin=true links=true tokens=2 origin=https://consent.example.org
            no SUBJECT_KEY:
              REFUSED: SUBJECT_KEY is not set: refusing to run without the subject HMAC key
            short SUBJECT_KEY:
              REFUSED: SUBJECT_KEY is shorter than 32 bytes: refusing to run
            deployed without LEDGER_KEY:
              REFUSED: LEDGER_KEY is not set: a deployed worker (PUBLIC_ORIGIN not loopback) needs its own ledger key; refusing to run
            no PUBLIC_ORIGIN counts as deployed:
              REFUSED: LEDGER_KEY is not set: a deployed worker (PUBLIC_ORIGIN not loopback) needs its own ledger key; refusing to run
            short LEDGER_KEY, even locally:
              REFUSED: LEDGER_KEY is shorter than 32 bytes: refusing to run
            deployed without TOKEN_KEYS, short ADMIN_KEY:
              admin=false links=false tokens=0 origin=https://consent.example.org
                ! ADMIN_KEY is shorter than 32 bytes: admin endpoints are off
                ! TOKEN_KEYS is not set: a deployed worker needs its own link keys; link features are off
            one short key in TOKEN_KEYS:
              admin=true links=false tokens=0 origin=https://consent.example.org
                ! TOKEN_KEYS: key(s) t1 shorter than 32 bytes: link features are off
            malformed TOKEN_KEYS:
              admin=true links=false tokens=0 origin=https://consent.example.org
                ! TOKEN_KEYS: token keys must look like 'id:secret,id:secret' with secrets of at least 16 characters: link features are off
            deployed over http:
              admin=true links=false tokens=2 origin=-
                ! PUBLIC_ORIGIN 'http://consent.example.org' must be https when deployed: link features are off
            PUBLIC_ORIGIN with a path:
              admin=true links=false tokens=2 origin=-
                ! PUBLIC_ORIGIN 'https://consent.example.org/app' is not scheme://host[:port]: link features are off
            local, only SUBJECT_KEY and ADMIN_KEY (bare wrangler dev):
              admin=true links=true tokens=derived origin=http://127.0.0.1:8787
                ! LEDGER_KEY is not set: using one derived from SUBJECT_KEY (local only)
                ! TOKEN_KEYS is not set: using one key derived from SUBJECT_KEY (local only)
            local over IPv6 loopback, empty values count as unset:
              admin=false links=true tokens=derived origin=http://[::1]:8787
                ! LEDGER_KEY is not set: using one derived from SUBJECT_KEY (local only)
                ! ADMIN_KEY is not set: admin endpoints are off
                ! TOKEN_KEYS is not set: using one key derived from SUBJECT_KEY (local only)
        "#]].assert_eq(&actual);
    }

    #[test]
    fn derived_keys_differ_from_the_subject_key_and_each_other() {
        let env = [("PUBLIC_ORIGIN", "http://localhost"), ("SUBJECT_KEY", K32)];
        let c = AppConfig::from_env(|n| env.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()))
            .unwrap()
            .config;
        assert_ne!(c.ledger_key, c.subject_key);
        assert_ne!(c.ledger_key, c.token_keys[0].secret);
        assert!(c.ledger_key.len() >= MIN_KEY_BYTES && c.token_keys[0].secret.len() >= MIN_KEY_BYTES);
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let env = [("PUBLIC_ORIGIN", "http://localhost"), ("SUBJECT_KEY", K32), ("ADMIN_KEY", K32)];
        let c = AppConfig::from_env(|n| env.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()))
            .unwrap()
            .config;
        assert!(!format!("{c:?}").contains(K32));
    }
}
