//! Email addresses: validation, one identity per mailbox, and the spelling mail is sent to.
//!
//! We are deliberately pragmatic (not full RFC 5322): the address must be something a mailer can
//! deliver to and a person could type. Two spellings that reach the same inbox must be the same
//! person, or a suppressed address comes back as `ada@ｅxample.org` (fullwidth `ｅ`) or with its
//! accents decomposed. So an address has two forms:
//!
//! - the **identity** (`Email::identity`, what subject ids are computed from): the local part in
//!   Unicode NFC and lower case, `@`, the domain mapped by IDNA UTS-46 (which folds case, width
//!   and compatibility forms and decodes Punycode) in its Unicode form. For an address already
//!   lower-case, NFC and with its domain in Unicode form, the identity is the address itself, so
//!   ids computed before this rule existed still match.
//! - the **address for sending** (`Email::address_for_sending`, what is stored and mailed to):
//!   the local part as the person typed it (NFC; mail servers may treat its case as meaningful),
//!   `@`, the domain as ASCII (A-labels), which every mail system can route.
//!
//! Invisible characters are refused rather than stripped: format characters (Unicode general
//! category Cf: zero-width joiner, soft hyphen, bidi controls, …) and controls have no place in an
//! address, and UTS-46 would silently delete some of them from a domain.
//!
//! `mailbox_key` goes further than the identity, for mail budgets only: it folds plus-tags (and
//! dots, at providers that ignore them) so `victim+1@gmail.com` and `v.ictim+2@gmail.com` share
//! one budget. It is not an identity: those are different addresses a person may use on purpose.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::props::GeneralCategory;
use icu_properties::CodePointMapData;
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use thiserror::Error;

/// The longest address SMTP can carry (RFC 5321 path limit minus the angle brackets).
pub const MAX_EMAIL_LEN: usize = 254;

/// Longest local part (RFC 5321), in bytes of its NFC form.
pub const MAX_LOCAL_LEN: usize = 64;

/// Input longer than this is refused before any Unicode processing (it could never fit anyway).
const MAX_RAW_LEN: usize = 4 * MAX_EMAIL_LEN;

/// Providers that deliver `a.da@` and `ada@` to the same inbox, and the domain they share.
const DOTLESS_PROVIDERS: &[(&str, &str)] = &[("gmail.com", "gmail.com"), ("googlemail.com", "gmail.com")];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("email address is empty")]
    Empty,
    #[error("email address is longer than {MAX_EMAIL_LEN} characters")]
    TooLong,
    #[error("email address must contain exactly one '@' with text on both sides")]
    Shape,
    #[error("email address contains a space or control character")]
    BadCharacter,
    #[error(
        "email address contains an invisible formatting character (such as a zero-width joiner, \
         soft hyphen or text-direction mark)"
    )]
    FormatCharacter,
    #[error("email domain must contain a dot and only letters, digits, hyphens and dots")]
    BadDomain,
    #[error("part of the email address before '@' is longer than 64 characters")]
    LocalTooLong,
    #[error(
        "part of the email address before '@' may hold only letters, digits, single dots between \
         them and ! # $ % & ' * + - / = ? ^ _ ` {{ | }} ~"
    )]
    LocalCharacter,
}

/// A syntactically valid email address: its identity and the spelling mail is sent to.
/// Equality, ordering and hashing follow the identity.
#[derive(Debug, Clone)]
pub struct Email {
    identity: String,
    sending: String,
    /// Where the domain starts in `identity` (after the `@`).
    domain_at: usize,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > MAX_RAW_LEN {
            return Err(EmailError::TooLong);
        }
        let categories = CodePointMapData::<GeneralCategory>::new();
        for c in trimmed.chars() {
            if c.is_whitespace() || c.is_control() {
                return Err(EmailError::BadCharacter);
            }
            if categories.get(c) == GeneralCategory::Format {
                return Err(EmailError::FormatCharacter);
            }
        }
        let nfc = ComposingNormalizerBorrowed::new_nfc();
        let composed = nfc.normalize(trimmed);
        let (local, domain) = match composed.split_once('@') {
            Some((l, d)) if !l.is_empty() && !d.is_empty() && !d.contains('@') => (l, d),
            _ => return Err(EmailError::Shape),
        };
        if local.len() > MAX_LOCAL_LEN {
            return Err(EmailError::LocalTooLong);
        }
        if !is_dot_atom(local) {
            return Err(EmailError::LocalCharacter);
        }
        let (ascii_domain, unicode_domain) = map_domain(domain)?;
        let sending = format!("{local}@{ascii_domain}");
        if sending.len() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        // Lower-casing can leave a string that is no longer NFC (rarely), so compose again.
        let local_identity = nfc.normalize(&local.to_lowercase()).into_owned();
        // Lower-casing can also lengthen it (`İ` is 2 bytes, `i̇` 3): the limits hold for the
        // identity too, so that it is itself a valid address that parses to itself (found
        // while writing the fuzz target's property; regression test `limits_hold_for_the_identity`).
        if local_identity.len() > MAX_LOCAL_LEN {
            return Err(EmailError::LocalTooLong);
        }
        let identity = format!("{local_identity}@{unicode_domain}");
        if local_identity.len() + 1 + ascii_domain.len() > MAX_EMAIL_LEN || identity.len() > MAX_RAW_LEN {
            return Err(EmailError::TooLong);
        }
        Ok(Email { domain_at: local_identity.len() + 1, identity, sending })
    }

    /// The one form of this mailbox that subject ids, suppression and comparisons use.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// What to store and send mail to: the local part as typed, the domain in ASCII.
    pub fn address_for_sending(&self) -> &str {
        &self.sending
    }

    /// The identity's domain (Unicode form, lower case).
    pub fn domain(&self) -> &str {
        &self.identity[self.domain_at..]
    }

    /// The inbox this address delivers to, as far as a mail budget needs to know: the identity
    /// without a `+tag`, and without dots at providers that ignore them (`gmail.com`,
    /// `googlemail.com`, which share one key). Never stored plain (see `mailbox_key` users).
    pub fn mailbox_key(&self) -> String {
        let local = &self.identity[..self.domain_at - 1];
        let untagged = match local.split_once('+') {
            Some((base, _)) if !base.is_empty() => base,
            _ => local,
        };
        match DOTLESS_PROVIDERS.iter().find(|(domain, _)| *domain == self.domain()) {
            Some((_, shared)) => format!("{}@{shared}", untagged.replace('.', "")),
            None => format!("{untagged}@{}", self.domain()),
        }
    }
}

/// RFC 5321 dot-atom text, with non-ASCII characters as SMTPUTF8 allows. Quoting, comments,
/// escapes and commas are refused: a mailer reads `"ada"@example.org` as `ada@example.org` (a
/// second identity for one inbox, so a way round suppression) and `a,b@…` as two recipients.
fn is_dot_atom(local: &str) -> bool {
    let atext = |c: char| !c.is_ascii() || c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

/// The domain's ASCII (A-label) and Unicode forms after UTS-46 mapping with the STD3 rules (only
/// letters, digits and hyphens in labels, no leading or trailing hyphen, DNS lengths); at least
/// two labels, since mail never goes to a bare host name.
fn map_domain(domain: &str) -> Result<(String, String), EmailError> {
    let uts46 = Uts46::new();
    let ascii = uts46
        .to_ascii(domain.as_bytes(), AsciiDenyList::STD3, Hyphens::CheckFirstLast, DnsLength::Verify)
        .map_err(|_| EmailError::BadDomain)?;
    if !ascii.contains('.') {
        return Err(EmailError::BadDomain);
    }
    let (unicode, checked) = uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::CheckFirstLast);
    checked.map_err(|_| EmailError::BadDomain)?;
    // Both forms must name the same domain: an A-label whose Unicode form the rules refuse (one
    // that decodes to another `xn--` label, found by the fuzzer) would give an identity that does
    // not parse. Refuse it here instead.
    let round_trip = uts46
        .to_ascii(unicode.as_bytes(), AsciiDenyList::STD3, Hyphens::CheckFirstLast, DnsLength::Verify)
        .map_err(|_| EmailError::BadDomain)?;
    if round_trip != ascii {
        return Err(EmailError::BadDomain);
    }
    let unicode = unicode.into_owned();
    Ok((ascii.into_owned(), unicode))
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.identity == other.identity
    }
}

impl Eq for Email {}

impl Hash for Email {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity.hash(state);
    }
}

impl PartialOrd for Email {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Email {
    fn cmp(&self, other: &Self) -> Ordering {
        self.identity.cmp(&other.identity)
    }
}

#[cfg(test)]
mod tests;
