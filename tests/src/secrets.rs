//! The secrets the test harnesses give the worker under test (`--var`, overriding `.dev.vars`).
//! Each is at least 32 bytes, as a deployed worker requires of its keys.

pub const SUBJECT_KEY: &str = "test-subject-key-0123456789abcdef-0123";
pub const ADMIN_KEY: &str = "test-admin-key-0123456789abcdef-012345";
/// The `Authorization` header value for `ADMIN_KEY`.
pub const ADMIN_BEARER: &str = "Bearer test-admin-key-0123456789abcdef-012345";
/// `TOKEN_KEYS`: one link-signing key, id `t1`.
pub const TOKEN_KEYS: &str = "t1:test-token-key-0123456789abcdef-0123";
pub const LEDGER_KEY: &str = "test-ledger-key-0123456789abcdef-01234";

/// The keys as `(NAME, value)` pairs for `WranglerDev::start`; callers add their own vars.
pub fn worker_secrets() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SUBJECT_KEY", SUBJECT_KEY),
        ("ADMIN_KEY", ADMIN_KEY),
        ("TOKEN_KEYS", TOKEN_KEYS),
        ("LEDGER_KEY", LEDGER_KEY),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn bearer_names_the_admin_key() {
        assert_eq!(super::ADMIN_BEARER, format!("Bearer {}", super::ADMIN_KEY));
    }
}
