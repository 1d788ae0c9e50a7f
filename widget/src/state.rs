//! The opt-in form's state as plain data, and the rules that turn it into a submission.
//!
//! Nothing here touches the DOM, the network, the clock or randomness: the page URL, the browser's
//! time and fresh idempotency keys are arguments, so every rule is tested natively.

use consent_shared::api::v1::{
    ChosenPurpose, ConsentSubmission, LawfulBasis, NoticeAnswer, Organisation, PurposeOption, SiteConfig,
    SupportContext,
};

use crate::i18n::FormText;

/// The part of the config endpoint's `SiteConfig` the opt-in form shows. Fields the form does not
/// use (cookie categories, banner text, …) are not read, so the worker may add to `SiteConfig`
/// without touching the widget.
#[derive(Debug, Clone, PartialEq)]
pub struct FormConfig {
    pub site: String,
    /// The language the wording is in; sent back with the submission.
    pub lang: String,
    pub organisation: Organisation,
    pub purposes: Vec<PurposeOption>,
    /// How a person filling in this form supports the charity, as the site owner declared it on
    /// the embed (`data-consent-context="donation"`); sent with soft opt-in answers.
    pub context: Option<SupportContext>,
}

impl From<SiteConfig> for FormConfig {
    fn from(c: SiteConfig) -> FormConfig {
        FormConfig {
            site: c.site,
            lang: c.lang,
            organisation: c.organisation,
            purposes: c.purposes,
            context: None,
        }
    }
}

impl FormConfig {
    /// The configuration for one embed with the context its owner declared. A form without a
    /// context is not a place where people support the charity (a plain newsletter sign-up), so
    /// it shows no soft opt-in notices: only consent boxes.
    pub fn for_form(mut self, context: Option<SupportContext>) -> FormConfig {
        if context.is_none() {
            self.purposes.retain(|p| !is_notice(p));
        }
        self.context = context;
        self
    }
}

/// Whether a purpose is shown as a soft opt-in notice with a refusal box (not a consent box).
pub fn is_notice(option: &PurposeOption) -> bool {
    option.basis == Some(LawfulBasis::CharitySoftOptIn)
}

/// Shown (in the alert region) when the person presses submit without ticking anything.
pub const NOTHING_TICKED: FormText = FormText::NothingTicked;
/// Shown when the email box is empty.
pub const EMAIL_EMPTY: FormText = FormText::EmailEmpty;
/// Shown when the email is obviously not an address; the server applies the full rule.
pub const EMAIL_SHAPE: FormText = FormText::EmailShape;

/// Where the form is in its life.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Idle,
    Submitting,
    /// The server recorded the choices at this time (RFC 3339, from the receipt). With double
    /// opt-in, some wait for the person to confirm from the email just sent to them.
    Success {
        recorded_at: String,
        awaiting_confirmation: bool,
    },
    /// The server could not be reached: the submission is saved on this device (with its
    /// idempotency key) and the loader sends it when the connection returns.
    Queued,
    /// A readable message for the alert region.
    Error {
        message: String,
    },
}

/// What the person has entered so far. Every box starts unticked: silence is never consent, and
/// a soft opt-in's refusal box is unticked too (the person refuses by ticking it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormState {
    /// One entry per `SiteConfig::purposes`, in the same order: the consent box, or for a soft
    /// opt-in notice its refusal box.
    pub ticked: Vec<bool>,
    pub email: String,
    pub status: Status,
}

impl FormState {
    pub fn new(config: &FormConfig) -> FormState {
        FormState { ticked: vec![false; config.purposes.len()], email: String::new(), status: Status::Idle }
    }

    pub fn set_ticked(&mut self, index: usize, ticked: bool) {
        if let Some(slot) = self.ticked.get_mut(index) {
            *slot = ticked;
        }
    }

    /// Inputs are locked while a request is in flight and after the choices were recorded.
    pub fn locked(&self) -> bool {
        matches!(self.status, Status::Submitting | Status::Success { .. } | Status::Queued)
    }

    /// The submission for what is on screen, or the message to show (in the form's language)
    /// instead of posting.
    ///
    /// Only ticked options are included, each with the wording version the person saw.
    pub fn submission(
        &self,
        config: &FormConfig,
        page_url: &str,
        client_time: Option<String>,
    ) -> Result<ConsentSubmission, FormText> {
        let consents: Vec<ChosenPurpose> = config
            .purposes
            .iter()
            .zip(&self.ticked)
            .filter(|(option, ticked)| **ticked && !is_notice(option))
            .map(|(option, _)| ChosenPurpose {
                purpose: option.purpose.clone(),
                channel: option.channel,
                wording_version: option.wording_version,
            })
            .collect();
        // Every notice shown is answered: left unticked (soft opt-in) or refused.
        let notices: Vec<NoticeAnswer> = config
            .purposes
            .iter()
            .zip(&self.ticked)
            .filter(|(option, _)| is_notice(option))
            .map(|(option, ticked)| NoticeAnswer {
                purpose: option.purpose.clone(),
                channel: option.channel,
                wording_version: option.wording_version,
                refused: *ticked,
            })
            .collect();
        if consents.is_empty() && notices.is_empty() {
            return Err(NOTHING_TICKED);
        }
        let email = self.email.trim();
        if email.is_empty() {
            return Err(EMAIL_EMPTY);
        }
        if !looks_like_email(email) {
            return Err(EMAIL_SHAPE);
        }
        Ok(ConsentSubmission {
            email: email.to_owned(),
            consents,
            page_url: page_url.to_owned(),
            lang: Some(config.lang.clone()),
            client_time,
            context: (!notices.is_empty()).then_some(config.context).flatten(),
            notices,
        })
    }
}

/// A cheap first check (text, one '@', text, no spaces) so an obvious typo gets an instant answer;
/// the worker applies `consent_shared::email` and its message is shown if it disagrees.
fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The last submission attempt that got no final answer, with its idempotency key.
///
/// Pressing submit again without changing anything (e.g. after a network failure) resends the
/// same body — including its original `client_time` — under the same key, so the server can
/// recognise the retry. Any change to what is sent gets a fresh key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attempt {
    last: Option<(ConsentSubmission, String)>,
}

impl Attempt {
    /// The idempotency key of the last attempt, if any.
    pub fn key(&self) -> Option<&str> {
        self.last.as_ref().map(|(_, key)| key.as_str())
    }

    /// The body and key to send for `fresh`; `new_key` is only called when a new key is needed.
    pub fn prepare(
        &mut self,
        fresh: ConsentSubmission,
        new_key: impl FnOnce() -> String,
    ) -> (ConsentSubmission, String) {
        if let Some((previous, key)) = &self.last {
            if same_content(previous, &fresh) {
                return (previous.clone(), key.clone());
            }
        }
        let key = new_key();
        self.last = Some((fresh.clone(), key.clone()));
        (fresh, key)
    }
}

/// Equal apart from the browser clock, which changes on every press.
fn same_content(a: &ConsentSubmission, b: &ConsentSubmission) -> bool {
    a.email == b.email
        && a.consents == b.consents
        && a.notices == b.notices
        && a.context == b.context
        && a.page_url == b.page_url
        && a.lang == b.lang
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent_shared::api::v1::Channel;
    use expect_test::{expect, Expect};

    fn option(purpose: &str, channel: Channel, version: u32) -> PurposeOption {
        PurposeOption {
            purpose: purpose.into(),
            channel,
            wording_version: version,
            lang: "en".into(),
            label: format!("{purpose} by {}", channel.as_str()),
            text: format!("Yes, send me {purpose} by {}.", channel.as_str()),
            sha256: "00".repeat(32),
            basis: None,
            refusal: None,
        }
    }

    fn config() -> FormConfig {
        FormConfig {
            site: "demo".into(),
            lang: "en".into(),
            organisation: Organisation {
                name: "Demo Charity".into(),
                contact_email: "privacy@demo.example".into(),
                postal_address: "1 High Street, Leeds".into(),
                privacy_notice_url: "https://demo.example/privacy".into(),
                cookie_policy_url: "https://demo.example/cookies".into(),
                charity_number: None,
            },
            purposes: vec![
                option("news", Channel::Email, 2),
                option("fundraising", Channel::Email, 1),
                option("news", Channel::Post, 4),
            ],
            context: None,
        }
    }

    /// The demo's form with a soft opt-in notice beside a consent box, on a donation form.
    fn charity_config() -> FormConfig {
        let mut config = config();
        config.purposes.truncate(1);
        config.purposes.push(PurposeOption {
            basis: Some(LawfulBasis::CharitySoftOptIn),
            refusal: Some("I don't want to receive emails about your work".into()),
            ..option("our-work", Channel::Email, 3)
        });
        config.context = Some(SupportContext::Donation);
        config
    }

    #[test]
    fn a_form_without_a_context_shows_no_notice() {
        let plain = charity_config().for_form(None);
        let purposes: Vec<_> = plain.purposes.iter().map(|p| p.purpose.as_str()).collect();
        assert_eq!(purposes, ["news"]);
        let donation = charity_config().for_form(Some(SupportContext::Event));
        assert_eq!(donation.purposes.len(), 2);
        assert_eq!(donation.context, Some(SupportContext::Event));
    }

    #[test]
    fn a_soft_opt_in_notice_is_answered_whether_or_not_its_refusal_box_is_ticked() {
        let config = charity_config();
        let mut out = String::new();
        for ticked in [&[][..], &[1], &[0], &[0, 1]] {
            let mut state = FormState::new(&config);
            for &i in ticked {
                state.set_ticked(i, true);
            }
            state.email = "ann@example.org".into();
            let s = state.submission(&config, "https://demo.example/donate", None).unwrap();
            out.push_str(&format!("ticked {ticked:?}: {}\n", crate::json::submission_to_json(&s)));
        }
        expect![[r#"
            ticked []: {"email":"ann@example.org","consents":[],"page_url":"https://demo.example/donate","lang":"en","notices":[{"purpose":"our-work","channel":"email","wording_version":3,"refused":false}],"context":"donation"}
            ticked [1]: {"email":"ann@example.org","consents":[],"page_url":"https://demo.example/donate","lang":"en","notices":[{"purpose":"our-work","channel":"email","wording_version":3,"refused":true}],"context":"donation"}
            ticked [0]: {"email":"ann@example.org","consents":[{"purpose":"news","channel":"email","wording_version":2}],"page_url":"https://demo.example/donate","lang":"en","notices":[{"purpose":"our-work","channel":"email","wording_version":3,"refused":false}],"context":"donation"}
            ticked [0, 1]: {"email":"ann@example.org","consents":[{"purpose":"news","channel":"email","wording_version":2}],"page_url":"https://demo.example/donate","lang":"en","notices":[{"purpose":"our-work","channel":"email","wording_version":3,"refused":true}],"context":"donation"}
        "#]].assert_eq(&out);
    }

    /// Builds a form with the given boxes ticked and email, and renders the outcome as JSON or
    /// the message, so each case reads as data.
    fn check(ticked: &[usize], email: &str, expected: Expect) {
        let config = config();
        let mut state = FormState::new(&config);
        for &i in ticked {
            state.set_ticked(i, true);
        }
        state.email = email.into();
        let outcome =
            state.submission(&config, "https://demo.example/join", Some("2026-11-24T10:00:00.000Z".into()));
        let shown = match outcome {
            Ok(submission) => serde_json::to_string_pretty(&submission).unwrap(),
            Err(message) => format!("not sent: {}", crate::i18n::Lang::En.t(message)),
        };
        expected.assert_eq(&shown);
    }

    #[test]
    fn every_box_starts_unticked() {
        let state = FormState::new(&config());
        assert_eq!(state.ticked, vec![false, false, false]);
        assert_eq!(state.status, Status::Idle);
        assert!(!state.locked());
    }

    #[test]
    fn nothing_ticked_is_not_sent() {
        check(&[], "a@b.example", expect!["not sent: Tick at least one box to sign up."]);
        // The ticking rule comes first, whatever the email box holds.
        check(&[], "", expect!["not sent: Tick at least one box to sign up."]);
    }

    #[test]
    fn email_is_required() {
        check(&[0], "", expect!["not sent: Enter your email address."]);
        check(&[0], "   ", expect!["not sent: Enter your email address."]);
        check(&[0], "nobody", expect!["not sent: Enter a valid email address, like name@example.com."]);
        check(
            &[0],
            "a b@c.example",
            expect!["not sent: Enter a valid email address, like name@example.com."],
        );
        check(&[0], "@c.example", expect!["not sent: Enter a valid email address, like name@example.com."]);
    }

    #[test]
    fn only_ticked_boxes_are_sent_with_the_wording_version_shown() {
        check(
            &[0, 2],
            "  Ann@Example.org ",
            expect![[r#"
                {
                  "email": "Ann@Example.org",
                  "consents": [
                    {
                      "purpose": "news",
                      "channel": "email",
                      "wording_version": 2
                    },
                    {
                      "purpose": "news",
                      "channel": "post",
                      "wording_version": 4
                    }
                  ],
                  "page_url": "https://demo.example/join",
                  "lang": "en",
                  "client_time": "2026-11-24T10:00:00.000Z"
                }"#]],
        );
    }

    #[test]
    fn unticking_removes_the_box_again() {
        let config = config();
        let mut state = FormState::new(&config);
        state.set_ticked(1, true);
        state.set_ticked(1, false);
        state.set_ticked(99, true); // out of range: ignored
        state.email = "a@b.example".into();
        assert_eq!(state.submission(&config, "u", None), Err(NOTHING_TICKED));
    }

    #[test]
    fn inputs_lock_while_sending_and_after_success() {
        let mut state = FormState::new(&config());
        let locked = |status: Status, state: &mut FormState| {
            state.status = status;
            state.locked()
        };
        assert!(locked(Status::Submitting, &mut state));
        assert!(locked(
            Status::Success { recorded_at: "t".into(), awaiting_confirmation: false },
            &mut state
        ));
        assert!(!locked(Status::Error { message: "m".into() }, &mut state));
    }

    fn submission(email: &str, time: &str) -> ConsentSubmission {
        let config = config();
        let mut state = FormState::new(&config);
        state.set_ticked(0, true);
        state.email = email.into();
        state.submission(&config, "https://demo.example/join", Some(time.into())).unwrap()
    }

    #[test]
    fn a_retry_of_the_same_content_reuses_the_key_and_body() {
        let mut attempt = Attempt::default();
        let (first, key1) = attempt.prepare(submission("a@b.example", "T1"), || "k1".into());
        let (again, key2) = attempt.prepare(submission("a@b.example", "T2"), || unreachable!("no new key"));
        assert_eq!(key1, "k1");
        assert_eq!(key2, "k1");
        assert_eq!(again, first, "the retry resends the original client_time");
        assert_eq!(again.client_time.as_deref(), Some("T1"));
    }

    #[test]
    fn changed_content_gets_a_new_key() {
        let mut attempt = Attempt::default();
        attempt.prepare(submission("a@b.example", "T1"), || "k1".into());
        let (sent, key) = attempt.prepare(submission("c@d.example", "T2"), || "k2".into());
        assert_eq!(key, "k2");
        assert_eq!(sent.email, "c@d.example");
        assert_eq!(sent.client_time.as_deref(), Some("T2"));
    }
}
