//! Consent widget: the embeddable opt-in form, compiled to wasm32 and started by `loader/widget.js`.
//!
//! [`state`], the URL/error parts of [`api`] and the JSON writer in [`json`] are plain Rust,
//! tested natively. The DOM side
//! (leptos components and the `mount` entry point) only exists on wasm32.

pub mod api;
pub mod json;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod components;

#[cfg(target_arch = "wasm32")]
pub use entry::mount;

#[cfg(target_arch = "wasm32")]
mod entry {
    use consent_shared::site::is_valid_site_id;
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use web_sys::HtmlElement;

    use crate::api;
    use crate::components::opt_in_form::OptInForm;

    /// Marks an element the widget has already taken over, so a second `mount` leaves it alone.
    const MOUNTED: &str = "data-consent-mounted";

    /// Renders the opt-in form into every `[data-consent-form]` element on the page.
    ///
    /// Fetches `{api_base}/api/v1/sites/{site}/config[?lang=…]` once; until it answers the
    /// elements are left as they are. On failure each element shows a short error instead.
    #[wasm_bindgen]
    pub fn mount(site: String, api_base: String, lang: Option<String>) {
        let targets = form_targets();
        if targets.is_empty() {
            return;
        }
        if !is_valid_site_id(&site) {
            show_error(targets, "this page names an unknown site.".to_owned());
            return;
        }
        let config_url = api::config_url(&api_base, &site, lang.as_deref());
        let consents_url = api::consents_url(&api_base, &site);
        wasm_bindgen_futures::spawn_local(async move {
            match api::fetch_config(&config_url).await {
                Ok(config) => {
                    for (instance, element) in targets.into_iter().enumerate() {
                        let config = config.clone();
                        let consents_url = consents_url.clone();
                        element.set_text_content(None);
                        mount_to(element, move || {
                            view! { <OptInForm config consents_url instance /> }
                        })
                        .forget();
                    }
                }
                Err(message) => show_error(targets, message),
            }
        });
    }

    /// Every `[data-consent-form]` element not yet taken over, now marked as taken.
    fn form_targets() -> Vec<HtmlElement> {
        let Ok(nodes) = document().query_selector_all("[data-consent-form]") else {
            return Vec::new();
        };
        (0..nodes.length())
            .filter_map(|i| nodes.item(i)?.dyn_into::<HtmlElement>().ok())
            .filter(|el| !el.has_attribute(MOUNTED) && el.set_attribute(MOUNTED, "").is_ok())
            .collect()
    }

    fn show_error(targets: Vec<HtmlElement>, message: String) {
        for element in targets {
            let message = message.clone();
            element.set_text_content(None);
            mount_to(element, move || {
                view! {
                    <p class="consent-form-error" role="alert" data-consent-status="error">
                        "Sorry, the sign-up form could not be loaded: " {message}
                    </p>
                }
            })
            .forget();
        }
    }
}
