//! Rectification (UK GDPR art. 16) of a person's name and address: the one path the preference
//! centre (the person themselves) and the console (an operator acting on a letter or a call)
//! share. A name is corrected at once; a new address only becomes the person's when they follow
//! the link mailed to it (`/c`, `Scope::ConfirmEmail`), so nobody can move a record to an inbox
//! they do not hold.

use consent_shared::email::Email;
use consent_shared::site::SiteConfig;
use consent_shared::subject::subject_id;
use consent_shared::time::format_utc;
use maud::html;

use super::links::LinkSigner;
use super::mail::OutgoingMail;
use super::page_text::PageLang;
use super::preferences::address_taken;
use super::{App, RequestFacts};
use crate::http::HttpRequest;
use crate::store::{Store, StoreError, SubjectRecord};

/// Longest name kept.
pub const MAX_NAME_CHARS: usize = 200;

/// Whether a name may be kept: at most [`MAX_NAME_CHARS`] characters, no control characters.
pub fn name_is_valid(name: &str) -> bool {
    name.chars().count() <= MAX_NAME_CHARS && !name.chars().any(char::is_control)
}

/// What happens when the new address already stands for someone else (or may not be used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnusableAddress {
    /// The person's own page: the request is written but can never be confirmed, and only the
    /// new inbox is told why, so the page (read by whoever holds the link) reveals nothing.
    WriteButNeverConfirm,
    /// An operator: refused before anything is written, in words that say nothing about whom
    /// the address belongs to. A suppressed or erased address is refused the same way.
    Refuse,
}

/// What a correction came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rectified {
    Done {
        name_changed: bool,
        /// A change of address was written and a mail sent to the new address (with
        /// [`UnusableAddress::Refuse`], always the confirmation link).
        address_requested: bool,
    },
    /// [`UnusableAddress::Refuse`] only: nothing was written.
    AddressUnusable,
    /// A new address was asked for but no mail can be sent to confirm it: nothing was written.
    MailUnavailable,
}

/// A correction of `subject`'s record: `name` (when given; empty clears it) and `new_email`
/// (when given and not the address already held). Names must have passed [`name_is_valid`].
#[allow(clippy::too_many_arguments)]
pub async fn rectify<S: Store + 'static>(
    app: &App<S>,
    site: &SiteConfig,
    subject: &str,
    held: &SubjectRecord,
    name: Option<&str>,
    new_email: Option<&Email>,
    unusable: UnusableAddress,
    lang: PageLang,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<Rectified, StoreError> {
    // The stored spelling may differ from the one typed: compare identities.
    let held_email = held.email.as_deref().and_then(|s| Email::parse(s).ok());
    let new_email = new_email.filter(|e| held_email.as_ref() != Some(*e));
    if new_email.is_some() && app.mailer.is_none() {
        return Ok(Rectified::MailUnavailable);
    }
    let alias = new_email.map(|e| subject_id(&app.config.subject_key, &site.id, e));
    // The same reads whether or not the address is taken, so timing tells nothing either.
    let taken = match &alias {
        Some(alias) => address_taken(app, &site.id, subject, alias).await,
        None => false,
    };
    if let (Some(alias), UnusableAddress::Refuse) = (&alias, unusable) {
        if taken || app.store.is_suppressed(&site.id, alias).await? {
            return Ok(Rectified::AddressUnusable);
        }
    }
    let now = format_utc(facts.now);
    let name_changed = name.is_some_and(|n| held.name.as_deref().unwrap_or("") != n);
    if let (true, Some(name)) = (name_changed, name) {
        app.store.set_name(&site.id, subject, Some(name).filter(|n| !n.is_empty()), &now).await?;
    }
    let (Some(email), Some(alias)) = (new_email, alias) else {
        return Ok(Rectified::Done { name_changed, address_requested: false });
    };
    // A change to a taken address (own page only) is written too but can never be confirmed:
    // its link is not sent, and `/c` checks again before applying anything.
    app.store.request_email_change(&site.id, subject, email, &alias, &now).await?;
    let mail = if taken {
        // Said only to the inbox that owns the address.
        taken_mail(site, lang, email)
    } else {
        let url = LinkSigner::for_request(app, req, facts).confirm_email_url(&site.id, subject, &alias);
        confirm_email_mail(site, lang, email, &url)
    };
    // Throttled per new address's mailbox: that is the inbox that could be flooded.
    app.mail_later(facts, &site.id, "address_change", mail);
    Ok(Rectified::Done { name_changed, address_requested: true })
}

fn confirm_email_mail(site: &SiteConfig, lang: PageLang, email: &Email, url: &str) -> OutgoingMail {
    let t = lang.text();
    let org = &site.organisation.name;
    super::confirm::link_mail(
        email.address_for_sending(),
        &t.mail_confirm_email_subject.replace("{org}", org),
        &t.mail_confirm_email_body.replace("{org}", org),
        url,
        t,
    )
}

fn taken_mail(site: &SiteConfig, lang: PageLang, email: &Email) -> OutgoingMail {
    let t = lang.text();
    let org = &site.organisation.name;
    let body = t.mail_email_taken_body.replace("{org}", org);
    OutgoingMail {
        to: email.address_for_sending().to_string(),
        subject: t.mail_confirm_email_subject.replace("{org}", org),
        text: format!("{body}\n\n{}\n", t.mail_ignore),
        html: html! { p { (body) } p { (t.mail_ignore) } }.into_string(),
    }
}
