//! Consent widget: the embeddable opt-in form and cookie banner, compiled to wasm32 and started by
//! `loader/widget.js`.
//!
//! [`state`] (the form), [`banner_state`] (the banner), [`i18n`] (English and Welsh strings), the
//! URL/error parts of [`api`] and the JSON writers in [`json`] are plain Rust, tested natively. The
//! DOM side (leptos components, the loader bridge and the entry points) only exists on wasm32.

pub mod api;
pub mod banner_state;
pub mod i18n;
pub mod json;
pub mod state;

#[cfg(target_arch = "wasm32")]
mod bridge;
#[cfg(target_arch = "wasm32")]
pub mod components;

#[cfg(target_arch = "wasm32")]
pub use entry::{mount, open_settings, show_banner};

#[cfg(target_arch = "wasm32")]
mod entry {
    use std::cell::RefCell;

    use consent_shared::site::is_valid_site_id;
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

    use crate::api;
    use crate::banner_state::BannerConfig;
    use crate::components::banner::{CookieBanner, Ui, CSS};
    use crate::components::opt_in_form::OptInForm;
    use crate::i18n::{Lang, Text};
    use crate::state::FormConfig;

    /// Marks an element the widget has already taken over, so a second `mount` leaves it alone.
    const MOUNTED: &str = "data-consent-mounted";

    /// The banner's host element; its open shadow root holds the banner and the dialog.
    const HOST_ID: &str = "consent-banner-host";

    /// Keeps page styles off the host box itself (inline `!important` wins over any page rule);
    /// custom properties (`--consent-*`) still inherit through it for theming.
    const HOST_STYLE: &str = "all:initial!important;display:block!important";

    thread_local! {
        static BANNER: RefCell<Option<Ui>> = const { RefCell::new(None) };
    }

    /// Renders the opt-in form into every `[data-consent-form]` element on the page.
    ///
    /// Fetches `{api_base}/api/v1/sites/{site}/config[?lang=…]` once (shared with the banner);
    /// until it answers the elements are left as they are. On failure each element shows a short
    /// error instead.
    #[wasm_bindgen]
    pub fn mount(site: String, api_base: String, lang: Option<String>) {
        let targets = form_targets();
        if targets.is_empty() {
            return;
        }
        let asked = Lang::pick(lang.as_deref(), "");
        if !is_valid_site_id(&site) {
            show_error(targets, asked.t(Text::UnknownSite).to_owned(), asked);
            return;
        }
        let config_url = api::config_url(&api_base, &site, lang.as_deref());
        let consents_url = api::consents_url(&api_base, &site);
        wasm_bindgen_futures::spawn_local(async move {
            match api::fetch_site_config(&config_url, asked).await {
                Ok(config) => {
                    let lang = Lang::pick(lang.as_deref(), &config.lang);
                    let config = FormConfig::from(config);
                    for (instance, element) in targets.into_iter().enumerate() {
                        let config = config.clone();
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
        });
    }

    /// Shows the banner's first layer (the loader calls this when no decision is in force).
    #[wasm_bindgen]
    pub fn show_banner(site: String, api_base: String, lang: Option<String>) {
        with_banner(site, api_base, lang, true, |ui| ui.first_layer.set(true));
    }

    /// Opens the preferences dialog (the reopen button, `[data-consent-open]`). Focus returns to
    /// the element that had it when this was called.
    #[wasm_bindgen]
    pub fn open_settings(site: String, api_base: String, lang: Option<String>) {
        let opener = focused_element().and_then(|e| e.dyn_into::<HtmlElement>().ok());
        with_banner(site, api_base, lang, false, move |ui| ui.open(opener));
    }

    /// Runs `then` on the banner, mounting it first (after fetching the configuration) if this
    /// page has none yet.
    fn with_banner(
        site: String,
        api_base: String,
        lang: Option<String>,
        first_layer: bool,
        then: impl FnOnce(&Ui) + 'static,
    ) {
        if let Some(ui) = BANNER.with(|b| b.borrow().clone()) {
            then(&ui);
            return;
        }
        if !is_valid_site_id(&site) {
            console_error("Consent widget: this page names an unknown site.");
            return;
        }
        let config_url = api::config_url(&api_base, &site, lang.as_deref());
        let cookie_url = api::cookie_consents_url(&api_base, &site);
        wasm_bindgen_futures::spawn_local(async move {
            let config = match api::fetch_site_config(&config_url, Lang::pick(lang.as_deref(), "")).await {
                Ok(config) => config,
                Err(message) => {
                    console_error(
                        &(String::from("Consent widget: cannot load the cookie banner: ") + &message),
                    );
                    return;
                }
            };
            let ui = match BANNER.with(|b| b.borrow().clone()) {
                // Another call mounted it while this one waited for the configuration.
                Some(ui) => ui,
                None => {
                    let ui_lang = Lang::pick(lang.as_deref(), &config.lang);
                    let Some(config) = BannerConfig::from_site(config) else {
                        console_error("Consent widget: this site has no cookie banner text.");
                        return;
                    };
                    let Some(ui) = mount_banner(Ui::new(config, cookie_url, first_layer), ui_lang) else {
                        console_error("Consent widget: cannot add the cookie banner to this page.");
                        return;
                    };
                    BANNER.with(|b| *b.borrow_mut() = Some(ui.clone()));
                    ui
                }
            };
            then(&ui);
        });
    }

    /// `<div id="consent-banner-host">` first in `<body>` (first in the tab order; its content is
    /// fixed-position or in the top layer, so nothing on the page moves), with an open shadow root
    /// holding the stylesheet and the banner.
    fn mount_banner(ui: Ui, lang: Lang) -> Option<Ui> {
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
        let handle = ui.clone();
        mount_to(container, move || view! { <CookieBanner ui=handle lang /> }).forget();
        Some(ui)
    }

    /// The element with focus, looking inside open shadow roots (the loader's reopen button is in
    /// one; `document.activeElement` only names its host).
    fn focused_element() -> Option<web_sys::Element> {
        let mut focused = document().active_element()?;
        while let Some(inner) = focused.shadow_root().and_then(|root| root.active_element()) {
            focused = inner;
        }
        Some(focused)
    }

    fn console_error(message: &str) {
        web_sys::console::error_1(&message.into());
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
                        {lang.t(Text::FormLoadFailed)} {message}
                    </p>
                }
            })
            .forget();
        }
    }
}
