//! Outgoing transactional mail (preference links, confirmations) through a configurable HTTP
//! email API. The app composes messages; a `Mailer` delivers them — over `fetch` in the worker,
//! into a list in tests. Sending happens after the response (`RequestFacts::later`), so how
//! long a send takes never tells a caller whether an address is known.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

/// A message to one person. `html` is complete, escaped markup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub type SendFuture = Pin<Box<dyn Future<Output = Result<(), String>>>>;

/// Delivers mail. Object-safe so the app can hold whichever one the environment provides.
pub trait Mailer {
    fn send(&self, mail: OutgoingMail) -> SendFuture;
}

/// The JSON body posted to the email API (`MAIL_API_URL`, `Authorization: Bearer MAIL_API_KEY`):
/// `{"from", "to": [..], "subject", "text", "html"}` — the shape Resend and several other
/// providers accept; a relay can translate it for any other.
#[derive(Debug, Serialize)]
pub struct ApiMessage<'a> {
    pub from: &'a str,
    pub to: [&'a str; 1],
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

impl<'a> ApiMessage<'a> {
    pub fn new(from: &'a str, mail: &'a OutgoingMail) -> ApiMessage<'a> {
        ApiMessage { from, to: [&mail.to], subject: &mail.subject, text: &mail.text, html: &mail.html }
    }
}
