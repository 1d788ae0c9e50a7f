//! Talking to the worker from the opt-in form: `POST …/consents` over the browser's `fetch`.
//!
//! The configuration is fetched (once per page) and decisions are posted by the JavaScript around
//! the wasm (`js/ui.js`, `js/host.js`). Error-message mapping is pure (tested natively); the
//! `fetch` call exists only in the wasm with the `forms` feature. Every failure becomes one
//! readable sentence for the form's alert region.

use crate::i18n::{FormText, Lang};

/// Shown when the request never got an HTTP answer (offline, DNS, CORS refusal, …).
pub const NETWORK_FAILURE: FormText = FormText::NetworkFailure;
/// Shown when a 2xx answer is not the JSON we expect.
pub const UNREADABLE: FormText = FormText::Unreadable;

/// The message for a non-2xx answer: the server's `error.message` (from its `ErrorBody`) when
/// there is one, otherwise a generic sentence naming the status.
pub fn error_text(status: u16, server_message: Option<String>, lang: Lang) -> String {
    match server_message {
        Some(message) if !message.trim().is_empty() => message,
        _ => {
            let mut text = String::from(lang.t(FormText::HttpErrorBefore));
            crate::json::push_u32(&mut text, u32::from(status));
            text.push_str(lang.t(FormText::HttpErrorAfter));
            text
        }
    }
}

/// Whether a refused submission is worth keeping to resend later (the offline queue): a timeout,
/// a rate limit or a server error may pass next time; a 503 `unavailable` (a double opt-in site
/// that cannot send mail) and every other 4xx will not. `js/sender.js` applies the same rule.
pub fn worth_resending(status: u16, error_code: Option<&str>) -> bool {
    matches!(status, 408 | 429) || (status >= 500 && error_code != Some("unavailable"))
}

#[cfg(all(target_arch = "wasm32", feature = "forms"))]
pub use http::post_submission;

#[cfg(all(target_arch = "wasm32", feature = "forms"))]
mod http {
    use super::{error_text, worth_resending, NETWORK_FAILURE, UNREADABLE};
    use crate::i18n::Lang;
    use crate::json;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Headers, Request, RequestCredentials, RequestInit, RequestMode, Response};

    /// Posts a submission (already written as JSON) under an idempotency key; returns the
    /// receipt's `recorded_at`, and whether a consent awaits confirmation by email.
    pub async fn post_submission(
        url: &str,
        body: &str,
        idempotency_key: &str,
        lang: Lang,
    ) -> Result<(String, bool), Failure> {
        let refused = |message: String| Failure { message, retryable: false };
        let init = post(body, lang).map_err(refused)?;
        init.headers_set("Idempotency-Key", idempotency_key, lang).map_err(refused)?;
        if let Some(credential) = crate::host::preview() {
            init.headers_set("Consent-Preview", &credential, lang).map_err(refused)?;
        }
        let body = send_classified(url, &init.0, lang).await?;
        let recorded_at = json::recorded_at(&body).ok_or_else(|| refused(lang.t(UNREADABLE).to_owned()))?;
        Ok((recorded_at, json::awaiting_confirmation(&body)))
    }

    struct Post(RequestInit, Headers);

    impl Post {
        fn headers_set(&self, name: &str, value: &str, lang: Lang) -> Result<(), String> {
            self.1.set(name, value).map_err(|_| lang.t(NETWORK_FAILURE).to_owned())
        }
    }

    fn post(body: &str, lang: Lang) -> Result<Post, String> {
        let headers = Headers::new().map_err(|_| lang.t(NETWORK_FAILURE).to_owned())?;
        let post = Post(RequestInit::new(), headers);
        post.headers_set("Content-Type", "application/json", lang)?;
        post.0.set_method("POST");
        post.0.set_headers(&post.1);
        post.0.set_body(&JsValue::from_str(body));
        Ok(post)
    }

    /// Why a request got no usable answer, and whether sending it again later may succeed
    /// (no connection, or a server fault) or not (the server refused it).
    pub struct Failure {
        pub message: String,
        pub retryable: bool,
    }

    /// Sends cross-origin and never with cookies (the widget runs on other people's pages);
    /// returns the body of a 2xx answer, or why there is none.
    async fn send_classified(url: &str, init: &RequestInit, lang: Lang) -> Result<String, Failure> {
        let offline = |_| Failure { message: lang.t(NETWORK_FAILURE).to_owned(), retryable: true };
        init.set_mode(RequestMode::Cors);
        init.set_credentials(RequestCredentials::Omit);
        let request = Request::new_with_str_and_init(url, init).map_err(offline)?;
        let window = web_sys::window().ok_or_else(|| offline(JsValue::NULL))?;
        let response: Response =
            JsFuture::from(window.fetch_with_request(&request)).await.map_err(offline)?.unchecked_into();
        let body = JsFuture::from(response.text().map_err(offline)?)
            .await
            .map_err(offline)?
            .as_string()
            .unwrap_or_default();
        if response.ok() {
            Ok(body)
        } else {
            let message = error_text(response.status(), json::error_message(&body), lang);
            let retryable = worth_resending(response.status(), json::error_code(&body).as_deref());
            Err(Failure { message, retryable })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn server_messages_are_shown_and_anything_else_is_generic() {
        let server = |m: &str| Some(m.to_owned());
        expect!["That email address does not look right."].assert_eq(&error_text(
            422,
            server("That email address does not look right."),
            Lang::Cy,
        ));
        expect!["The server could not take your answer (HTTP 502). Please try again later."]
            .assert_eq(&error_text(502, None, Lang::En));
        expect!["The server could not take your answer (HTTP 500). Please try again later."]
            .assert_eq(&error_text(500, server(" "), Lang::En));
        expect!["Nid oedd modd i'r gweinydd dderbyn eich ateb (HTTP 503). Rhowch gynnig arall arni yn nes ymlaen."]
            .assert_eq(&error_text(503, None, Lang::Cy));
    }

    #[test]
    fn what_is_worth_resending_as_data() {
        let cases = [
            (400, Some("bad_json")),
            (403, Some("origin_not_allowed")),
            (404, None),
            (408, None),
            (409, Some("conflict")),
            (422, Some("invalid_submission")),
            (429, Some("rate_limited")),
            (500, Some("internal")),
            (502, None),
            (503, None),
            (503, Some("unavailable")),
        ];
        let shown: String = cases
            .iter()
            .map(|(status, code)| format!("{status} {code:?}: {}\n", worth_resending(*status, *code)))
            .collect();
        expect![[r#"
            400 Some("bad_json"): false
            403 Some("origin_not_allowed"): false
            404 None: false
            408 None: true
            409 Some("conflict"): false
            422 Some("invalid_submission"): false
            429 Some("rate_limited"): true
            500 Some("internal"): true
            502 None: true
            503 None: true
            503 Some("unavailable"): false
        "#]]
        .assert_eq(&shown);
    }
}
