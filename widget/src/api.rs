//! Talking to the worker: `GET …/config` and `POST …/consents` over the browser's `fetch`.
//!
//! URL building and error-message mapping are pure (tested natively); the `fetch` calls exist only
//! on wasm32. Every failure becomes one readable sentence for the form's alert region.

/// Shown when the request never got an HTTP answer (offline, DNS, CORS refusal, …).
pub const NETWORK_FAILURE: &str =
    "We could not reach the server. Check your connection and press the button again.";

/// `{api_base}/api/v1/sites/{site}/config`, with `?lang=` when a language was asked for.
pub fn config_url(api_base: &str, site: &str, lang: Option<&str>) -> String {
    let mut url = format!("{}/api/v1/sites/{}/config", api_base.trim_end_matches('/'), site);
    if let Some(lang) = lang.filter(|l| !l.is_empty()) {
        url.push_str("?lang=");
        url.push_str(&percent_encode(lang));
    }
    url
}

/// `{api_base}/api/v1/sites/{site}/consents`.
pub fn consents_url(api_base: &str, site: &str) -> String {
    format!("{}/api/v1/sites/{}/consents", api_base.trim_end_matches('/'), site)
}

/// The message for a non-2xx answer: the server's `error.message` (from its `ErrorBody`) when
/// there is one, otherwise a generic sentence naming the status.
pub fn error_text(status: u16, server_message: Option<String>) -> String {
    match server_message {
        Some(message) if !message.trim().is_empty() => message,
        _ => format!("The server could not take your answer (HTTP {status}). Please try again later."),
    }
}

/// Shown when a 2xx answer is not the JSON we expect.
pub const UNREADABLE: &str = "The server sent an answer we could not read. Please try again later.";

/// Percent-encodes everything except RFC 3986 unreserved characters.
fn percent_encode(raw: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0x0f)] as char);
        }
    }
    out
}

#[cfg(target_arch = "wasm32")]
pub use http::{fetch_config, post_submission};

#[cfg(target_arch = "wasm32")]
mod http {
    use super::{error_text, NETWORK_FAILURE, UNREADABLE};
    use crate::json;
    use crate::state::FormConfig;
    use consent_shared::api::v1::ConsentSubmission;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Headers, Request, RequestCredentials, RequestInit, RequestMode, Response};

    /// Fetches what the form shows.
    pub async fn fetch_config(url: &str) -> Result<FormConfig, String> {
        let init = RequestInit::new();
        init.set_method("GET");
        let body = send(url, &init).await?;
        json::form_config(&body).ok_or_else(|| UNREADABLE.to_owned())
    }

    /// Posts a submission under an idempotency key; returns the receipt's `recorded_at`.
    pub async fn post_submission(
        url: &str,
        submission: &ConsentSubmission,
        idempotency_key: &str,
    ) -> Result<String, String> {
        let headers = Headers::new().map_err(|_| NETWORK_FAILURE.to_owned())?;
        headers
            .set("Content-Type", "application/json")
            .and_then(|()| headers.set("Idempotency-Key", idempotency_key))
            .map_err(|_| NETWORK_FAILURE.to_owned())?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&json::submission_to_json(submission)));
        let body = send(url, &init).await?;
        json::recorded_at(&body).ok_or_else(|| UNREADABLE.to_owned())
    }

    /// Sends cross-origin and never with cookies (the widget runs on other people's pages);
    /// returns the body of a 2xx answer, or the message to show.
    async fn send(url: &str, init: &RequestInit) -> Result<String, String> {
        init.set_mode(RequestMode::Cors);
        init.set_credentials(RequestCredentials::Omit);
        let network = |_| NETWORK_FAILURE.to_owned();
        let request = Request::new_with_str_and_init(url, init).map_err(network)?;
        let window = web_sys::window().ok_or_else(|| NETWORK_FAILURE.to_owned())?;
        let response: Response =
            JsFuture::from(window.fetch_with_request(&request)).await.map_err(network)?.unchecked_into();
        let body = JsFuture::from(response.text().map_err(network)?)
            .await
            .map_err(network)?
            .as_string()
            .unwrap_or_default();
        if response.ok() {
            Ok(body)
        } else {
            Err(error_text(response.status(), json::error_message(&body)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn urls() {
        expect!["https://c.example/api/v1/sites/demo/config"].assert_eq(&config_url(
            "https://c.example/",
            "demo",
            None,
        ));
        expect!["https://c.example/api/v1/sites/demo/config?lang=cy"].assert_eq(&config_url(
            "https://c.example",
            "demo",
            Some("cy"),
        ));
        expect!["https://c.example/api/v1/sites/demo/config"].assert_eq(&config_url(
            "https://c.example",
            "demo",
            Some(""),
        ));
        expect!["https://c.example/api/v1/sites/demo/config?lang=en%20GB%26x%3D1"].assert_eq(&config_url(
            "https://c.example",
            "demo",
            Some("en GB&x=1"),
        ));
        expect!["https://c.example/api/v1/sites/demo/consents"]
            .assert_eq(&consents_url("https://c.example", "demo"));
    }

    #[test]
    fn server_messages_are_shown_and_anything_else_is_generic() {
        let server = |m: &str| Some(m.to_owned());
        expect!["That email address does not look right."]
            .assert_eq(&error_text(422, server("That email address does not look right.")));
        expect!["The server could not take your answer (HTTP 502). Please try again later."]
            .assert_eq(&error_text(502, None));
        expect!["The server could not take your answer (HTTP 500). Please try again later."]
            .assert_eq(&error_text(500, server(" ")));
    }
}
