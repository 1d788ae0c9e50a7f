//! Site definitions: any JSON body of `PUT /admin/sites/{id}` is refused or applied without a
//! panic; applying the same definition again changes no version; applying an edited one keeps
//! every earlier wording and never lowers a version.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use consent_fuzz::{pick, text, SAMPLE_DEFINITION};
use consent_shared::api::v1::{Channel, SiteDefinition, TextDefinition, WordingDefinition};
use consent_shared::site::SiteConfig;
use consent_shared::site_edit::apply_definition;
use libfuzzer_sys::fuzz_target;

const LANGS: &[&str] = &["en", "cy", "EN", "e", "en-gb"];

/// The sample definition with some of its parts changed.
fn edited(u: &mut Unstructured) -> arbitrary::Result<SiteDefinition> {
    let mut def: SiteDefinition = serde_json::from_str(SAMPLE_DEFINITION).expect("sample parses");
    for _ in 0..u.int_in_range(0..=6)? {
        match u.int_in_range(0..=8)? {
            0 => {
                def.organisation.contact_email =
                    pick(u, &["sec@club.example", "x@localhost", "Sec@CLUB.example"])?
            }
            1 => {
                def.organisation.privacy_notice_url =
                    pick(u, &["https://club.example/p", "http://x", "https:///"])?
            }
            2 => def
                .allowed_origins
                .push(pick(u, &["https://a.example", "https://a.example:8443", "https://a/b"])?),
            3 => def.default_lang = pick(u, LANGS)?,
            4 => {
                let i = u.choose_index(def.purposes.len().max(1))?;
                if let Some(p) = def.purposes.get_mut(i) {
                    let lang = pick(u, LANGS)?;
                    let (label, text) = (text(u)?, text(u)?);
                    p.wordings.push(WordingDefinition { lang, label, text, refusal: None });
                    if bool::arbitrary(u)? {
                        p.wordings.remove(0);
                    }
                }
            }
            5 => {
                let Some(mut p) = def.purposes.first().cloned() else { continue };
                p.purpose = pick(u, &["news", "gift-aid", "News", "a b"])?;
                p.channel = *u.choose(&Channel::ALL)?;
                def.purposes.push(p);
            }
            6 => def.banner = vec![TextDefinition { lang: pick(u, LANGS)?, text: text(u)? }],
            7 => def.cookie_categories.iter_mut().for_each(|c| c.required = !c.required),
            _ => def.purposes.clear(),
        }
    }
    Ok(def)
}

fn check_applies(def: &SiteDefinition) -> Option<SiteConfig> {
    let site = apply_definition("fuzz", None, def).ok()?;
    let again = apply_definition("fuzz", Some(&site), def).expect("a definition that applied applies again");
    assert_eq!(again, site, "re-applying an unchanged definition changed the site");
    let stored = serde_json::to_string(&site).expect("a site serialises");
    let read: SiteConfig = serde_json::from_str(&stored).expect("a stored site reads back");
    assert_eq!(read, site);
    Some(site)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(def) = serde_json::from_slice::<SiteDefinition>(data) {
        check_applies(&def);
        return;
    }
    let mut u = Unstructured::new(data);
    let (Ok(first), Ok(second)) = (edited(&mut u), edited(&mut u)) else { return };
    let Some(old) = check_applies(&first) else { return };
    let Ok(new) = apply_definition("fuzz", Some(&old), &second) else { return };
    assert!(new.policy_version >= old.policy_version);
    for pc in &old.purposes {
        if let Some(now) = new.purpose(&pc.purpose, pc.channel) {
            assert!(now.current_version >= pc.current_version, "{} went back a version", pc.purpose);
            for w in &pc.wordings {
                assert!(now.wordings.contains(w), "wording {w:?} of {} was lost", pc.purpose);
            }
        }
    }
    for b in &old.banner {
        assert!(new.banner.contains(b), "banner wording {b:?} was lost");
    }
});
