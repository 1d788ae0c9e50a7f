//! Maps a path to a `Route`. Plain code, so it is tested natively with everything else.

/// Every endpoint the worker answers (static widget files are served by Workers assets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    SiteConfig { site: String },
    Policy { site: String },
    Consents { site: String },
    CookieConsents { site: String },
    Audience { site: String },
    VerifyLedger { site: String },
    AdminSite { site: String },
    AdminConsents { site: String },
    AdminSuppressions { site: String },
    AdminLinks { site: String },
    AdminSubject { site: String, request: String },
    Unsubscribe { token: String },
    Preferences { token: String },
    Confirm { token: String },
    LostLink { site: String },
    ContractSuite,
    NotFound,
}

pub fn route(path: &str) -> Route {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let site = |s: &&str| (*s).to_string();
    match segments.as_slice() {
        ["healthz"] => Route::Health,
        ["api", "v1", "sites", s, "config"] => Route::SiteConfig { site: site(s) },
        ["api", "v1", "sites", s, "policy"] => Route::Policy { site: site(s) },
        ["api", "v1", "sites", s, "consents"] => Route::Consents { site: site(s) },
        ["api", "v1", "sites", s, "cookie-consents"] => Route::CookieConsents { site: site(s) },
        ["api", "v1", "sites", s, "audience"] => Route::Audience { site: site(s) },
        ["api", "v1", "sites", s, "ledger", "verify"] => Route::VerifyLedger { site: site(s) },
        ["api", "v1", "admin", "sites", s] => Route::AdminSite { site: site(s) },
        ["api", "v1", "admin", "sites", s, "consents"] => Route::AdminConsents { site: site(s) },
        ["api", "v1", "admin", "sites", s, "suppressions"] => Route::AdminSuppressions { site: site(s) },
        ["api", "v1", "admin", "sites", s, "links"] => Route::AdminLinks { site: site(s) },
        ["api", "v1", "admin", "sites", s, "subjects", request] => {
            Route::AdminSubject { site: site(s), request: (*request).to_string() }
        }
        ["u", token] => Route::Unsubscribe { token: (*token).to_string() },
        ["p", token] => Route::Preferences { token: (*token).to_string() },
        ["c", token] => Route::Confirm { token: (*token).to_string() },
        ["preferences", s] => Route::LostLink { site: site(s) },
        // The Store contract suite on this deployment's D1: only in the test build.
        #[cfg(feature = "contract-tests")]
        ["__contract"] => Route::ContractSuite,
        _ => Route::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn routes_as_data() {
        let paths = [
            "/healthz",
            "/api/v1/sites/demo/config",
            "/api/v1/sites/demo/policy",
            "/api/v1/sites/demo/consents",
            "/api/v1/sites/demo/consents/",
            "/api/v1/sites/demo/cookie-consents",
            "/api/v1/sites/demo/audience",
            "/api/v1/sites/demo/ledger/verify",
            "/api/v1/admin/sites/demo",
            "/api/v1/admin/sites/demo/consents",
            "/api/v1/admin/sites/demo/suppressions",
            "/api/v1/admin/sites/demo/links",
            "/api/v1/admin/sites/demo/subjects/erase",
            "/u/v1.k1.abc.def",
            "/p/v1.k1.abc.def",
            "/c/v1.k1.abc.def",
            "/preferences/demo",
            "/api/v2/sites/demo/consents",
            "/",
        ];
        let actual: String = paths.iter().map(|p| format!("{p} -> {:?}\n", route(p))).collect();
        expect![[r#"
            /healthz -> Health
            /api/v1/sites/demo/config -> SiteConfig { site: "demo" }
            /api/v1/sites/demo/policy -> Policy { site: "demo" }
            /api/v1/sites/demo/consents -> Consents { site: "demo" }
            /api/v1/sites/demo/consents/ -> Consents { site: "demo" }
            /api/v1/sites/demo/cookie-consents -> CookieConsents { site: "demo" }
            /api/v1/sites/demo/audience -> Audience { site: "demo" }
            /api/v1/sites/demo/ledger/verify -> VerifyLedger { site: "demo" }
            /api/v1/admin/sites/demo -> AdminSite { site: "demo" }
            /api/v1/admin/sites/demo/consents -> AdminConsents { site: "demo" }
            /api/v1/admin/sites/demo/suppressions -> AdminSuppressions { site: "demo" }
            /api/v1/admin/sites/demo/links -> AdminLinks { site: "demo" }
            /api/v1/admin/sites/demo/subjects/erase -> AdminSubject { site: "demo", request: "erase" }
            /u/v1.k1.abc.def -> Unsubscribe { token: "v1.k1.abc.def" }
            /p/v1.k1.abc.def -> Preferences { token: "v1.k1.abc.def" }
            /c/v1.k1.abc.def -> Confirm { token: "v1.k1.abc.def" }
            /preferences/demo -> LostLink { site: "demo" }
            /api/v2/sites/demo/consents -> NotFound
            / -> NotFound
        "#]]
        .assert_eq(&actual);
    }

    #[test]
    fn the_contract_route_exists_only_in_the_test_build() {
        assert_eq!(route("/__contract") == Route::NotFound, !cfg!(feature = "contract-tests"));
    }
}

#[cfg(test)]
mod openapi {
    use super::{route, Route};

    /// Every path in docs/openapi.json routes somewhere, and every route is documented.
    #[test]
    fn openapi_and_router_agree() {
        let spec: serde_json::Value = serde_json::from_str(include_str!("../../docs/openapi.json")).unwrap();
        let paths: Vec<String> = spec["paths"].as_object().unwrap().keys().cloned().collect();
        let concrete = |p: &str| {
            p.replace("{site}", "demo").replace("{token}", "v1.k.a.b").replace("{request}", "access")
        };
        // An exhaustive match: a new route does not compile until it is documented here.
        let documented_as = |r: Route| match r {
            Route::Health => Some("/healthz"),
            Route::SiteConfig { .. } => Some("/api/v1/sites/{site}/config"),
            Route::Policy { .. } => Some("/api/v1/sites/{site}/policy"),
            Route::Consents { .. } => Some("/api/v1/sites/{site}/consents"),
            Route::CookieConsents { .. } => Some("/api/v1/sites/{site}/cookie-consents"),
            Route::Audience { .. } => Some("/api/v1/sites/{site}/audience"),
            Route::VerifyLedger { .. } => Some("/api/v1/sites/{site}/ledger/verify"),
            Route::AdminSite { .. } => Some("/api/v1/admin/sites/{site}"),
            Route::AdminConsents { .. } => Some("/api/v1/admin/sites/{site}/consents"),
            Route::AdminSuppressions { .. } => Some("/api/v1/admin/sites/{site}/suppressions"),
            Route::AdminLinks { .. } => Some("/api/v1/admin/sites/{site}/links"),
            Route::AdminSubject { .. } => Some("/api/v1/admin/sites/{site}/subjects/{request}"),
            Route::Unsubscribe { .. } => Some("/u/{token}"),
            Route::Preferences { .. } => Some("/p/{token}"),
            Route::Confirm { .. } => Some("/c/{token}"),
            Route::LostLink { .. } => Some("/preferences/{site}"),
            // Test-only and fallback routes are not part of the API.
            Route::ContractSuite | Route::NotFound => None,
        };
        for p in &paths {
            assert_eq!(documented_as(route(&concrete(p))), Some(p.as_str()), "{p}");
        }
        let routed = [
            "/healthz",
            "/api/v1/sites/{site}/config",
            "/api/v1/sites/{site}/policy",
            "/api/v1/sites/{site}/consents",
            "/api/v1/sites/{site}/cookie-consents",
            "/api/v1/sites/{site}/audience",
            "/api/v1/sites/{site}/ledger/verify",
            "/api/v1/admin/sites/{site}",
            "/api/v1/admin/sites/{site}/consents",
            "/api/v1/admin/sites/{site}/suppressions",
            "/api/v1/admin/sites/{site}/links",
            "/api/v1/admin/sites/{site}/subjects/{request}",
            "/u/{token}",
            "/p/{token}",
            "/c/{token}",
            "/preferences/{site}",
        ];
        let mut documented = paths.clone();
        documented.sort();
        let mut expected: Vec<String> = routed.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(documented, expected, "docs/openapi.json paths");
    }
}
