//! What the fuzz targets share: a sample site, and small readers over libFuzzer's bytes.

use consent_shared::api::v1::SiteDefinition;
use consent_shared::site::SiteConfig;

/// The definition of the site submissions are checked against (two languages, purposes on two
/// channels, a cookie category), as an owner would `PUT` it.
pub const SAMPLE_DEFINITION: &str = r#"{
  "organisation": {
    "name": "Rowing Club",
    "contact_email": "sec@club.example",
    "postal_address": "Boathouse, River Lane",
    "privacy_notice_url": "https://club.example/privacy",
    "cookie_policy_url": "https://club.example/cookies"
  },
  "allowed_origins": ["https://club.example", "http://127.0.0.1:8788"],
  "default_lang": "en",
  "purposes": [
    {"purpose": "news", "channel": "email", "wordings": [
      {"lang": "en", "label": "News", "text": "Email me the club news"},
      {"lang": "cy", "label": "Newyddion", "text": "E-bostiwch newyddion y clwb ataf"}]},
    {"purpose": "events", "channel": "sms", "wordings": [
      {"lang": "en", "label": "Events", "text": "Text me about events"}]}
  ],
  "cookie_categories": [
    {"key": "analytics", "required": false,
     "texts": [{"lang": "en", "label": "Analytics", "description": "Counts visits"}],
     "consent_mode": ["analytics_storage"]}
  ],
  "banner": [{"lang": "en", "text": "We use cookies"}],
  "double_opt_in": false
}"#;

/// `SAMPLE_DEFINITION` applied as a new site `club`.
pub fn sample_site() -> SiteConfig {
    let def: SiteDefinition = serde_json::from_str(SAMPLE_DEFINITION).expect("the sample definition parses");
    consent_shared::site_edit::apply_definition("club", None, &def).expect("the sample definition is valid")
}

use arbitrary::{Arbitrary, Unstructured};

/// Mostly one of the `usual` values (so the fuzzer gets past validation), sometimes anything.
pub fn pick(u: &mut Unstructured, usual: &[&str]) -> arbitrary::Result<String> {
    if u.ratio(1, 4)? {
        String::arbitrary(u)
    } else {
        Ok(u.choose(usual)?.to_string())
    }
}

/// Wording and banner texts: the sample's, or anything.
pub fn text(u: &mut Unstructured) -> arbitrary::Result<String> {
    pick(u, &["News", "Email me the club news", "We use cookies", "Testun", " ", ""])
}
