//! Subjects: a person as the ledger knows them — a keyed HMAC of their email identity
//! (`Email::identity`: NFC, lower case, domain mapped by IDNA UTS-46).
//!
//! The plain address lives only in the subjects table, so erasing a person removes it while the
//! history (keyed by this id) stays verifiable, and a suppression entry can still match the
//! address if it is ever submitted again.

use crate::digest::hmac_sha256_hex;
use crate::email::Email;

/// The stable, non-reversible ledger id for `email` on `site` under the deployment's secret key.
/// The site is part of the message so the same person on two sites is two unrelated subjects.
pub fn subject_id(key: &[u8], site: &str, email: &Email) -> String {
    let message = format!("subject:v1\n{site}\n{}", email.identity());
    hmac_sha256_hex(key, message.as_bytes())
}

/// Keyed id of the mailbox an address delivers to (`Email::mailbox_key`), for mail budgets:
/// across sites, and never the plain address.
pub fn mailbox_tag(key: &[u8], email: &Email) -> String {
    hmac_sha256_hex(key, format!("mailbox:v1\n{}", email.mailbox_key()).as_bytes())
}

/// Keyed id of an address's domain, for the per-domain mail budget (a small organisation's
/// domain can name it, so it is not kept plain either).
pub fn domain_tag(key: &[u8], email: &Email) -> String {
    hmac_sha256_hex(key, format!("mail-domain:v1\n{}", email.domain()).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_person_same_id_across_spelling_but_not_across_sites_or_keys() {
        let a = Email::parse("Ada@Example.org").unwrap();
        let b = Email::parse(" ada@example.org").unwrap();
        assert_eq!(subject_id(b"k", "demo", &a), subject_id(b"k", "demo", &b));
        assert_ne!(subject_id(b"k", "demo", &a), subject_id(b"k", "other", &a));
        assert_ne!(subject_id(b"k", "demo", &a), subject_id(b"k2", "demo", &a));
        assert_eq!(subject_id(b"k", "demo", &a).len(), 64);
    }
}
