//! The OpenAPI 3.1 document of every endpoint `router::Route` has, built from the code: request
//! and response schemas come from the `shared` wire DTOs (`utoipa::ToSchema`), the operations and
//! the statuses each can answer are written here, one function per path.
//!
//! Native only: `cargo xtask openapi` writes the document to docs/openapi.json, and the worker
//! serves that file at `GET /openapi.json` (so the wasm carries neither utoipa nor the schemas).
//! The tests below fail when the file and the code disagree, so a DTO change shows in review.

use consent_shared::api::v1;
use serde_json::{json, Value};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref, RefOr,
    Required, ResponseBuilder, Schema, ServerBuilder, Tag,
};
use utoipa::ToSchema;

use consent_shared::access::{Action, Role};

use crate::app::audit::{AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX};
use crate::app::rate_limit::Limit;
use crate::app::{MAX_BODY_BYTES, MAX_CHECK_BODY_BYTES};

/// The document as docs/openapi.json holds it (pretty, newline-terminated).
pub fn document_json() -> String {
    let mut json = serde_json::to_string_pretty(&document()).expect("the document serialises");
    json.push('\n');
    json
}

pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for (path, method, op) in operations() {
        paths = paths.path(path, PathItem::new(method, op));
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Consent API")
                .version("1")
                .description(Some(
                    "Consent records explicit, dated marketing consent and cookie choices for UK \
                     membership organisations. Errors are always `{\"error\": {\"code\", \"message\"}}` \
                     (`ErrorBody`); the link pages (`/u`, `/p`, `/c`, `/preferences`) answer HTML \
                     pages instead. A worker whose secrets are missing or invalid answers 503 to \
                     every request. Every operation that takes a GET also answers HEAD; the public \
                     site endpoints answer CORS preflights (OPTIONS) from the site's registered origins. \
                     Generated from the code (`cargo xtask openapi`); served at `GET /openapi.json`.",
                ))
                .build(),
        )
        .servers(Some([ServerBuilder::new()
            .url("http://127.0.0.1:8787")
            .description(Some("cargo xtask dev"))
            .build()]))
        .tags(Some([
            tag("ops", "Health and this document"),
            tag(
                "public",
                "What the widget calls from the organisation's pages (CORS, browsers only for POSTs)",
            ),
            tag(
                "admin",
                "A console session (cookie), an API key of the site with the scope the operation names \
                 (`Authorization: Bearer ck_…`), or the break-glass ADMIN_KEY (every use is in the audit \
                 trail); 401 when missing or unknown, 403 naming the missing scope or role",
            ),
            tag("console", "The console's sign-in pages (HTML forms with anti-forgery values)"),
            tag("links", "HTML pages opened from signed links in email; 503 when link features are off"),
            tag(
                "complaints",
                "Complaints about the use of personal data (HTML, no JavaScript): the public form and the \
                 status page behind the acknowledgement's signed link",
            ),
        ]))
        .paths(paths.build())
        .components(Some(components()))
        .build()
}

fn tag(name: &str, description: &str) -> Tag {
    let mut tag = Tag::new(name);
    tag.description = Some(description.to_string());
    tag
}

/// Every operation: (path, method, operation). `tests::every_route_is_documented` holds this
/// list and `router::Route` together.
fn operations() -> Vec<(&'static str, HttpMethod, OperationBuilder)> {
    use HttpMethod::{Delete, Get, Post, Put};
    vec![
        ("/healthz", Get, health()),
        ("/openapi.json", Get, openapi_json()),
        ("/api/v1/sites/{site}/config", Get, site_config()),
        ("/api/v1/sites/{site}/policy", Get, policy()),
        ("/api/v1/sites/{site}/consents", Post, consents()),
        ("/api/v1/sites/{site}/cookie-consents", Post, cookie_consents()),
        ("/api/v1/sites/{site}/audience", Get, audience()),
        ("/api/v1/sites/{site}/ledger/verify", Get, verify()),
        ("/api/v1/admin/sites/{site}", Get, admin_site_get()),
        ("/api/v1/admin/sites/{site}", Put, admin_site_put()),
        ("/api/v1/admin/sites/{site}/consents", Post, admin_consents()),
        ("/api/v1/admin/sites/{site}/suppressions", Post, admin_suppressions()),
        ("/api/v1/admin/sites/{site}/links", Post, admin_links()),
        ("/api/v1/admin/sites/{site}/subjects/{request}", Post, admin_subject()),
        ("/api/v1/admin/sites/{site}/audit", Get, admin_audit()),
        ("/api/v1/sites/{site}/subjects/check", Get, subjects_check_one()),
        ("/api/v1/sites/{site}/subjects/check", Post, subjects_check_batch()),
        ("/api/v1/admin/sites/{site}/owners", Post, admin_owners()),
        ("/api/v1/admin/sites/{site}/people", Get, people_list()),
        ("/api/v1/admin/sites/{site}/people", Post, people_add()),
        ("/api/v1/admin/sites/{site}/people/{person_id}", Put, person_put()),
        ("/api/v1/admin/sites/{site}/people/{person_id}", Delete, person_delete()),
        ("/api/v1/admin/sites/{site}/keys", Get, keys_list()),
        ("/api/v1/admin/sites/{site}/keys", Post, keys_create()),
        ("/api/v1/admin/sites/{site}/keys/{prefix}", Delete, key_revoke()),
        ("/admin", Get, console_home()),
        ("/admin/sites/{site}", Get, console_site_page("GET", false, false)),
        ("/admin/sites/{site}/{section}", Get, console_site_page("GET", true, false)),
        ("/admin/sites/{site}/{section}", Post, console_site_page("POST", true, false)),
        ("/admin/sites/{site}/{section}/{item}", Get, console_site_page("GET", true, true)),
        ("/admin/sites/{site}/{section}/{item}", Post, console_site_page("POST", true, true)),
        ("/admin/new-site", Get, console_new_site(false)),
        ("/admin/new-site", Post, console_new_site(true)),
        ("/admin/sign-in", Get, sign_in_page()),
        ("/admin/sign-in", Post, sign_in_post()),
        ("/admin/sign-in/{token}", Get, sign_in_link_page()),
        ("/admin/sign-in/{token}", Post, sign_in_link_post()),
        ("/admin/sign-out", Post, sign_out(false)),
        ("/admin/sign-out-everywhere", Post, sign_out(true)),
        ("/u/{token}", Get, unsubscribe_page()),
        ("/u/{token}", Post, unsubscribe_post()),
        ("/p/{token}", Get, preferences_page()),
        ("/p/{token}", Post, preferences_post()),
        ("/c/{token}", Get, confirm_page()),
        ("/c/{token}", Post, confirm_post()),
        ("/preferences/{site}", Get, lost_link_page()),
        ("/preferences/{site}", Post, lost_link_post()),
        ("/complaints/{site}", Get, complaints_page()),
        ("/complaints/{site}", Post, complaints_post()),
        ("/complaint-status/{token}", Get, complaint_status_page()),
    ]
}

// ---- operations ------------------------------------------------------------------------------

fn health() -> OperationBuilder {
    op("ops", "Liveness, including a D1 round trip")
        .response("200", json_ok("ok", schema_ref("Health")))
        .response("500", error("the database did not answer"))
        .response("503", misconfigured())
}

fn openapi_json() -> OperationBuilder {
    op("ops", "This document (OpenAPI 3.1), the same as docs/openapi.json in the repository")
        .response(
            "200",
            json_ok(
                "the OpenAPI document (cacheable; CORS `*`)",
                schema(json!({"type": "object", "required": ["openapi", "info", "paths"]})),
            ),
        )
        .response("503", misconfigured())
}

fn site_config() -> OperationBuilder {
    public_read("Organisation, purposes with current wording, cookie categories and banner text")
        .response("200", json_ok("site configuration (`Cache-Control: no-store`)", schema_ref("SiteConfig")))
}

fn policy() -> OperationBuilder {
    public_read("What the loader checks on every page view")
        .description(Some(
            "`rule_set` is the cookie rules that apply to this visitor (`uk` or `eu`), from their \
             country (`request.cf.country` on Cloudflare; the `CF-IPCountry` header on a local \
             worker) and the site's `region_rules`; `treatments` says per optional category whether \
             it waits for consent (`opt_in`) or runs unless the visitor objects (`opt_out`), and \
             `banner_kind` what to show a visitor without a decision. A stored decision made under \
             another rule set must be asked again.",
        ))
        .response(
            "200",
            json_ok(
                "policy summary (`Cache-Control: private, max-age=60`, `Vary: CF-IPCountry`)",
                schema_ref("PolicySummary"),
            ),
        )
}

fn public_read(summary: &str) -> OperationBuilder {
    op("public", summary)
        .parameter(site_param())
        .parameter(lang_param())
        .parameter(origin_header(false))
        .response("403", error("`origin_not_allowed`: an `Origin` the site has not registered"))
        .response("404", error("`not_found`: unknown site"))
        .response("503", misconfigured())
}

fn consents() -> OperationBuilder {
    op("public", "Record the purposes a person ticked")
        .description(Some(
            "Browsers only: needs a registered `Origin`, and `page_url` must be a page on one of the \
             site's origins (else 422 `foreign_page_url`); it is stored as origin + path (no query, \
             no fragment). The answer is the same status and shape whether the address is new, \
             already subscribed, suppressed or erased: what happens is decided and recorded \
             server-side (a suppressed or erased address records nothing and gets no mail, and its \
             answer is kept for the Idempotency-Key like any other). On a double opt-in site every \
             email grant is recorded `pending` and a confirmation message is queued (at most one \
             per person per 10 minutes). The public receipt carries no event ids.",
        ))
        .parameter(site_param())
        .parameter(origin_header(true))
        .parameter(idempotency_key(
            "A fresh key per submission, repeated on retry: a retry gets the first receipt back \
             (header `Idempotent-Replayed: true`); the same key with a different body is 422 \
             `idempotency_key_reused`.",
        ))
        .parameter(sec_fetch_site())
        .parameter(preview_header())
        .request_body(Some(json_body("ConsentSubmission")))
        .response(
            "201",
            replayable(json_ok(
                "receipt (the same for every address apart from `recorded_at`)",
                schema_ref("ConsentReceipt"),
            )),
        )
        .response("400", error("`bad_json`: not this endpoint's JSON; or a malformed Idempotency-Key"))
        .response(
            "403",
            error(
                "no `Origin` (`origin_required`: use the admin API) or an unregistered one \
                 (`origin_not_allowed`); or a `Consent-Preview` credential that is not valid here \
                 (`preview_refused`)",
            ),
        )
        .response("404", error("`not_found`: unknown site"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response(
            "422",
            error(
                "invalid submission, e.g. `foreign_page_url`, `invalid_email`, `stale_wording`, \
                 `unknown_purpose`; or `idempotency_key_reused`",
            ),
        )
        .response("429", rate_limited())
        .response(
            "503",
            error(
                "the site asks for confirmation by email and link features or email are not set up \
                 here (nothing was recorded); or the worker is misconfigured",
            ),
        )
}

fn cookie_consents() -> OperationBuilder {
    op("public", "Record an anonymous cookie-banner decision")
        .parameter(site_param())
        .parameter(origin_header(true))
        .parameter(idempotency_key(
            "A fresh key per decision, repeated on retry: the decision is stored once per (site, \
             key) and a retry gets the first receipt back (header `Idempotent-Replayed: true`). \
             The same key with a different decision is 422 `idempotency_key_reused`.",
        ))
        .parameter(sec_fetch_site())
        .parameter(preview_header())
        .request_body(Some(json_body("CookieDecision")))
        .response("201", replayable(json_ok("record id and time", schema_ref("CookieReceipt"))))
        .response("400", error("`bad_json`: not this endpoint's JSON; or a malformed Idempotency-Key"))
        .response(
            "403",
            error(
                "no `Origin` (`origin_required`) or an unregistered one (`origin_not_allowed`); or a \
                 `Consent-Preview` credential that is not valid here (`preview_refused`)",
            ),
        )
        .response("404", error("`not_found`: unknown site"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response(
            "422",
            error("`stale_policy`, `invalid_cookie_decision` (unknown category, wrong wording hash), or `idempotency_key_reused`"),
        )
        .response("429", rate_limited())
        .response("503", misconfigured())
}

fn audience() -> OperationBuilder {
    admin_with(
        Action::ReadAudience,
        "Everyone who may be contacted now for a purpose on a channel (streamed; CSV with Accept: text/csv)",
            "Every export is written to the audit trail (`audience_exported`, with its row count) \
             before the first row is sent; `count=true` answers only the number \
             (`audience_counted` in the trail).",
    )
        .parameter(query_param("purpose", true, schema(json!({"type": "string"}))))
        .parameter(query_param("channel", true, schema_ref("Channel")))
        .parameter(query_param("count", false, schema(json!({"type": "boolean", "default": false}))))
        .parameter(query_param("basis", false, schema_ref("LawfulBasis")))
        .description(Some(
            "Each member carries the `basis` they may be contacted on. `?basis=consent` or \
             `?basis=charity_soft_opt_in` lists one of them only (the ICO expects the two lists kept \
             apart). For a purpose on `legitimate_interests` (post) the audience is everyone held \
             (an address, not restricted, erased or suppressed) who has not withdrawn or objected. \
             An objection, a withdrawal or an unsubscribe removes someone at once, whatever the basis.",
        ))
        .response(
            "200",
            ResponseBuilder::new()
                .description("members, each with a signed unsubscribe and preference link; or, with `count=true`, how many")
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(schema(json!({"oneOf": [
                            {"$ref": "#/components/schemas/AudienceExport"},
                            {"$ref": "#/components/schemas/AudienceCount"}
                        ]}))))
                        .build(),
                )
                .content(
                    "text/csv",
                    ContentBuilder::new()
                        .schema(Some(schema(json!({
                            "type": "string",
                            "description": "header `email,subject,granted_at,event_id,unsubscribe_url,preferences_url,basis,name` (`name`: the name the person gave, empty if none), CRLF lines"
                        }))))
                        .build(),
                )
                .build(),
        )
        .response("400", error("`bad_request`: `purpose` or `channel` missing, an unknown channel or basis, a basis the purpose cannot have, or `count` not true/false"))
        .response("404", error("`not_found`: unknown site, or no such purpose on the channel"))
        .response("503", error("admin endpoints off, or link features off (exports carry links)"))
}

fn verify() -> OperationBuilder {
    admin(Action::VerifyLedger, "Seal what went through the append path, then check the chains, the append marks, the current state and the latest anchor")
        .description(Some(
            "Sealing stops in front of a row without a valid append mark (a row written straight \
             into the database): it is reported, never sealed. `valid` is true only when everything holds.",
        ))
        .response("200", json_ok("verification report", schema_ref("VerifyReport")))
        .response("404", error("`not_found`: unknown site"))
        .response("503", admin_off())
}

fn admin_site_get() -> OperationBuilder {
    admin(Action::ReadSite, "The stored site with every wording version")
        .response("200", json_ok("site", schema_ref("StoredSite")))
        .response("404", error("`not_found`: unknown site"))
        .response("503", admin_off())
}

fn admin_site_put() -> OperationBuilder {
    admin(Action::WriteSite, "Define a site; a changed text becomes a new wording version")
        .request_body(Some(json_body("SiteDefinition")))
        .response("200", json_ok("updated site", schema_ref("StoredSite")))
        .response("201", json_ok("created site", schema_ref("StoredSite")))
        .response("400", error("`bad_json`: not a site definition"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("422", error("`invalid_site_definition`"))
        .response("503", admin_off())
}

fn admin_consents() -> OperationBuilder {
    admin(Action::WriteConsents, "Record grants or withdrawals received on paper or by import")
        .parameter(idempotency_key(
            "A fresh key per request, repeated on retry: a retry gets the first receipt back \
             (header `Idempotent-Replayed: true`).",
        ))
        .request_body(Some(json_body("RecordedChanges")))
        .response("201", replayable(json_ok("receipt, with event ids", schema_ref("ConsentReceipt"))))
        .response("400", error("`bad_json`, or a malformed Idempotency-Key"))
        .response("404", error("`not_found`: unknown site"))
        .response("409", error("`suppressed`: this address asked not to be contacted; nothing was recorded"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("422", error("invalid changes (`invalid_email`, `unknown_purpose`, `unknown_wording`, …) or `idempotency_key_reused`"))
        .response("503", admin_off())
}

fn admin_suppressions() -> OperationBuilder {
    admin(Action::ManageSuppressions, "Never contact this address again")
        .request_body(Some(json_body("SuppressionRequest")))
        .response("200", json_ok("suppressed", schema_ref("Suppressed")))
        .response("400", error("`bad_json`, a malformed address, or a reason over 200 characters"))
        .response("404", error("`not_found`: unknown site"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("503", admin_off())
}

fn admin_links() -> OperationBuilder {
    admin(
        Action::ManageSubjects,
        "Signed preference-centre URL, unsubscribe URL and List-Unsubscribe header values for one person",
    )
    .request_body(Some(json_body("LinkRequest")))
    .response("200", json_ok("links", schema_ref("Links")))
    .response("400", error("`bad_json`, or a malformed address"))
    .response("404", error("`not_found`: unknown site, or no such purpose on the channel"))
    .response("413", too_large())
    .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
    .response("503", error("admin endpoints off, or link features off"))
}

fn admin_subject() -> OperationBuilder {
    admin(Action::ManageSubjects, "A data-rights request: access (JSON export), erase, or restrict")
        .parameter(
            ParameterBuilder::new()
                .name("request")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema(json!({"type": "string", "enum": ["access", "erase", "restrict"]}))))
                .build(),
        )
        .request_body(Some(json_body("SubjectRequest")))
        .response(
            "200",
            json_ok(
                "access: the export (as a download); erase: done, and the address is suppressed; restrict: the new state",
                // anyOf, not oneOf: which shape answers is said by the path (`request`), and an
                // export is also a valid `Restricted` (it carries `subject` and `restricted`).
                schema(json!({"anyOf": [
                    {"$ref": "#/components/schemas/SubjectExport"},
                    {"$ref": "#/components/schemas/Erased"},
                    {"$ref": "#/components/schemas/Restricted"}
                ]})),
            ),
        )
        .response("400", error("`bad_json`, a malformed address, or `restricted` missing for restrict"))
        .response("404", error("`not_found`: unknown site, unknown request, or no data held (access, restrict)"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("503", admin_off())
}

fn admin_audit() -> OperationBuilder {
    admin_with(
        Action::ReadAudit,
        "The site's audit trail: who did what, when and from where (newest first; JSON or CSV)",
            "Append-only and hash-chained (`ledger/verify` checks it). Entries name people by \
             their person id, keys by prefix and subjects by HMAC id, never by address; `ip` is \
             the client's network (/24 or /48). Reading the trail is itself recorded \
             (`audit_read`). Page backwards with `?before=` set to the previous page's \
             `next_before` (CSV: the `X-Next-Before` header).",
    )
        .parameter(query_param(
            "limit",
            false,
            schema(json!({"type": "integer", "minimum": 1, "maximum": AUDIT_PAGE_MAX, "default": AUDIT_PAGE_DEFAULT})),
        ))
        .parameter(query_param("before", false, schema(json!({"type": "integer", "minimum": 1}))))
        .parameter(query_param("actor", false, schema(json!({"type": "string", "maxLength": 200,
            "description": "`person:{id}`, `key:{prefix}`, `admin_key`, `system` or `anonymous`"}))))
        .parameter(query_param("kind", false, schema(json!({"type": "string",
            "enum": consent_shared::audit::AuditKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()}))))
        .parameter(query_param("since", false, schema(json!({"type": "string",
            "description": "a date (2026-11-01: from its start) or an RFC 3339 time"}))))
        .parameter(query_param("until", false, schema(json!({"type": "string",
            "description": "a date (2026-11-30: to its end) or an RFC 3339 time"}))))
        .parameter(query_param("format", false, schema(json!({"type": "string", "enum": ["json", "csv"]}))))
        .response(
            "200",
            ResponseBuilder::new()
                .description("a page of entries (`Cache-Control: no-store`)")
                .content("application/json", ContentBuilder::new().schema(Some(schema_ref("AuditPage"))).build())
                .content(
                    "text/csv",
                    ContentBuilder::new()
                        .schema(Some(schema(json!({
                            "type": "string",
                            "description": "header `seq,at,actor,actor_type,kind,ip,detail,prev_hash,hash`, CRLF lines"
                        }))))
                        .build(),
                )
                .header(
                    "X-Next-Before",
                    HeaderBuilder::new()
                        .schema(schema(json!({"type": "integer"})))
                        .description(Some("CSV only: `?before=` for the next page; absent on the last"))
                        .build(),
                )
                .build(),
        )
        .response("400", error("`bad_request`: a bad `limit`, `before`, `kind`, `since`, `until` or `format`"))
        .response("404", error("`not_found`: unknown site"))
        .response("503", admin_off())
}

fn subjects_check(summary: &str) -> OperationBuilder {
    admin_with(
        Action::CheckSubjects,
        summary,
        "What a mailer or CRM asks before each send. The answer has the same shape for every \
         address, known or not; a suppressed or erased address, a restricted one, a withdrawn or \
         unconfirmed consent all answer `may_contact: false`. `unsubscribe_url` is a signed \
         one-click link for the message when `may_contact` (null when link features are off). \
         Checks are counted per key per day in the audit trail (`subjects_checked`), never \
         listed by address.",
    )
}

fn subjects_check_one() -> OperationBuilder {
    subjects_check("May this address be contacted now for this purpose on this channel?")
        .parameter(query_param("email", true, schema(json!({"type": "string",
            "description": "percent-encoded (`+` as `%2B`); for many addresses, or to keep them out of URLs, use POST"}))))
        .parameter(query_param("purpose", true, schema(json!({"type": "string"}))))
        .parameter(query_param("channel", true, schema_ref("Channel")))
        .response("200", json_ok("the answer (`Cache-Control: no-store`)", schema_ref("SubjectCheck")))
        .response("400", error("`bad_request`: `email`, `purpose` or `channel` missing, a malformed address or an unknown channel"))
        .response("404", error("`not_found`: unknown site, or no such purpose on the channel"))
        .response("503", admin_off())
}

fn subjects_check_batch() -> OperationBuilder {
    subjects_check("Up to 1,000 addresses at once, answered in the order given")
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .description(Some(format!("at most {MAX_CHECK_BODY_BYTES} bytes")))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema_ref("SubjectCheckBatch"))).build(),
                )
                .build(),
        ))
        .response(
            "200",
            json_ok("one result per address (`Cache-Control: no-store`)", schema_ref("SubjectCheckResults")),
        )
        .response("400", error("`bad_json`: not this endpoint's JSON"))
        .response("404", error("`not_found`: unknown site, or no such purpose on the channel"))
        .response(
            "413",
            error(&format!("`payload_too_large`: the body is over {MAX_CHECK_BODY_BYTES} bytes")),
        )
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("422", error("`too_many_addresses`: more than 1,000 addresses"))
        .response("503", admin_off())
}

fn unsubscribe_page() -> OperationBuilder {
    link_page("Unsubscribe page (changes nothing)").response("200", html("the page with its one button"))
}

fn unsubscribe_post() -> OperationBuilder {
    link_page("Unsubscribe: the page's button, or RFC 8058 one-click (List-Unsubscribe=One-Click)")
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("application/x-www-form-urlencoded", form(json!({"List-Unsubscribe": {"type": "string", "const": "One-Click"}, "confirm": {"type": "string"}, "lang": lang_values()}), &[]))
                .content("multipart/form-data", form(json!({"List-Unsubscribe": {"type": "string", "const": "One-Click"}}), &[]))
                .build(),
        ))
        .response("200", html("unsubscribed (also when already unsubscribed)"))
        .response("413", too_large())
}

fn preferences_page() -> OperationBuilder {
    link_page(
        "Preference centre: choices with exact wording, history, details, data rights (HTML; ?lang=en|cy)",
    )
    .parameter(query_param("done", false, schema(json!({"type": "string"}))))
    .response("200", html("the preference centre (or: nothing is held about you)"))
}

fn preferences_post() -> OperationBuilder {
    link_page(
        "Preference centre form posts: action = choices | withdraw_all | details | download | restrict | lift | erase (with anti-forgery value)",
    )
    .request_body(Some(
        RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content(
                "application/x-www-form-urlencoded",
                form(
                    json!({
                        "csrf": {"type": "string"},
                        "lang": lang_values(),
                        "action": {"type": "string", "enum": ["choices", "withdraw_all", "details", "download", "restrict", "lift", "erase", "complain"]},
                        "name": {"type": "string"},
                        "email": {"type": "string"},
                        "complaint": {"type": "string", "description": "complain: the complaint's text"}
                    }),
                    &["csrf", "action"],
                ),
            )
            .build(),
    ))
    .response(
        "200",
        ResponseBuilder::new()
            .description("download: the person's data as a JSON file; erase: confirmation page")
            .content("application/json", ContentBuilder::new().schema(Some(schema_ref("SubjectExport"))).build())
            .content("text/html", html_content())
            .build(),
    )
    .response("303", see_other("Done: back to the page with a message"))
    .response("403", html("cross-site or expired form, nothing changed"))
    .response("413", too_large())
    .response("409", html("suppressed, or wording changed; nothing changed"))
    .response("415", html("not a form post (application/x-www-form-urlencoded), nothing changed"))
    .response("422", html("invalid input (name, address, erase not confirmed, complaint empty or too long), nothing changed"))
    .response("429", rate_limited_page())
}

fn confirm_page() -> OperationBuilder {
    link_page("Confirmation page (double opt-in, or a new email address); changes nothing")
        .response("200", html("the page with its button (or: nothing to confirm)"))
}

fn confirm_post() -> OperationBuilder {
    link_page("Confirm: pending consents come into force (method email_confirmation), or the new address is applied")
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/x-www-form-urlencoded",
                    form(json!({"csrf": {"type": "string"}, "lang": lang_values()}), &["csrf"]),
                )
                .build(),
        ))
        .response("200", html("confirmed (or: nothing to confirm)"))
        .response("403", html("cross-site or expired form"))
        .response("413", too_large())
        .response("409", html("address already has its own record, or suppressed"))
        .response("429", rate_limited_page())
}

fn lost_link_page() -> OperationBuilder {
    lost_link("\"Lost your link?\": ask for a fresh preference link by email")
        .response("200", html("the form"))
}

fn lost_link_post() -> OperationBuilder {
    lost_link("Sends a fresh preference link if the address is known; the answer is the same either way")
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/x-www-form-urlencoded",
                    form(
                        json!({"email": {"type": "string"}, "csrf": {"type": "string"}, "lang": lang_values()}),
                        &["email", "csrf"],
                    ),
                )
                .build(),
        ))
        .response("200", html("'if this address is on our list, we have sent a link'"))
        .response("403", html("cross-site or expired form (or not a form post)"))
        .response("413", too_large())
        .response("422", html("not an email address"))
        .response("429", rate_limited_page())
}

fn lost_link(summary: &str) -> OperationBuilder {
    op("links", summary)
        .parameter(site_param())
        .parameter(lang_query_page())
        .response("404", html("unknown site"))
        .response("503", html("email or link features are not configured, or the worker is misconfigured"))
}

/// The pages behind a signed link: a broken link is a page too.
fn link_page(summary: &str) -> OperationBuilder {
    op("links", summary)
        .parameter(token_param("a signed link token, as the links endpoint and the emails hand out"))
        .parameter(lang_query_page())
        .response("400", html("bad link (malformed, wrong signature, or for another page)"))
        .response("404", html("the organisation it belongs to no longer uses this service"))
        .response("410", html("expired link"))
        .response("503", html("link features are off, or storage failed; nothing changed"))
}

/// The `{token}` path parameter of a page behind a signed link.
fn token_param(description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("token")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(string())
        .build()
}

/// An admin operation that performs `action`: who may (roles, the key scope) is written from
/// `shared::access`, the same table the code checks.
fn admin(action: Action, summary: &str) -> OperationBuilder {
    admin_with(action, summary, "")
}

/// `admin` with more to say than who may call it.
fn admin_with(action: Action, summary: &str, more: &str) -> OperationBuilder {
    let roles: Vec<&str> =
        Role::ALL.into_iter().filter(|r| action.allowed_for(*r)).map(Role::as_str).collect();
    let scope = match action.scope() {
        Some(scope) => format!("API keys with scope `{}`", scope.as_str()),
        None => "no API key".to_string(),
    };
    op("admin", summary)
        .description(Some(format!(
            "{more}{}Action `{}`: people with the role {} on the site; {scope}; the ADMIN_KEY (break-glass, recorded).",
            if more.is_empty() { "" } else { "\n\n" },
            action.as_str(),
            roles.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
        )))
        .security(SecurityRequirement::new("session", Vec::<String>::new()))
        .security(SecurityRequirement::new("apiKey", Vec::<String>::new()))
        .security(SecurityRequirement::new("adminKey", Vec::<String>::new()))
        .parameter(site_param())
        .response("401", unauthorized("`unauthorized`: no credentials, or an unknown, expired or revoked key or session"))
        .response(
            "403",
            error(
                "`missing_scope` (names the scope), `role_not_allowed` (names the role), `no_role` (no role \
                 on this site) or `wrong_site` (the key belongs to another site)",
            ),
        )
}

fn unauthorized(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", error_content())
        .header("WWW-Authenticate", HeaderBuilder::new().schema(schema(json!({"type": "string"}))).build())
        .build()
}

fn op(tag: &str, summary: &str) -> OperationBuilder {
    OperationBuilder::new().tag(tag).summary(Some(summary))
}

// ---- parameters and bodies -----------------------------------------------------------------

fn site_param() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("site")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema(json!({"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"}))))
        .build()
}

fn lang_param() -> utoipa::openapi::path::Parameter {
    query_param("lang", false, schema(json!({"type": "string"})))
}

fn lang_query_page() -> utoipa::openapi::path::Parameter {
    query_param("lang", false, schema(lang_values()))
}

fn lang_values() -> Value {
    json!({"type": "string", "enum": ["en", "cy"]})
}

fn query_param(name: &str, required: bool, schema: RefOr<Schema>) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(if required { Required::True } else { Required::False })
        .schema(Some(schema))
        .build()
}

fn origin_header(required: bool) -> utoipa::openapi::path::Parameter {
    let description = if required {
        "Sent by browsers; must be one of the site's registered origins. Without it the answer is \
         403 `origin_required`: scripts and servers record consents with \
         `POST /api/v1/admin/sites/{site}/consents` and an API key with the `consents:write` scope."
    } else {
        "Sent by browsers on cross-origin reads: an unregistered origin is 403; without it (a \
         server, curl) the answer has no CORS headers."
    };
    ParameterBuilder::new()
        .name("Origin")
        .parameter_in(ParameterIn::Header)
        .required(if required { Required::True } else { Required::False })
        .description(Some(description))
        .schema(string())
        .build()
}

fn idempotency_key(description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema(
            json!({"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-~]+$"}),
        )))
        .build()
}

fn preview_header() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("Consent-Preview")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Only from the console's live preview (`/admin/sites/{site}/embed/live`): its \
             short-lived credential, bound to the site and the signed-in session. With it, and an \
             `Origin` that is the worker's own, the request is a dry run: checked exactly as a real \
             one and answered alike with `\"preview\": true`, and nothing is recorded, sealed or \
             mailed. Any other use is 403 `preview_refused`.",
        ))
        .schema(string())
        .build()
}

fn sec_fetch_site() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("Sec-Fetch-Site")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some("Sent by browsers; recorded with each event as evidence."))
        .schema(Some(schema(
            json!({"type": "string", "enum": ["same-origin", "same-site", "cross-site", "none"]}),
        )))
        .build()
}

fn json_body(dto: &str) -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .description(Some(format!("at most {MAX_BODY_BYTES} bytes")))
        .content("application/json", ContentBuilder::new().schema(Some(schema_ref(dto))).build())
        .build()
}

fn form(properties: Value, required: &[&str]) -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(schema(json!({"type": "object", "properties": properties, "required": required}))))
        .build()
}

// ---- responses ------------------------------------------------------------------------------

fn json_ok(description: &str, body: RefOr<Schema>) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(body)).build())
        .build()
}

/// A first answer kept for its Idempotency-Key; a retry gets it again, marked.
fn replayable(mut response: utoipa::openapi::Response) -> utoipa::openapi::Response {
    let header = HeaderBuilder::new()
        .schema(schema(json!({"type": "string", "enum": ["true"]})))
        .description(Some(
            "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
        ))
        .build();
    response.headers.insert("Idempotent-Replayed".into(), header);
    response
}

fn error_content() -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema_ref("ErrorBody"))).build()
}

fn error(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new().description(description).content("application/json", error_content()).build()
}

/// The worker refuses an oversized body before routing, so a page's POST answers this JSON too.
fn too_large() -> utoipa::openapi::Response {
    error(&format!("`payload_too_large`: the body is over {MAX_BODY_BYTES} bytes"))
}

fn misconfigured() -> utoipa::openapi::Response {
    error("`unavailable`: the worker's secrets are missing or invalid (its log says which)")
}

fn admin_off() -> utoipa::openapi::Response {
    error("`unavailable`: a Bearer token that is not an API key while ADMIN_KEY is missing or shorter than 32 bytes; or storage failed")
}

fn retry_after() -> utoipa::openapi::Header {
    HeaderBuilder::new()
        .schema(schema(json!({"type": "integer", "minimum": 1})))
        .description(Some("seconds until the window that refused the request is over"))
        .build()
}

fn limits() -> String {
    Limit::ALL
        .iter()
        .map(|l| format!("{} {}/{} s", l.binding(), l.limit(), l.period_secs()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rate_limited() -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(format!("`rate_limited`: over a limit per client address or per site ({})", limits()))
        .content("application/json", error_content())
        .header("Retry-After", retry_after())
        .build()
}

fn rate_limited_page() -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(format!("HTML page: too many requests ({})", limits()))
        .content("text/html", html_content())
        .header("Retry-After", retry_after())
        .build()
}

fn html_content() -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema(json!({"type": "string"})))).build()
}

/// A 303 to a page (`Location`), as the HTML forms answer a completed post.
fn see_other(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .header("Location", HeaderBuilder::new().schema(schema(json!({"type": "string"}))).build())
        .build()
}

fn html(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(format!("HTML page: {description}"))
        .content("text/html", html_content())
        .build()
}

// ---- schemas --------------------------------------------------------------------------------

fn string() -> Option<RefOr<Schema>> {
    Some(schema(json!({"type": "string"})))
}

fn schema(value: Value) -> RefOr<Schema> {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"))
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn components() -> utoipa::openapi::Components {
    let mut schemas = Vec::new();
    fn add<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
    add::<v1::ErrorBody>(&mut schemas);
    add::<v1::SiteConfig>(&mut schemas);
    add::<v1::PolicySummary>(&mut schemas);
    add::<v1::ConsentSubmission>(&mut schemas);
    add::<v1::ConsentReceipt>(&mut schemas);
    add::<v1::CookieDecision>(&mut schemas);
    add::<v1::CookieReceipt>(&mut schemas);
    add::<v1::AudienceMember>(&mut schemas);
    add::<v1::AudienceCount>(&mut schemas);
    add::<v1::LawfulBasis>(&mut schemas);
    add::<v1::VerifyReport>(&mut schemas);
    add::<consent_shared::site::SiteConfig>(&mut schemas);
    add::<v1::SiteDefinition>(&mut schemas);
    add::<v1::RecordedChanges>(&mut schemas);
    add::<v1::SuppressionRequest>(&mut schemas);
    add::<v1::LinkRequest>(&mut schemas);
    add::<v1::Links>(&mut schemas);
    add::<v1::SubjectRequest>(&mut schemas);
    add::<consent_shared::consent::ConsentEvent>(&mut schemas);
    add::<v1::Health>(&mut schemas);
    add::<v1::Suppressed>(&mut schemas);
    add::<v1::Erased>(&mut schemas);
    add::<v1::Restricted>(&mut schemas);
    add::<v1::AuditPage>(&mut schemas);
    add::<v1::SubjectCheck>(&mut schemas);
    add::<v1::SubjectCheckBatch>(&mut schemas);
    add::<v1::SubjectCheckResults>(&mut schemas);
    add::<v1::OwnerRequest>(&mut schemas);
    add::<v1::PersonRequest>(&mut schemas);
    add::<v1::RoleChange>(&mut schemas);
    add::<v1::People>(&mut schemas);
    add::<v1::PersonRemoved>(&mut schemas);
    add::<v1::KeyRequest>(&mut schemas);
    add::<v1::Keys>(&mut schemas);
    add::<v1::CreatedKey>(&mut schemas);
    // Answers the handlers build piece by piece (the streamed audience export, the subject
    // export assembled with `json!`), written out here: change them with `admin::audience`
    // and `rights::subject_export`.
    let by_hand = [
        (
            "AudienceExport",
            json!({"type": "object", "required": ["site", "purpose", "channel", "members"], "properties": {
            "site": {"type": "string"}, "purpose": {"type": "string"},
            "channel": {"$ref": "#/components/schemas/Channel"},
            "members": {"type": "array", "items": {"$ref": "#/components/schemas/AudienceMember"}}}}),
        ),
        (
            "SubjectExport",
            json!({
                "type": "object",
                "description": "Everything held about one person (`format`: consent-subject-export/v1).",
                "required": ["format", "exported_at", "organisation", "site", "subject", "restricted",
                             "suppressed", "first_seen", "last_changed", "current_choices", "history"],
                "properties": {
                    "format": {"type": "string", "const": "consent-subject-export/v1"},
                    "exported_at": {"type": "string"},
                    "organisation": {"$ref": "#/components/schemas/Organisation"},
                    "site": {"type": "string"},
                    "email": {"type": ["string", "null"]},
                    "name": {"type": ["string", "null"]},
                    "subject": {"type": "string"},
                    "restricted": {"type": "boolean"},
                    "suppressed": {"type": "boolean"},
                    "first_seen": {"type": "string"},
                    "last_changed": {"type": "string"},
                    "current_choices": {"type": "array", "items": {"type": "object",
                        "required": ["purpose", "channel", "action", "event_id", "updated_at"],
                        "properties": {"purpose": {"type": "string"}, "channel": {"$ref": "#/components/schemas/Channel"},
                            "action": {"$ref": "#/components/schemas/Action"}, "event_id": {"type": "string"},
                            "updated_at": {"type": "string"}}}},
                    "history": {"type": "array", "items": {"allOf": [
                        {"$ref": "#/components/schemas/ConsentEvent"},
                        {"type": "object", "required": ["wording"], "properties": {"wording": {
                            "description": "the exact words shown, when the site still has them",
                            "oneOf": [{"type": "null"}, {"type": "object", "required": ["label", "text"],
                                "properties": {"label": {"type": "string"}, "text": {"type": "string"}}}]}}}
                    ]}},
                    "requests_and_complaints": {"type": "array", "description": "the person's entries in the register of rights requests and complaints (no staff notes)",
                        "items": {"type": "object",
                        "required": ["reference", "kind", "arrival", "received_on", "status"],
                        "properties": {"reference": {"type": "string"}, "kind": {"type": "string"},
                            "arrival": {"type": "string"}, "received_on": {"type": "string", "format": "date"},
                            "status": {"type": "string"},
                            "acknowledged_on": {"type": ["string", "null"], "format": "date"},
                            "extended_on": {"type": ["string", "null"], "format": "date"},
                            "closed_on": {"type": ["string", "null"], "format": "date"}}}}
                }
            }),
        ),
    ];
    for (name, value) in by_hand {
        schemas.push((name.to_string(), schema(value)));
    }
    ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(
            "adminKey",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("ADMIN_KEY: break-glass, every use recorded in the audit trail"))
                    .build(),
            ),
        )
        .security_scheme(
            "apiKey",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key of the site, `ck_<prefix>_<secret>`, with the operation's scope",
                    ))
                    .build(),
            ),
        )
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "__Host-consent_session",
                    "The console session (`consent_session` on a loopback origin), from /admin/sign-in",
                ),
            )),
        )
        .build()
}

mod accounts;
mod complaints;
use accounts::*;
use complaints::*;

#[cfg(test)]
mod tests;
