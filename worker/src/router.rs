//! Maps method + path to a `Route`. Plain code, so it is tested natively with everything else.

/// Every endpoint the worker answers (static widget files are served by Workers assets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    SiteConfig { site: String },
    Consents { site: String },
    ContractSuite,
    NotFound,
}

pub fn route(path: &str) -> Route {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["healthz"] => Route::Health,
        ["api", "v1", "sites", site, "config"] => Route::SiteConfig {
            site: (*site).to_string(),
        },
        ["api", "v1", "sites", site, "consents"] => Route::Consents {
            site: (*site).to_string(),
        },
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
            "/api/v1/sites/demo/consents",
            "/api/v1/sites/demo/consents/",
            "/api/v2/sites/demo/consents",
            "/__contract",
            "/",
        ];
        let actual: String = paths
            .iter()
            .map(|p| format!("{p} -> {:?}\n", route(p)))
            .collect();
        expect![[r#"
            /healthz -> Health
            /api/v1/sites/demo/config -> SiteConfig { site: "demo" }
            /api/v1/sites/demo/consents -> Consents { site: "demo" }
            /api/v1/sites/demo/consents/ -> Consents { site: "demo" }
            /api/v2/sites/demo/consents -> NotFound
            /__contract -> ContractSuite
            / -> NotFound
        "#]]
        .assert_eq(&actual);
    }
}
