//! Talking to the worker: `GET …/config` and `POST …/consents` over the browser's `fetch`.
//!
//! URL building and error-message mapping are pure (tested natively); the `fetch` calls exist only
//! on wasm32. Every failure becomes one readable sentence for the form's alert region.

use crate::i18n::{Lang, Text};

/// Shown when the request never got an HTTP answer (offline, DNS, CORS refusal, …).
pub const NETWORK_FAILURE: Text = Text::NetworkFailure;
/// Shown when a 2xx answer is not the JSON we expect.
pub const UNREADABLE: Text = Text::Unreadable;

/// `{api_base}/api/v1/sites/{site}/config`, with `?lang=` when a language was asked for.
pub fn config_url(api_base: &str, site: &str, lang: Option<&str>) -> String {
    let mut url = site_url(api_base, site, "/config");
    if let Some(lang) = lang.filter(|l| !l.is_empty()) {
        url.push_str("?lang=");
        url.push_str(&percent_encode(lang));
    }
    url
}

/// `{api_base}/api/v1/sites/{site}/consents`.
pub fn consents_url(api_base: &str, site: &str) -> String {
    site_url(api_base, site, "/consents")
}

/// `{api_base}/api/v1/sites/{site}/cookie-consents`.
pub fn cookie_consents_url(api_base: &str, site: &str) -> String {
    site_url(api_base, site, "/cookie-consents")
}

fn site_url(api_base: &str, site: &str, tail: &str) -> String {
    let mut url = String::from(api_base.trim_end_matches('/'));
    url.push_str("/api/v1/sites/");
    url.push_str(site);
    url.push_str(tail);
    url
}

/// The message for a non-2xx answer: the server's `error.message` (from its `ErrorBody`) when
/// there is one, otherwise a generic sentence naming the status.
pub fn error_text(status: u16, server_message: Option<String>, lang: Lang) -> String {
    match server_message {
        Some(message) if !message.trim().is_empty() => message,
        _ => {
            let mut text = String::from(lang.t(Text::HttpErrorBefore));
            text.push_str(&status.to_string());
            text.push_str(lang.t(Text::HttpErrorAfter));
            text
        }
    }
}

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
pub use http::{fetch_site_config, post_cookie_decision, post_submission};

#[cfg(target_arch = "wasm32")]
mod http {
    use std::cell::RefCell;

    use super::{error_text, NETWORK_FAILURE, UNREADABLE};
    use crate::i18n::Lang;
    use crate::json;
    use consent_shared::api::v1::{CookieDecision, SiteConfig};
    use js_sys::Promise;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::{future_to_promise, JsFuture};
    use web_sys::{Headers, Request, RequestCredentials, RequestInit, RequestMode, Response};

    thread_local! {
        /// One request per configuration URL per page: the banner and every form share it.
        static CONFIGS: RefCell<Vec<(String, Promise)>> = const { RefCell::new(Vec::new()) };
    }

    /// The site's configuration, fetched once per page (a failure is forgotten, so a later call
    /// tries again).
    pub async fn fetch_site_config(url: &str, lang: Lang) -> Result<SiteConfig, String> {
        let promise = CONFIGS.with(|c| {
            let mut c = c.borrow_mut();
            if let Some((_, p)) = c.iter().find(|(u, _)| u == url) {
                return p.clone();
            }
            let owned = url.to_owned();
            let p = future_to_promise(async move {
                let init = RequestInit::new();
                init.set_method("GET");
                send(&owned, &init, lang).await.map(JsValue::from).map_err(JsValue::from)
            });
            c.push((url.to_owned(), p.clone()));
            p
        });
        let answer = JsFuture::from(promise).await;
        let body = match answer {
            Ok(body) => body.as_string().unwrap_or_default(),
            Err(message) => {
                CONFIGS.with(|c| c.borrow_mut().retain(|(u, _)| u != url));
                return Err(message.as_string().unwrap_or_default());
            }
        };
        json::site_config(&body).ok_or_else(|| lang.t(UNREADABLE).to_owned())
    }

    /// Posts a submission (already written as JSON) under an idempotency key; returns the
    /// receipt's `recorded_at`.
    pub async fn post_submission(
        url: &str,
        body: &str,
        idempotency_key: &str,
        lang: Lang,
    ) -> Result<String, Failure> {
        let refused = |message: String| Failure { message, retryable: false };
        let init = post(body, lang).map_err(refused)?;
        init.headers_set("Idempotency-Key", idempotency_key, lang).map_err(refused)?;
        let body = send_classified(url, &init.0, lang).await?;
        json::recorded_at(&body).ok_or_else(|| refused(lang.t(UNREADABLE).to_owned()))
    }

    /// Posts a banner decision with `keepalive`, so it is delivered even when the decision
    /// navigates away or activates scripts that do.
    pub async fn post_cookie_decision(url: &str, decision: &CookieDecision) -> Result<(), String> {
        let init = post(&json::cookie_decision_to_json(decision), Lang::En)?;
        let _ = js_sys::Reflect::set(&init.0, &"keepalive".into(), &JsValue::TRUE);
        send(url, &init.0, Lang::En).await.map(drop)
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
    /// returns the body of a 2xx answer, or the message to show.
    async fn send(url: &str, init: &RequestInit, lang: Lang) -> Result<String, String> {
        send_classified(url, init, lang).await.map_err(|f| f.message)
    }

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
            Err(Failure { message, retryable: response.status() >= 500 })
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
        expect!["https://c.example/api/v1/sites/demo/cookie-consents"]
            .assert_eq(&cookie_consents_url("https://c.example/", "demo"));
    }

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
}
