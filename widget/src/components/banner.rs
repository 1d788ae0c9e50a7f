//! The cookie banner: a first layer (who, why, links, Accept all / Reject all / Choose — the
//! first two identical in element, class and size) and a modal preferences dialog listing every
//! category, with strictly necessary ones shown ticked, disabled and "Always on".
//!
//! Both live in one shadow root on `#consent-banner-host`; [`Ui`] is the handle `show_banner` and
//! `open_settings` use. Stable selectors (the browser tests use them): `[data-consent-banner]`,
//! `button[data-consent-action=accept|reject|choose|save|close]`, `dialog[data-consent-dialog]`,
//! `input[name="category:<key>"]`, `a[data-consent-link=cookie-policy|privacy-notice]`.

use std::sync::Arc;

use leptos::html::Dialog;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::banner_state::{consent_id, decide, record, Action, BannerConfig, Selection};
use crate::host;
use crate::i18n::{Lang, Text};
use crate::json::{cookie_decision_to_json, push_u32};

/// The shadow root's stylesheet.
pub const CSS: &str = include_str!("banner.css");

/// What the entry points need to drive a mounted banner.
#[derive(Clone)]
pub struct Ui {
    pub config: Arc<BannerConfig>,
    pub first_layer: RwSignal<bool>,
    selection: RwSignal<Selection>,
    /// Categories decided on this page, for reopening when the loader has no cookie to report.
    last: RwSignal<Option<Vec<String>>>,
    dialog: NodeRef<Dialog>,
    opener: StoredValue<Option<HtmlElement>, LocalStorage>,
    cookie_consents_url: Arc<str>,
}

impl Ui {
    pub fn new(config: BannerConfig, cookie_consents_url: String, first_layer: bool) -> Ui {
        let selection = Selection::new(&config.categories, None);
        Ui {
            config: Arc::new(config),
            first_layer: RwSignal::new(first_layer),
            selection: RwSignal::new(selection),
            last: RwSignal::new(None),
            dialog: NodeRef::new(),
            opener: StoredValue::new_local(None),
            cookie_consents_url: Arc::from(cookie_consents_url),
        }
    }

    /// Opens the preferences dialog with the ticks of the decision in force (none on a first
    /// visit); focus returns to `opener` when it closes.
    pub fn open(&self, opener: Option<HtmlElement>) {
        let previous = host::decision_categories().or_else(|| self.last.get_untracked());
        self.selection.set(Selection::new(&self.config.categories, previous.as_deref()));
        self.opener.set_value(opener);
        if let Some(dialog) = self.dialog.get_untracked() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    }

    /// Applies the decision to the page (through the loader), hides the banner and records it.
    fn decide(&self, action: Action) {
        let config = &self.config;
        let decision = self.selection.with_untracked(|s| decide(&config.categories, s, action));
        let id = consent_id(host::decision_id(), host::uuid);
        host::apply(config.policy_version, &id, decision.categories.clone(), decision.choice.as_str());
        self.last.set(Some(decision.categories.clone()));
        self.first_layer.set(false);
        if let Some(dialog) = self.dialog.get_untracked() {
            dialog.close();
        }
        let client_time = String::from(js_sys::Date::new_0().to_iso_string());
        let body = record(config, &decision, id, host::gpc(), Some(client_time));
        host::post_decision(&self.cookie_consents_url, &cookie_decision_to_json(&body));
    }

    /// Back to whatever opened the dialog — or, when that is gone with the first layer (a
    /// decision made after "Choose"), to the loader's "Cookie settings" button, so keyboard
    /// users are not dropped at the top of the page.
    fn restore_focus(&self) {
        let opener = self.opener.try_update_value(Option::take).flatten();
        match opener {
            Some(opener) if opener.is_connected() && opener.offset_parent().is_some() => {
                let _ = opener.focus();
            }
            _ => host::focus_reopen_button(),
        }
    }
}

#[component]
pub fn CookieBanner(ui: Ui, lang: Lang) -> impl IntoView {
    let config = Arc::clone(&ui.config);
    let org = &config.organisation;
    let t = move |text| lang.t(text);
    let button = {
        let ui = ui.clone();
        move |action: &'static str, label: Text, on: Action| {
            let ui = ui.clone();
            view! {
                <button type="button" class="btn" data-consent-action=action on:click=move |_| ui.decide(on)>
                    {t(label)}
                </button>
            }
        }
    };
    let choose = {
        let ui = ui.clone();
        move |ev: leptos::ev::MouseEvent| {
            let opener = ev.current_target().and_then(|t| t.dyn_into::<HtmlElement>().ok());
            ui.open(opener);
        }
    };
    let categories = config
        .categories
        .iter()
        .enumerate()
        .map(|(i, category)| {
            let mut id = String::from("cat-");
            push_u32(&mut id, i as u32);
            let description_id = id.clone() + "-d";
            let selection = ui.selection;
            let config = Arc::clone(&config);
            view! {
                <li class="cat">
                    <input
                        type="checkbox"
                        id=id.clone()
                        name=String::from("category:") + &category.key
                        disabled=category.required
                        aria-describedby=description_id.clone()
                        prop:checked=move || selection.with(|s| s.is_ticked(i))
                        on:change=move |ev| {
                            selection.update(|s| s.set(&config.categories, i, event_target_checked(&ev)))
                        }
                    />
                    <label for=id>
                        {category.label.clone()}
                        {category.required.then(|| view! { <span class="always">{t(Text::AlwaysOn)}</span> })}
                    </label>
                    <p id=description_id class="desc">{category.description.clone()}</p>
                </li>
            }
        })
        .collect_view();
    let first_layer = ui.first_layer;
    let on_close = {
        let ui = ui.clone();
        move |_| ui.restore_focus()
    };
    let link = move |kind: &'static str, href: String, label: Text| {
        view! {
            <a data-consent-link=kind href=href target="_blank" rel="noopener">
                {t(label)}
                <span class="vh">" " {t(Text::OpensInNewTab)}</span>
            </a>
        }
    };

    view! {
        <section
            class="layer"
            role="region"
            aria-label=t(Text::CookieChoices)
            data-consent-banner=""
            hidden=move || !first_layer.get()
        >
            <h2 class="title">{org.name.clone()}</h2>
            <p class="text" lang=config.banner.lang.clone()>{config.banner.text.clone()}</p>
            <p class="links">
                {link("cookie-policy", org.cookie_policy_url.clone(), Text::CookiePolicy)}
                {link("privacy-notice", org.privacy_notice_url.clone(), Text::PrivacyNotice)}
            </p>
            <div class="actions">
                {button("accept", Text::AcceptAll, Action::AcceptAll)}
                {button("reject", Text::RejectAll, Action::RejectAll)}
                <button type="button" class="btn" data-consent-action="choose" aria-haspopup="dialog" on:click=choose>
                    {t(Text::Choose)}
                </button>
            </div>
        </section>
        <dialog node_ref=ui.dialog data-consent-dialog="" aria-labelledby="consent-dialog-title" on:close=on_close>
            <form method="dialog" class="close-form">
                <button type="submit" class="close" data-consent-action="close" aria-label=t(Text::Close)>
                    "×"
                </button>
            </form>
            <h2 id="consent-dialog-title" class="title">{t(Text::CookieSettings)}</h2>
            <p class="text">{t(Text::SettingsIntro)}</p>
            <ul class="cats">{categories}</ul>
            <div class="actions">
                {button("save", Text::SaveChoices, Action::Save)}
                {button("accept", Text::AcceptAll, Action::AcceptAll)}
                {button("reject", Text::RejectAll, Action::RejectAll)}
            </div>
        </dialog>
    }
}
