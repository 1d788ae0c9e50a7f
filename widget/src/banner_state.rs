//! The cookie banner's logic as plain data: which categories are ticked, and what a button press
//! decides. No DOM, clock or randomness here — ids and times are arguments — so it is tested
//! natively.
//!
//! `choice` records which control was pressed: "Accept all" → `accept_all` with every optional
//! category, "Reject all" → `reject_all` with none, and "Save choices" → `custom` with exactly the
//! ticked ones, even when that happens to be all or none (the record says what the person did, the
//! category list says what it amounts to). Strictly necessary categories are never part of the
//! list: they are always on and not a choice.

use consent_shared::api::v1::{
    BannerText, CookieCategoryOption, CookieChoice, CookieDecision, Organisation, SiteConfig,
};

/// What the banner and the preferences dialog show.
#[derive(Debug, Clone, PartialEq)]
pub struct BannerConfig {
    pub site: String,
    /// The language the configuration was served in.
    pub lang: String,
    pub policy_version: u32,
    pub organisation: Organisation,
    pub categories: Vec<CookieCategoryOption>,
    /// The first layer's statement; its SHA-256 goes into every record.
    pub banner: BannerText,
}

impl BannerConfig {
    /// `None` when the site has no banner text: then there is nothing to show or record against.
    pub fn from_site(c: SiteConfig) -> Option<BannerConfig> {
        Some(BannerConfig {
            banner: c.banner?,
            site: c.site,
            lang: c.lang,
            policy_version: c.policy_version,
            organisation: c.organisation,
            categories: c.cookie_categories,
        })
    }
}

/// A button that decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AcceptAll,
    RejectAll,
    /// "Save choices" in the dialog: what is ticked.
    Save,
}

/// The ticks in the preferences dialog, one per category in configuration order. Required
/// categories are always ticked; without an earlier decision the exceptions (categories that run
/// unless the visitor objects: UK statistics and appearance) start ticked, as they are already
/// running; nothing else starts ticked unless an earlier decision said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub ticked: Vec<bool>,
}

impl Selection {
    /// `previous` is the categories of the decision in force (the loader's cookie), if any;
    /// `exceptions` the categories that run for this visitor until they object.
    pub fn new(
        categories: &[CookieCategoryOption],
        previous: Option<&[String]>,
        exceptions: &[String],
    ) -> Selection {
        let ticked = categories
            .iter()
            .map(|c| match previous {
                Some(p) => c.required || p.contains(&c.key),
                None => c.required || exceptions.contains(&c.key),
            })
            .collect();
        Selection { ticked }
    }

    /// Ticks or unticks a box; a required category stays ticked.
    pub fn set(&mut self, categories: &[CookieCategoryOption], index: usize, on: bool) {
        if let (Some(slot), Some(category)) = (self.ticked.get_mut(index), categories.get(index)) {
            *slot = on || category.required;
        }
    }

    pub fn is_ticked(&self, index: usize) -> bool {
        self.ticked.get(index).copied().unwrap_or(false)
    }
}

/// What a press amounts to: the choice and the optional categories accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub choice: CookieChoice,
    pub categories: Vec<String>,
}

pub fn decide(categories: &[CookieCategoryOption], selection: &Selection, action: Action) -> Decision {
    let optional = categories.iter().enumerate().filter(|(_, c)| !c.required);
    let (choice, categories) = match action {
        Action::AcceptAll => (CookieChoice::AcceptAll, optional.map(|(_, c)| c.key.clone()).collect()),
        Action::RejectAll => (CookieChoice::RejectAll, Vec::new()),
        Action::Save => (
            CookieChoice::Custom,
            optional.filter(|(i, _)| selection.is_ticked(*i)).map(|(_, c)| c.key.clone()).collect(),
        ),
    };
    Decision { choice, categories }
}

/// The record to POST for a decision made under `config`.
pub fn record(
    config: &BannerConfig,
    decision: &Decision,
    consent_id: String,
    gpc: bool,
    client_time: Option<String>,
) -> CookieDecision {
    CookieDecision {
        consent_id,
        categories: decision.categories.clone(),
        choice: decision.choice,
        policy_version: config.policy_version,
        wording_sha256: config.banner.sha256.clone(),
        // The first layer always offers "Reject all" beside "Accept all".
        reject_on_first_layer: true,
        gpc,
        client_time,
    }
}

/// The consent id to keep: the one in the loader's decision cookie when it looks like one the
/// worker accepts (8–64 letters, digits, '-'), else a fresh one.
pub fn consent_id(previous: Option<String>, fresh: impl FnOnce() -> String) -> String {
    previous
        .filter(|id| {
            (8..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .unwrap_or_else(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn category(key: &str, required: bool) -> CookieCategoryOption {
        CookieCategoryOption {
            key: key.into(),
            required,
            label: key.to_uppercase(),
            description: format!("About {key}."),
            consent_mode: vec![],
            basis: None,
        }
    }

    fn categories() -> Vec<CookieCategoryOption> {
        vec![category("necessary", true), category("analytics", false), category("ads", false)]
    }

    /// Ticks per box as `x`/`.`, e.g. `x..`.
    fn ticks(s: &Selection) -> String {
        s.ticked.iter().map(|t| if *t { 'x' } else { '.' }).collect()
    }

    #[test]
    fn selections_as_data() {
        let cats = categories();
        let prev = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        let cases: [(&str, Selection); 8] = [
            ("first visit", Selection::new(&cats, None, &[])),
            ("earlier reject", Selection::new(&cats, Some(&prev(&[])), &[])),
            ("earlier analytics", Selection::new(&cats, Some(&prev(&["analytics"])), &[])),
            ("earlier unknown key", Selection::new(&cats, Some(&prev(&["video"])), &[])),
            ("unticking required", {
                let mut s = Selection::new(&cats, None, &[]);
                s.set(&cats, 0, false);
                s.set(&cats, 2, true);
                s.set(&cats, 9, true);
                s
            }),
            ("first visit, ads an exception", Selection::new(&cats, None, &prev(&["ads"]))),
            ("earlier reject, ads an exception", Selection::new(&cats, Some(&prev(&[])), &prev(&["ads"]))),
            ("tick then untick", {
                let mut s = Selection::new(&cats, None, &[]);
                s.set(&cats, 1, true);
                s.set(&cats, 1, false);
                s
            }),
        ];
        let shown: String = cases.iter().map(|(n, s)| format!("{n}: {}\n", ticks(s))).collect();
        expect![[r#"
            first visit: x..
            earlier reject: x..
            earlier analytics: xx.
            earlier unknown key: x..
            unticking required: x.x
            first visit, ads an exception: x.x
            earlier reject, ads an exception: x..
            tick then untick: x..
        "#]]
        .assert_eq(&shown);
    }

    fn check(ticked: &[usize], action: Action, expected: Expect) {
        let cats = categories();
        let mut selection = Selection::new(&cats, None, &[]);
        for &i in ticked {
            selection.set(&cats, i, true);
        }
        let d = decide(&cats, &selection, action);
        expected.assert_eq(&format!("{} {:?}", d.choice.as_str(), d.categories));
    }

    #[test]
    fn decisions_as_data() {
        check(&[], Action::AcceptAll, expect![[r#"accept_all ["analytics", "ads"]"#]]);
        check(&[2], Action::AcceptAll, expect![[r#"accept_all ["analytics", "ads"]"#]]);
        check(&[1, 2], Action::RejectAll, expect!["reject_all []"]);
        check(&[], Action::Save, expect!["custom []"]);
        check(&[2], Action::Save, expect![[r#"custom ["ads"]"#]]);
        check(&[1, 2], Action::Save, expect![[r#"custom ["analytics", "ads"]"#]]);
        check(&[0], Action::Save, expect!["custom []"]);
    }

    fn config() -> BannerConfig {
        BannerConfig {
            site: "demo".into(),
            lang: "en".into(),
            policy_version: 3,
            organisation: Organisation {
                name: "Demo".into(),
                contact_email: "a@b.example".into(),
                postal_address: "1 Road".into(),
                privacy_notice_url: "https://demo.example/privacy".into(),
                cookie_policy_url: "https://demo.example/cookies".into(),
                charity_number: None,
            },
            categories: categories(),
            banner: BannerText {
                version: 3,
                lang: "en".into(),
                text: "We use cookies.".into(),
                sha256: "ab".repeat(32),
            },
        }
    }

    /// Every decision the UI can make passes the worker's own validation.
    #[test]
    fn every_decision_is_one_the_worker_accepts() {
        let c = config();
        let site = SiteConfig {
            site: c.site.clone(),
            lang: c.lang.clone(),
            policy_version: c.policy_version,
            organisation: c.organisation.clone(),
            purposes: vec![],
            cookie_categories: c.categories.clone(),
            banner: Some(c.banner.clone()),
        };
        assert_eq!(BannerConfig::from_site(site.clone()), Some(c.clone()));
        assert_eq!(BannerConfig::from_site(SiteConfig { banner: None, ..site.clone() }), None);
        for ticked in [vec![], vec![1], vec![2], vec![1, 2], vec![0]] {
            for action in [Action::AcceptAll, Action::RejectAll, Action::Save] {
                let mut s = Selection::new(&c.categories, None, &[]);
                for i in &ticked {
                    s.set(&c.categories, *i, true);
                }
                let r = record(
                    &c,
                    &decide(&c.categories, &s, action),
                    "5f0c3c4e-0000-4000-8000-000000000001".into(),
                    false,
                    None,
                );
                let validated = consent_shared_check(&site, &r);
                assert!(validated, "{action:?} with {ticked:?}: {r:?}");
            }
        }
    }

    /// The worker's own validation (the dev-dependency on `consent-shared` has its `ledger`
    /// feature; the wasm build does not).
    fn consent_shared_check(site: &SiteConfig, d: &CookieDecision) -> bool {
        use consent_shared::site::{BannerWording, CategoryText, CookieCategory};
        let banner = site.banner.as_ref().unwrap();
        let stored = consent_shared::site::SiteConfig {
            id: site.site.clone(),
            organisation: site.organisation.clone(),
            allowed_origins: vec![],
            default_lang: site.lang.clone(),
            policy_version: site.policy_version,
            purposes: vec![],
            cookie_categories: site
                .cookie_categories
                .iter()
                .map(|c| CookieCategory {
                    key: c.key.clone(),
                    required: c.required,
                    texts: vec![CategoryText {
                        lang: site.lang.clone(),
                        label: c.label.clone(),
                        description: c.description.clone(),
                    }],
                    consent_mode: c.consent_mode.clone(),
                    basis: consent_shared::site_edit::category_basis(c.required, c.basis),
                })
                .collect(),
            banner: vec![BannerWording {
                version: banner.version,
                lang: banner.lang.clone(),
                text: banner.text.clone(),
                sha256: banner.sha256.clone(),
            }],
            double_opt_in: false,
            region_rules: Default::default(),
        };
        consent_shared::cookies::validate_cookie_decision(&stored, d).is_ok()
    }

    #[test]
    fn the_record_carries_the_banner_shown() {
        let d = Decision { choice: CookieChoice::Custom, categories: vec!["ads".into()] };
        let r = record(&config(), &d, "id-12345678".into(), true, Some("T".into()));
        expect![[r#"
            CookieDecision {
                consent_id: "id-12345678",
                categories: [
                    "ads",
                ],
                choice: Custom,
                policy_version: 3,
                wording_sha256: "abababababababababababababababababababababababababababababababab",
                reject_on_first_layer: true,
                gpc: true,
                client_time: Some(
                    "T",
                ),
            }
        "#]]
        .assert_debug_eq(&r);
    }

    #[test]
    fn consent_ids_are_kept_when_plausible() {
        let fresh = || "fresh".to_string();
        let keep = |p: Option<&str>| consent_id(p.map(Into::into), fresh);
        assert_eq!(
            keep(Some("5f0c3c4e-0000-4000-8000-000000000001")),
            "5f0c3c4e-0000-4000-8000-000000000001"
        );
        assert_eq!(keep(None), "fresh");
        assert_eq!(keep(Some("short")), "fresh");
        assert_eq!(keep(Some("has space in it")), "fresh");
        assert_eq!(keep(Some(&"a".repeat(65))), "fresh");
    }
}
