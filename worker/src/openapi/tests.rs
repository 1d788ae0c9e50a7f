use chrono::DateTime;
use expect_test::expect_file;

use super::*;
use crate::app::{App, AppConfig, RequestFacts};
use crate::http::HttpRequest;
use crate::router::{route, Route};
use crate::store::sqlite::SqliteExecutor;
use crate::store::SqlStore;

/// docs/openapi.json is exactly what the code generates: a change to a DTO, a status or a
/// description shows in review as a change to that file. `cargo xtask openapi` rewrites it.
#[test]
fn docs_openapi_json_is_the_generated_document() {
    expect_file!["../../../docs/openapi.json"].assert_eq(&document_json());
}

/// The worker serves the generated document, byte for byte, to anyone.
#[test]
fn the_served_document_is_the_generated_one() {
    let store = SqlStore::new(SqliteExecutor::open_in_memory().unwrap());
    let config = AppConfig::from_env(|name| match name {
        "SUBJECT_KEY" => Some("k".repeat(32)),
        "PUBLIC_ORIGIN" => Some("http://localhost".into()),
        _ => None,
    })
    .expect("a local configuration")
    .config;
    let app = App::new(store, config);
    let mut new_id = || "id".to_string();
    let mut facts = RequestFacts {
        now: DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z").unwrap().to_utc(),
        new_id: &mut new_id,
        later: Vec::new(),
    };
    let mut response = pollster::block_on(app.handle(&HttpRequest::new("GET", "/openapi.json"), &mut facts));
    assert_eq!(response.status, 200);
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
    assert_eq!(response.header("content-type"), Some("application/json; charset=utf-8"));
    let body = pollster::block_on(response.collect_body()).unwrap();
    assert!(String::from_utf8(body).unwrap() == document_json(), "run `cargo xtask openapi`");
    let post = pollster::block_on(app.handle(&HttpRequest::new("POST", "/openapi.json"), &mut facts));
    assert_eq!(post.status, 405);
}

/// An exhaustive match: a new route does not compile until it has a path here, and the
/// document has exactly these paths, each routed back to its own route.
#[test]
fn every_route_is_documented() {
    let documented_as = |r: &Route| match r {
        Route::Health => Some("/healthz"),
        Route::OpenApi => Some("/openapi.json"),
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
        Route::AdminAudit { .. } => Some("/api/v1/admin/sites/{site}/audit"),
        Route::SubjectsCheck { .. } => Some("/api/v1/sites/{site}/subjects/check"),
        Route::AdminOwners { .. } => Some("/api/v1/admin/sites/{site}/owners"),
        Route::AdminPeople { .. } => Some("/api/v1/admin/sites/{site}/people"),
        Route::AdminPerson { .. } => Some("/api/v1/admin/sites/{site}/people/{person_id}"),
        Route::AdminKeys { .. } => Some("/api/v1/admin/sites/{site}/keys"),
        Route::AdminKey { .. } => Some("/api/v1/admin/sites/{site}/keys/{prefix}"),
        Route::Console => Some("/admin"),
        Route::ConsoleSite { section, item, .. } => Some(match (section.is_empty(), item.is_some()) {
            (true, _) => "/admin/sites/{site}",
            (false, false) => "/admin/sites/{site}/{section}",
            (false, true) => "/admin/sites/{site}/{section}/{item}",
        }),
        Route::ConsoleNewSite => Some("/admin/new-site"),
        Route::SignIn => Some("/admin/sign-in"),
        Route::SignInLink { .. } => Some("/admin/sign-in/{token}"),
        Route::SignOut => Some("/admin/sign-out"),
        Route::SignOutEverywhere => Some("/admin/sign-out-everywhere"),
        Route::Unsubscribe { .. } => Some("/u/{token}"),
        Route::Preferences { .. } => Some("/p/{token}"),
        Route::Confirm { .. } => Some("/c/{token}"),
        Route::LostLink { .. } => Some("/preferences/{site}"),
        Route::Complaints { .. } => Some("/complaints/{site}"),
        Route::ComplaintStatus { .. } => Some("/complaint-status/{token}"),
        // Test-only and fallback routes are not part of the API.
        Route::ContractSuite | Route::NotFound => None,
    };
    let doc = document();
    let mut paths: Vec<&str> = doc.paths.paths.keys().map(String::as_str).collect();
    let concrete = |p: &str| {
        p.replace("{site}", "demo")
            .replace("{token}", "v1.k.a.b")
            .replace("{request}", "access")
            .replace("{person_id}", "p1")
            .replace("{prefix}", "ck_ab12")
    };
    for p in &paths {
        assert_eq!(documented_as(&route(&concrete(p))), Some(*p), "{p}");
    }
    let one_of_each = [
        Route::Health,
        Route::OpenApi,
        Route::SiteConfig { site: "s".into() },
        Route::Policy { site: "s".into() },
        Route::Consents { site: "s".into() },
        Route::CookieConsents { site: "s".into() },
        Route::Audience { site: "s".into() },
        Route::VerifyLedger { site: "s".into() },
        Route::AdminSite { site: "s".into() },
        Route::AdminConsents { site: "s".into() },
        Route::AdminSuppressions { site: "s".into() },
        Route::AdminLinks { site: "s".into() },
        Route::AdminSubject { site: "s".into(), request: "access".into() },
        Route::AdminAudit { site: "s".into() },
        Route::SubjectsCheck { site: "s".into() },
        Route::AdminOwners { site: "s".into() },
        Route::AdminPeople { site: "s".into() },
        Route::AdminPerson { site: "s".into(), person: "p".into() },
        Route::AdminKeys { site: "s".into() },
        Route::AdminKey { site: "s".into(), prefix: "k".into() },
        Route::Console,
        Route::ConsoleSite { site: "s".into(), section: String::new(), item: None },
        Route::ConsoleSite { site: "s".into(), section: "x".into(), item: None },
        Route::ConsoleSite { site: "s".into(), section: "x".into(), item: Some("i".into()) },
        Route::ConsoleNewSite,
        Route::SignIn,
        Route::SignInLink { token: "t".into() },
        Route::SignOut,
        Route::SignOutEverywhere,
        Route::Unsubscribe { token: "t".into() },
        Route::Preferences { token: "t".into() },
        Route::Confirm { token: "t".into() },
        Route::LostLink { site: "s".into() },
        Route::Complaints { site: "s".into() },
        Route::ComplaintStatus { token: "t".into() },
    ];
    let mut routed: Vec<&str> = one_of_each.iter().filter_map(documented_as).collect();
    paths.sort();
    routed.sort();
    assert_eq!(paths, routed, "documented paths");
}

/// Every error answer names the error schema, every operation lists the misconfigured 503,
/// and nothing is described as a bare `{"type": "object"}`.
#[test]
fn every_answer_has_a_real_schema() {
    let doc: Value = serde_json::from_str(&document_json()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("503"), "{method} {path}: 503");
            for (status, response) in responses {
                let content = response["content"].as_object();
                if status == "303" {
                    continue;
                }
                let content = content.unwrap_or_else(|| panic!("{method} {path} {status}: no content"));
                if status.starts_with(['4', '5']) && content.contains_key("application/json") {
                    assert_eq!(
                        content["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
                if status == "429" {
                    assert!(response["headers"]["Retry-After"].is_object(), "{method} {path}: Retry-After");
                }
            }
        }
    }
    let text = document_json();
    fn no_bare_objects(at: &str, v: &Value) {
        match v {
            Value::Object(map) => {
                if map.get("type") == Some(&json!("object")) {
                    let says_something = ["properties", "additionalProperties", "required"]
                        .iter()
                        .any(|k| map.get(*k).is_some_and(|x| x != &json!([]) && x != &json!({})));
                    assert!(says_something, "a bare object schema at {at}");
                }
                for (k, x) in map {
                    no_bare_objects(&format!("{at}/{k}"), x);
                }
            }
            Value::Array(items) => items.iter().for_each(|x| no_bare_objects(at, x)),
            _ => {}
        }
    }
    no_bare_objects("", &doc);
    // Every `$ref` names a schema that is there.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in text.split("\"#/components/schemas/").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
        assert!(schemas.contains_key(name), "missing schema {name}");
    }
}

/// Limits the schemas state by hand are the ones the code enforces.
#[test]
fn schema_limits_are_the_enforced_ones() {
    let doc: Value = serde_json::from_str(&document_json()).unwrap();
    let consents = &doc["components"]["schemas"]["ConsentSubmission"]["properties"]["consents"];
    assert_eq!(consents["maxItems"], consent_shared::ledger::MAX_CHOICES_PER_SUBMISSION);
}
