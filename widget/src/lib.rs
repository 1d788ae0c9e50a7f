//! Consent widget: the embeddable cookie banner and opt-in form, compiled to wasm32 and started by
//! `loader/widget.js` through the small JavaScript modules in `js/`.
//!
//! It is built twice: without features it is the banner and preferences dialog only (what a first
//! visit downloads); with the `forms` feature it also renders opt-in forms, and the loader fetches
//! that build instead on pages with a `[data-consent-form]`.
//!
//! [`state`] (the form), [`banner_state`] (the banner), [`i18n`] (English and Welsh strings), the
//! error texts of [`api`] and the JSON writers in [`json`] are plain Rust, tested natively. The
//! DOM side (leptos components, the calls into `js/host.js` and the entry points) only exists on
//! wasm32.

pub mod api;
pub mod banner_state;
pub mod i18n;
pub mod json;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
mod host;

#[cfg(target_arch = "wasm32")]
pub use entry::{banner, prepare_banner};
#[cfg(all(target_arch = "wasm32", feature = "forms"))]
pub use forms_entry::mount_forms;

#[cfg(target_arch = "wasm32")]
mod entry {
    use std::cell::RefCell;

    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

    use crate::components::banner::{Ui, CSS};
    use crate::i18n::Lang;
    use crate::json;

    /// The banner's host element; its open shadow root holds the banner and the dialog.
    const HOST_ID: &str = "consent-banner-host";

    /// Keeps page styles off the host box itself (inline `!important` wins over any page rule);
    /// custom properties (`--consent-*`) still inherit through it for theming.
    const HOST_STYLE: &str = "all:initial!important;display:block!important";

    thread_local! {
        static BANNER: RefCell<Option<Ui>> = const { RefCell::new(None) };
    }

    /// Adds the banner's host element and stylesheet to the page and reads `config`, without
    /// rendering anything yet: `js/ui.js` calls this a task before [`banner`], so that on a slow
    /// phone neither is one long task. Does nothing once done.
    ///
    /// `config` is the site's configuration as the browser parsed it, checked by `js/ui.js` (it
    /// has banner text and every field the banner reads has its type); `cookie_consents_url` is
    /// where decisions are posted.
    #[wasm_bindgen]
    pub fn prepare_banner(config: JsValue, cookie_consents_url: String, lang: Option<String>) {
        prepared(config, cookie_consents_url, lang);
    }

    fn prepared(config: JsValue, cookie_consents_url: String, lang: Option<String>) -> Option<Ui> {
        if let Some(ui) = BANNER.with(|b| b.borrow().clone()) {
            return Some(ui);
        }
        let config = json::banner_config(&config);
        let ui_lang = Lang::pick(lang.as_deref(), &config.lang);
        let Some(root) = mount_host(ui_lang) else {
            console_error("Consent widget: cannot add the cookie banner to this page.");
            return None;
        };
        let ui = Ui::new(config, cookie_consents_url, ui_lang, root);
        BANNER.with(|b| *b.borrow_mut() = Some(ui.clone()));
        Some(ui)
    }

    /// Shows the banner's first layer (`first_layer`) or opens the preferences dialog, with focus
    /// returning to `opener` when it closes; prepares and renders the banner first if this page
    /// has none yet (arguments as for [`prepare_banner`]).
    #[wasm_bindgen]
    pub fn banner(
        config: JsValue,
        cookie_consents_url: String,
        lang: Option<String>,
        first_layer: bool,
        opener: JsValue,
    ) {
        let Some(ui) = prepared(config, cookie_consents_url, lang) else { return };
        if !ui.mount_first_layer(first_layer) && first_layer {
            crate::host::show_layer(true);
        }
        if !first_layer {
            ui.open(opener.dyn_into::<HtmlElement>().ok());
        }
    }

    /// `<div id="consent-banner-host">` first in `<body>` (first in the tab order; its content is
    /// fixed-position or in the top layer, so nothing on the page moves), with an open shadow root
    /// holding the stylesheet and the element the banner is rendered into, which it returns.
    fn mount_host(lang: Lang) -> Option<HtmlElement> {
        let document = document();
        let body = document.body()?;
        let host = document.create_element("div").ok()?;
        host.set_id(HOST_ID);
        host.set_attribute("style", HOST_STYLE).ok()?;
        let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?;
        shadow.set_inner_html(&(String::from("<style>") + CSS + "</style>"));
        let container: HtmlElement = document.create_element("div").ok()?.unchecked_into();
        container.set_attribute("lang", lang.tag()).ok()?;
        shadow.append_child(&container).ok()?;
        body.prepend_with_node_1(&host).ok()?;
        Some(container)
    }

    pub(crate) fn console_error(message: &str) {
        web_sys::console::error_1(&message.into());
    }
}

/// The opt-in form's entry point, only in the wasm built with the `forms` feature.
#[cfg(all(target_arch = "wasm32", feature = "forms"))]
mod forms_entry {
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use web_sys::HtmlElement;

    use crate::components::opt_in_form::OptInForm;
    use crate::i18n::{FormText, Lang};
    use crate::state::FormConfig;
    use crate::{api, json};

    /// Marks an element the widget has already taken over, so a second `mount` leaves it alone.
    const MOUNTED: &str = "data-consent-mounted";

    /// Renders the opt-in form into every `[data-consent-form]` element on the page, or a short
    /// error in each when the configuration could not be had: `known` is false for an invalid
    /// site id, `status` is the config request's HTTP status (0: no answer), `config` the parsed
    /// body of a 2xx answer and `message` the server's `error.message` otherwise.
    #[wasm_bindgen]
    pub fn mount_forms(
        known: bool,
        status: Option<u16>,
        config: JsValue,
        message: Option<String>,
        consents_url: String,
        lang: Option<String>,
    ) {
        let targets = form_targets();
        if targets.is_empty() {
            return;
        }
        let asked = Lang::pick(lang.as_deref(), "");
        let site = match status {
            _ if !known => Err(asked.t(FormText::UnknownSite).to_owned()),
            Some(200..=299) => json::site_config(&config).ok_or_else(|| asked.t(api::UNREADABLE).to_owned()),
            Some(0) | None => Err(asked.t(api::NETWORK_FAILURE).to_owned()),
            Some(status) => Err(api::error_text(status, message, asked)),
        };
        match site {
            Ok(config) => {
                let lang = Lang::pick(lang.as_deref(), &config.lang);
                let config = FormConfig::from(config);
                for (instance, element) in targets.into_iter().enumerate() {
                    // The site owner says per form how people using it support the charity
                    // (`data-consent-context="donation"`): only such a form shows soft opt-in
                    // notices; the server checks the context again.
                    let context = element
                        .get_attribute("data-consent-context")
                        .and_then(|raw| consent_shared::api::v1::SupportContext::parse(raw.trim()));
                    let config = config.clone().for_form(context);
                    let consents_url = consents_url.clone();
                    element.set_text_content(None);
                    mount_to(element, move || {
                        view! { <OptInForm config consents_url instance lang /> }
                    })
                    .forget();
                }
            }
            Err(message) => show_error(targets, message, asked),
        }
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

    fn show_error(targets: Vec<HtmlElement>, message: String, lang: Lang) {
        for element in targets {
            let message = message.clone();
            element.set_text_content(None);
            mount_to(element, move || {
                view! {
                    <p class="consent-form-error" role="alert" data-consent-status="error">
                        {lang.t(FormText::FormLoadFailed)} {message}
                    </p>
                }
            })
            .forget();
        }
    }
}
