//! Consent submissions: any JSON body of `POST /sites/{site}/consents` is refused or accepted
//! against a sample site without a panic; what is accepted names a current wording for every
//! choice, and keeps only origin and path of its page.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use consent_fuzz::{pick, sample_site};
use consent_shared::api::v1::{Channel, ChosenPurpose, ConsentSubmission};
use consent_shared::ledger::{submission_provenance, validate_submission};
use consent_shared::site::SiteConfig;
use libfuzzer_sys::fuzz_target;

/// A submission made mostly of what the sample site knows.
fn submission(u: &mut Unstructured) -> arbitrary::Result<ConsentSubmission> {
    let n = u.int_in_range(0..=3)?;
    let consents = (0..n)
        .map(|_| {
            Ok(ChosenPurpose {
                purpose: pick(u, &["news", "events", "gift-aid"])?,
                channel: *u.choose(&Channel::ALL)?,
                wording_version: if u.ratio(1, 4)? { u32::arbitrary(u)? } else { 1 },
            })
        })
        .collect::<arbitrary::Result<_>>()?;
    let origin = pick(u, &["https://club.example", "http://127.0.0.1:8788", "https://club.example.evil"])?;
    let path = pick(u, &["/", "/join", "/join?email=a@b.example#top", ":443/x", "@evil.example/"])?;
    Ok(ConsentSubmission {
        email: pick(u, &["ann@example.org", "Ann@Example.ORG", "ann@localhost", "an n@example.org"])?,
        consents,
        page_url: format!("{origin}{path}"),
        lang: if bool::arbitrary(u)? { Some(pick(u, &["en", "cy", "fr"])?) } else { None },
        client_time: Option::arbitrary(u)?,
        notices: vec![],
        context: None,
    })
}

fn check(site: &SiteConfig, submission: &ConsentSubmission) {
    let Ok(email) = validate_submission(site, submission) else { return };
    assert_eq!(consent_shared::email::Email::parse(&submission.email).ok(), Some(email));
    for c in &submission.consents {
        let pc = site.purpose(&c.purpose, c.channel).expect("accepted purposes exist");
        assert_eq!(pc.current_version, c.wording_version);
    }
    let provenance = submission_provenance(site, submission);
    let source = provenance.source_url.expect("an accepted page_url is kept");
    assert!(site.allowed_origins.iter().any(|o| source.starts_with(&format!("{o}/"))), "{source}");
    assert!(!source.contains(['?', '#']), "query or fragment kept: {source}");
}

fuzz_target!(|data: &[u8]| {
    thread_local!(static SITE: SiteConfig = sample_site());
    SITE.with(|site| match serde_json::from_slice::<ConsentSubmission>(data) {
        Ok(s) => check(site, &s),
        Err(_) => {
            if let Ok(s) = submission(&mut Unstructured::new(data)) {
                check(site, &s);
            }
        }
    });
});
