//! The operations of issue 11: people, roles and API keys (`/api/v1/admin/sites/{site}/owners|people|keys`)
//! and the console's sign-in pages (`/admin…`).

use super::*;

pub(super) fn admin_owners() -> OperationBuilder {
    op("admin", "Bootstrap: make an address an owner of the site (ADMIN_KEY only; recorded)")
        .description(Some(
            "For the first owner of a site (or to recover one). Owners then add everyone else with \
             `POST …/people`; the person signs in at /admin/sign-in.",
        ))
        .security(SecurityRequirement::new("adminKey", Vec::<String>::new()))
        .parameter(site_param())
        .request_body(Some(json_body("OwnerRequest")))
        .response("200", json_ok("the owner", schema_ref("PersonView")))
        .response("400", error("`bad_json`, or a malformed address"))
        .response(
            "401",
            unauthorized("`unauthorized`: not the ADMIN_KEY (API keys and sessions cannot bootstrap)"),
        )
        .response("404", error("`not_found`: unknown site"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("503", admin_off())
}

pub(super) fn people_list() -> OperationBuilder {
    admin(Action::ManagePeople, "Everyone with a role on the site")
        .response("200", json_ok("people (`Cache-Control: no-store`)", schema_ref("People")))
        .response("404", error("`not_found`: unknown site"))
        .response("503", admin_off())
}

pub(super) fn people_add() -> OperationBuilder {
    admin(Action::ManagePeople, "Give a person (by email) a role on the site; they sign in at /admin/sign-in")
        .request_body(Some(json_body("PersonRequest")))
        .response("201", json_ok("the person", schema_ref("PersonView")))
        .response("400", error("`bad_json`, or a malformed address"))
        .response("404", error("`not_found`: unknown site"))
        .response("409", error("`already_exists`: they have a role here already (change it with PUT)"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("503", admin_off())
}

pub(super) fn person_param() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("person_id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(string())
        .build()
}

pub(super) fn person_put() -> OperationBuilder {
    admin(Action::ManagePeople, "Change a person's role; lowering it ends their sessions at once")
        .parameter(person_param())
        .request_body(Some(json_body("RoleChange")))
        .response("200", json_ok("the person", schema_ref("PersonView")))
        .response("400", error("`bad_json`: not a role"))
        .response("404", error("`not_found`: unknown site, or the person has no role here"))
        .response("409", error("`last_owner`: the site keeps at least one owner"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("503", admin_off())
}

pub(super) fn person_delete() -> OperationBuilder {
    admin(Action::ManagePeople, "Remove a person's role on the site; their sessions end at once")
        .parameter(person_param())
        .response("200", json_ok("removed", schema_ref("PersonRemoved")))
        .response("404", error("`not_found`: unknown site, or the person has no role here"))
        .response("409", error("`last_owner`: the site keeps at least one owner"))
        .response("503", admin_off())
}

pub(super) fn keys_list() -> OperationBuilder {
    admin(Action::ManagePeople, "The site's API keys (never their secrets)")
        .response("200", json_ok("keys (`Cache-Control: no-store`)", schema_ref("Keys")))
        .response("404", error("`not_found`: unknown site"))
        .response("503", admin_off())
}

pub(super) fn keys_create() -> OperationBuilder {
    admin(Action::ManagePeople, "Create an API key for the site; its secret is in this answer only")
        .request_body(Some(json_body("KeyRequest")))
        .response(
            "201",
            json_ok("the key and its secret (`Cache-Control: no-store`)", schema_ref("CreatedKey")),
        )
        .response(
            "400",
            error("`bad_json`, an unknown scope, no scopes, a bad name, or an expiry not in the future"),
        )
        .response("404", error("`not_found`: unknown site"))
        .response("413", too_large())
        .response("415", error("`unsupported_media_type`: Content-Type must be application/json"))
        .response("503", admin_off())
}

pub(super) fn key_revoke() -> OperationBuilder {
    admin(Action::ManagePeople, "Revoke an API key at once")
        .parameter(
            ParameterBuilder::new()
                .name("prefix")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("the key's visible prefix, `ck_…` as listed"))
                .schema(string())
                .build(),
        )
        .response("200", json_ok("the revoked key", schema_ref("KeyView")))
        .response("404", error("`not_found`: unknown site, or no live key with this prefix"))
        .response("503", admin_off())
}

pub(super) fn console_page_op(summary: &str) -> OperationBuilder {
    op("console", summary).parameter(lang_query_page()).response(
        "503",
        html("link features (keys, PUBLIC_ORIGIN) or email are not set up, or storage failed"),
    )
}

pub(super) fn see_other_to(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .header("Location", HeaderBuilder::new().schema(schema(json!({"type": "string"}))).build())
        .header("Set-Cookie", HeaderBuilder::new().schema(schema(json!({"type": "string"}))).build())
        .build()
}

pub(super) fn csrf_form(extra: Value, required: &[&str]) -> utoipa::openapi::request_body::RequestBody {
    let mut properties = json!({"csrf": {"type": "string"}, "lang": lang_values()});
    if let (Some(p), Some(e)) = (properties.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content("application/x-www-form-urlencoded", form(properties, required))
        .build()
}

pub(super) fn console_home() -> OperationBuilder {
    console_page_op("The console's landing page: your sites and roles, sign out, sign out everywhere")
        .response("200", html("signed in"))
        .response("303", see_other_to("no live session: to /admin/sign-in"))
}

pub(super) fn sign_in_page() -> OperationBuilder {
    console_page_op("Sign-in form: an email address").response("200", html("the form"))
}

pub(super) fn sign_in_post() -> OperationBuilder {
    console_page_op("Mails a single-use sign-in link (15 minutes) if the address has an account; the same answer either way")
        .request_body(Some(csrf_form(json!({"email": {"type": "string"}}), &["csrf", "email"])))
        .response("200", html("'if this address has an account, a link is on its way'"))
        .response("403", html("cross-site or expired form"))
        .response("413", too_large())
        .response("422", html("not an email address"))
        .response("429", rate_limited_page())
}

pub(super) fn token_param() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("token")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some("the sign-in link's token, as mailed"))
        .schema(string())
        .build()
}

pub(super) fn sign_in_link_page() -> OperationBuilder {
    console_page_op("The sign-in link's page: a button (opening the link signs nobody in)")
        .parameter(token_param())
        .response("200", html("the button"))
}

pub(super) fn sign_in_link_post() -> OperationBuilder {
    console_page_op("Uses the link once and starts a session (cookie `__Host-consent_session`)")
        .parameter(token_param())
        .request_body(Some(csrf_form(json!({}), &["csrf"])))
        .response("303", see_other_to("signed in: to /admin, with the session cookie"))
        .response("403", html("cross-site or expired form, or the person no longer has a role"))
        .response("404", html("not a link we sent; a button asks for a new one"))
        .response("410", html("used or expired link; a button asks for a new one"))
        .response("413", too_large())
        .response("429", rate_limited_page())
}

pub(super) fn sign_out(everywhere: bool) -> OperationBuilder {
    let summary = if everywhere {
        "Ends every session of the signed-in person, on every device"
    } else {
        "Ends this session"
    };
    console_page_op(summary)
        .request_body(Some(csrf_form(json!({}), &["csrf"])))
        .response("200", html("signed out (the cookie is cleared)"))
        .response("303", see_other_to("no session: to /admin/sign-in"))
        .response("403", html("cross-site or expired form"))
        .response("413", too_large())
}

/// The per-site console pages (`app::console_site`): which sections exist comes from the code.
pub(super) fn console_site_page(method: &str, with_section: bool, with_item: bool) -> OperationBuilder {
    let mut op = console_page_op(&format!(
        "{method} a console page of one site (signed-in people with a role that may use it)"
    ))
    .parameter(site_param());
    if with_section {
        let slugs: Vec<&str> = crate::app::console_site::Section::ALL
            .iter()
            .map(|s| s.slug())
            .filter(|s| !s.is_empty())
            .collect();
        let section = if slugs.is_empty() {
            json!({"type": "string", "maxLength": 40})
        } else {
            json!({"type": "string", "enum": slugs})
        };
        op = op.parameter(path_param("section", schema(section)));
    }
    if with_item {
        let mut item = path_param("item", schema(json!({"type": "string", "maxLength": 200})));
        item.description = Some(
            "a page within the section, e.g. `embed/live` (the live preview of the real widget) or \
             `embed/copy.js` (the Embed page's copy buttons, `text/javascript`)"
                .into(),
        );
        op = op.parameter(item);
    }
    if method == "POST" {
        // Import and Suppressions also take their CSV as a file (`csv_file`, `addresses_file`).
        let binary = json!({"type": "string", "format": "binary"});
        let upload = json!({"csrf": {"type": "string"}, "lang": lang_values(),
            "csv_file": binary, "addresses_file": binary});
        let mut body = csrf_form(json!({}), &["csrf"]);
        body.content.insert("multipart/form-data".into(), form(upload, &["csrf"]));
        op = op.request_body(Some(body)).response("413", too_large());
    }
    op.response("200", html("the page"))
        .response("303", see_other_to("no live session: to /admin/sign-in; or where a completed form leads"))
        .response("400", html("a form that is not what the page expects"))
        .response("403", html("no role on this site, a role that may not use this page, or an expired form"))
        .response("404", html("no such page"))
        .response("405", html("a method the page does not take"))
        .response("422", html("the form, with each error beside its field"))
}

fn path_param(name: &str, schema: RefOr<Schema>) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema))
        .build()
}

pub(super) fn console_new_site(post: bool) -> OperationBuilder {
    if !post {
        return console_page_op("The form to create a site (people who own a site)")
            .response("200", html("the form"))
            .response("303", see_other_to("no live session: to /admin/sign-in"))
            .response("403", html("the person owns no site"));
    }
    let fields = json!({
        "site_id": {"type": "string"}, "name": {"type": "string"}, "contact_email": {"type": "string"},
        "postal_address": {"type": "string"}, "privacy_notice_url": {"type": "string"},
        "cookie_policy_url": {"type": "string"}, "charity_number": {"type": "string"},
        "allowed_origins": {"type": "string", "description": "one origin per line"},
        "default_lang": {"type": "string"}, "double_opt_in": {"type": "string", "enum": ["on"]},
        "region_uk": {"type": "string", "enum": ["uk", "eu"]}, "region_eea": {"type": "string", "enum": ["uk", "eu"]},
        "region_other": {"type": "string", "enum": ["uk", "eu"]}
    });
    console_page_op(
        "Creates a site with the signed-in person as its owner (one batch; a taken id changes nothing)",
    )
    .request_body(Some(csrf_form(fields, &["csrf", "site_id"])))
    .response(
        "303",
        see_other_to("created: to the new site's settings; or no live session: to /admin/sign-in"),
    )
    .response("403", html("the person owns no site, or a cross-site or expired form"))
    .response("413", too_large())
    .response("422", html("the form again, each error beside its field; nothing stored"))
}
