//! The widget's hand-written JSON writer against serde_json: byte for byte the same text, and
//! serde_json reads it back to the same value.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use consent_shared::api::v1::{Channel, ChosenPurpose, ConsentSubmission, CookieChoice, CookieDecision};
use consent_widget::json::{cookie_decision_to_json, submission_to_json};
use libfuzzer_sys::fuzz_target;

const CHOICES: [CookieChoice; 4] =
    [CookieChoice::AcceptAll, CookieChoice::RejectAll, CookieChoice::Custom, CookieChoice::GpcSignal];

fn submission(u: &mut Unstructured) -> arbitrary::Result<ConsentSubmission> {
    let n = u.int_in_range(0..=4)?;
    let consents = (0..n)
        .map(|_| {
            Ok(ChosenPurpose {
                purpose: String::arbitrary(u)?,
                channel: *u.choose(&Channel::ALL)?,
                wording_version: u32::arbitrary(u)?,
            })
        })
        .collect::<arbitrary::Result<_>>()?;
    Ok(ConsentSubmission {
        email: String::arbitrary(u)?,
        consents,
        page_url: String::arbitrary(u)?,
        lang: Option::arbitrary(u)?,
        client_time: Option::arbitrary(u)?,
        notices: vec![],
        context: None,
    })
}

fn decision(u: &mut Unstructured) -> arbitrary::Result<CookieDecision> {
    Ok(CookieDecision {
        consent_id: String::arbitrary(u)?,
        categories: Vec::arbitrary(u)?,
        choice: *u.choose(&CHOICES)?,
        policy_version: u32::arbitrary(u)?,
        wording_sha256: String::arbitrary(u)?,
        reject_on_first_layer: bool::arbitrary(u)?,
        gpc: bool::arbitrary(u)?,
        client_time: Option::arbitrary(u)?,
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if bool::arbitrary(&mut u).unwrap_or_default() {
        let Ok(s) = submission(&mut u) else { return };
        let written = submission_to_json(&s);
        assert_eq!(written, serde_json::to_string(&s).unwrap());
        assert_eq!(serde_json::from_str::<ConsentSubmission>(&written).unwrap(), s);
    } else {
        let Ok(d) = decision(&mut u) else { return };
        let written = cookie_decision_to_json(&d);
        assert_eq!(written, serde_json::to_string(&d).unwrap());
        assert_eq!(serde_json::from_str::<CookieDecision>(&written).unwrap(), d);
    }
});
