//! The operations of issue 14's complaint pages: the public form `/complaints/{site}` and the
//! status page behind the acknowledgement's signed link `/complaint-status/{token}`.

use super::*;

pub(super) fn complaints_page() -> OperationBuilder {
    complaints_op("Complaint form: complain about how the organisation uses your personal data")
        .parameter(
            ParameterBuilder::new()
                .name("received")
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(
                    "after a post: the reference to show (the page says the complaint was received)",
                ))
                .schema(string())
                .build(),
        )
        .response(
            "200",
            html("the form, or (with `received`) the page confirming a complaint with its reference"),
        )
}

pub(super) fn complaints_post() -> OperationBuilder {
    complaints_op(
        "Records a complaint in the register and mails an acknowledgement with its reference and status link; \
         the answer is the same whether or not the address is on the list",
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
                        "name": {"type": "string", "maxLength": 200},
                        "email": {"type": "string"},
                        "complaint": {"type": "string", "maxLength": consent_shared::register::MAX_TEXT_CHARS}
                    }),
                    &["csrf", "email", "complaint"],
                ),
            )
            .build(),
    ))
    .response("303", see_other("Recorded: to `?received={reference}`"))
    .response("403", html("cross-site or expired form, nothing recorded (what was typed is kept)"))
    .response("413", too_large())
    .response("415", html("not a form post (application/x-www-form-urlencoded), nothing recorded"))
    .response("422", html("errors beside the fields (no text, text too long, bad address, bad name), nothing recorded"))
    .response("429", rate_limited_page())
}

fn complaints_op(summary: &str) -> OperationBuilder {
    op("complaints", summary)
        .parameter(site_param())
        .parameter(lang_query_page())
        .response("404", html("unknown site"))
        .response("503", html("link features are not configured, or storage failed; nothing recorded"))
}

pub(super) fn complaint_status_page() -> OperationBuilder {
    op(
        "complaints",
        "Where one complaint stands: reference, received and acknowledged dates, status and, once answered, the reply",
    )
    .parameter(token_param("the signed link of the acknowledgement email (site and reference; valid two years)"))
    .parameter(lang_query_page())
    .response("200", html("the complaint's status (`Cache-Control: no-store`)"))
    .response("404", html("a link that cannot be used (forged, altered, expired, unknown): the same page whatever the cause"))
    .response("405", html("only GET"))
    .response("503", html("link features are off, or storage failed"))
}
