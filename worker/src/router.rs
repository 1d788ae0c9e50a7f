//! Maps a path to a `Route`. Plain code, so it is tested natively with everything else.

/// Every endpoint the worker answers (static widget files are served by Workers assets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    /// This API's OpenAPI document.
    OpenApi,
    SiteConfig {
        site: String,
    },
    Policy {
        site: String,
    },
    Consents {
        site: String,
    },
    CookieConsents {
        site: String,
    },
    Audience {
        site: String,
    },
    VerifyLedger {
        site: String,
    },
    AdminSite {
        site: String,
    },
    AdminConsents {
        site: String,
    },
    AdminSuppressions {
        site: String,
    },
    AdminLinks {
        site: String,
    },
    AdminSubject {
        site: String,
        request: String,
    },
    /// The site's audit trail.
    AdminAudit {
        site: String,
    },
    /// May these addresses be contacted now (backends, before each send)?
    SubjectsCheck {
        site: String,
    },
    /// Bootstrap: make an address an owner (ADMIN_KEY only).
    AdminOwners {
        site: String,
    },
    AdminPeople {
        site: String,
    },
    AdminPerson {
        site: String,
        person: String,
    },
    AdminKeys {
        site: String,
    },
    AdminKey {
        site: String,
        prefix: String,
    },
    /// The console's landing page (`/admin`).
    Console,
    /// A console page of one site: `/admin/sites/{site}[/{section}[/{item}]]`.
    ConsoleSite {
        site: String,
        section: String,
        item: Option<String>,
    },
    /// Creating a site: `/admin/new-site`.
    ConsoleNewSite,
    SignIn,
    SignInLink {
        token: String,
    },
    SignOut,
    SignOutEverywhere,
    Unsubscribe {
        token: String,
    },
    Preferences {
        token: String,
    },
    Confirm {
        token: String,
    },
    LostLink {
        site: String,
    },
    /// The public complaint form of a site: `/complaints/{site}`.
    Complaints {
        site: String,
    },
    /// Where one complaint stands, behind the signed link of its acknowledgement.
    ComplaintStatus {
        token: String,
    },
    ContractSuite,
    NotFound,
}

pub fn route(path: &str) -> Route {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let site = |s: &&str| (*s).to_string();
    match segments.as_slice() {
        ["healthz"] => Route::Health,
        ["openapi.json"] => Route::OpenApi,
        ["api", "v1", "sites", s, "config"] => Route::SiteConfig { site: site(s) },
        ["api", "v1", "sites", s, "policy"] => Route::Policy { site: site(s) },
        ["api", "v1", "sites", s, "consents"] => Route::Consents { site: site(s) },
        ["api", "v1", "sites", s, "cookie-consents"] => Route::CookieConsents { site: site(s) },
        ["api", "v1", "sites", s, "audience"] => Route::Audience { site: site(s) },
        ["api", "v1", "sites", s, "ledger", "verify"] => Route::VerifyLedger { site: site(s) },
        ["api", "v1", "sites", s, "subjects", "check"] => Route::SubjectsCheck { site: site(s) },
        ["api", "v1", "admin", "sites", s] => Route::AdminSite { site: site(s) },
        ["api", "v1", "admin", "sites", s, "consents"] => Route::AdminConsents { site: site(s) },
        ["api", "v1", "admin", "sites", s, "suppressions"] => Route::AdminSuppressions { site: site(s) },
        ["api", "v1", "admin", "sites", s, "links"] => Route::AdminLinks { site: site(s) },
        ["api", "v1", "admin", "sites", s, "audit"] => Route::AdminAudit { site: site(s) },
        ["api", "v1", "admin", "sites", s, "subjects", request] => {
            Route::AdminSubject { site: site(s), request: (*request).to_string() }
        }
        ["api", "v1", "admin", "sites", s, "owners"] => Route::AdminOwners { site: site(s) },
        ["api", "v1", "admin", "sites", s, "people"] => Route::AdminPeople { site: site(s) },
        ["api", "v1", "admin", "sites", s, "people", p] => {
            Route::AdminPerson { site: site(s), person: (*p).to_string() }
        }
        ["api", "v1", "admin", "sites", s, "keys"] => Route::AdminKeys { site: site(s) },
        ["api", "v1", "admin", "sites", s, "keys", k] => {
            Route::AdminKey { site: site(s), prefix: (*k).to_string() }
        }
        ["admin"] => Route::Console,
        ["admin", "sites", s] => Route::ConsoleSite { site: site(s), section: String::new(), item: None },
        ["admin", "sites", s, section] => {
            Route::ConsoleSite { site: site(s), section: (*section).to_string(), item: None }
        }
        ["admin", "sites", s, section, item] => Route::ConsoleSite {
            site: site(s),
            section: (*section).to_string(),
            item: Some((*item).to_string()),
        },
        ["admin", "new-site"] => Route::ConsoleNewSite,
        ["admin", "sign-in"] => Route::SignIn,
        ["admin", "sign-in", token] => Route::SignInLink { token: (*token).to_string() },
        ["admin", "sign-out"] => Route::SignOut,
        ["admin", "sign-out-everywhere"] => Route::SignOutEverywhere,
        ["u", token] => Route::Unsubscribe { token: (*token).to_string() },
        ["p", token] => Route::Preferences { token: (*token).to_string() },
        ["c", token] => Route::Confirm { token: (*token).to_string() },
        ["preferences", s] => Route::LostLink { site: site(s) },
        ["complaints", s] => Route::Complaints { site: site(s) },
        ["complaint-status", token] => Route::ComplaintStatus { token: (*token).to_string() },
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
            "/openapi.json",
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
            "/api/v1/admin/sites/demo/audit",
            "/api/v1/sites/demo/subjects/check",
            "/api/v1/admin/sites/demo/owners",
            "/api/v1/admin/sites/demo/people",
            "/api/v1/admin/sites/demo/people/p1",
            "/api/v1/admin/sites/demo/keys",
            "/api/v1/admin/sites/demo/keys/ck_ab12",
            "/admin",
            "/admin/sign-in",
            "/admin/sign-in/abc",
            "/admin/sign-out",
            "/admin/sign-out-everywhere",
            "/u/v1.k1.abc.def",
            "/p/v1.k1.abc.def",
            "/c/v1.k1.abc.def",
            "/preferences/demo",
            "/complaints/demo",
            "/complaint-status/v1.k1.abc.def",
            "/api/v2/sites/demo/consents",
            "/",
        ];
        let actual: String = paths.iter().map(|p| format!("{p} -> {:?}\n", route(p))).collect();
        expect![[r#"
            /healthz -> Health
            /openapi.json -> OpenApi
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
            /api/v1/admin/sites/demo/audit -> AdminAudit { site: "demo" }
            /api/v1/sites/demo/subjects/check -> SubjectsCheck { site: "demo" }
            /api/v1/admin/sites/demo/owners -> AdminOwners { site: "demo" }
            /api/v1/admin/sites/demo/people -> AdminPeople { site: "demo" }
            /api/v1/admin/sites/demo/people/p1 -> AdminPerson { site: "demo", person: "p1" }
            /api/v1/admin/sites/demo/keys -> AdminKeys { site: "demo" }
            /api/v1/admin/sites/demo/keys/ck_ab12 -> AdminKey { site: "demo", prefix: "ck_ab12" }
            /admin -> Console
            /admin/sign-in -> SignIn
            /admin/sign-in/abc -> SignInLink { token: "abc" }
            /admin/sign-out -> SignOut
            /admin/sign-out-everywhere -> SignOutEverywhere
            /u/v1.k1.abc.def -> Unsubscribe { token: "v1.k1.abc.def" }
            /p/v1.k1.abc.def -> Preferences { token: "v1.k1.abc.def" }
            /c/v1.k1.abc.def -> Confirm { token: "v1.k1.abc.def" }
            /preferences/demo -> LostLink { site: "demo" }
            /complaints/demo -> Complaints { site: "demo" }
            /complaint-status/v1.k1.abc.def -> ComplaintStatus { token: "v1.k1.abc.def" }
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
