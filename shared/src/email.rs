//! Email address validation and normalisation.
//!
//! We are deliberately pragmatic (not full RFC 5322): the address must be something a mailer can
//! deliver to and a person could type. Normalisation trims and lower-cases, so the same person is
//! one subject however they capitalise their address.

use thiserror::Error;

/// The longest address SMTP can carry (RFC 5321 path limit minus the angle brackets).
pub const MAX_EMAIL_LEN: usize = 254;

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
    #[error("email domain must contain a dot and only letters, digits, hyphens and dots")]
    BadDomain,
    #[error("part of the email address before '@' is longer than 64 characters")]
    LocalTooLong,
}

/// A syntactically valid, normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let normalised = raw.trim().to_lowercase();
        if normalised.is_empty() {
            return Err(EmailError::Empty);
        }
        if normalised.len() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        if normalised.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::BadCharacter);
        }
        let (local, domain) = match normalised.split_once('@') {
            Some((l, d)) if !l.is_empty() && !d.is_empty() && !d.contains('@') => (l, d),
            _ => return Err(EmailError::Shape),
        };
        if local.len() > 64 {
            return Err(EmailError::LocalTooLong);
        }
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !domain.contains('.') || !labels_ok {
            return Err(EmailError::BadDomain);
        }
        Ok(Email(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn parses_as_data() {
        let cases = [
            "Ada.Lovelace@Example.ac.uk",
            "  bob@club.org.uk ",
            "",
            "no-at-sign.example.com",
            "two@@example.com",
            "a@b@example.com",
            "spa ce@example.com",
            "user@localhost",
            "user@-bad.example",
            "user@exa_mple.com",
            "user@example..com",
            "x@café.example",
        ];
        let actual: String = cases
            .iter()
            .map(|c| match Email::parse(c) {
                Ok(e) => format!("{c:?} -> ok {e}\n"),
                Err(e) => format!("{c:?} -> err {e}\n"),
            })
            .collect();
        expect![[r#"
            "Ada.Lovelace@Example.ac.uk" -> ok ada.lovelace@example.ac.uk
            "  bob@club.org.uk " -> ok bob@club.org.uk
            "" -> err email address is empty
            "no-at-sign.example.com" -> err email address must contain exactly one '@' with text on both sides
            "two@@example.com" -> err email address must contain exactly one '@' with text on both sides
            "a@b@example.com" -> err email address must contain exactly one '@' with text on both sides
            "spa ce@example.com" -> err email address contains a space or control character
            "user@localhost" -> err email domain must contain a dot and only letters, digits, hyphens and dots
            "user@-bad.example" -> err email domain must contain a dot and only letters, digits, hyphens and dots
            "user@exa_mple.com" -> err email domain must contain a dot and only letters, digits, hyphens and dots
            "user@example..com" -> err email domain must contain a dot and only letters, digits, hyphens and dots
            "x@café.example" -> ok x@café.example
        "#]]
        .assert_eq(&actual);
    }

    #[test]
    fn rejects_overlong() {
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(Email::parse(&long), Err(EmailError::LocalTooLong));
        let longer = format!("a@{}.com", "b".repeat(260));
        assert_eq!(Email::parse(&longer), Err(EmailError::TooLong));
    }
}
