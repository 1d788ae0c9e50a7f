//! The cookie banner: a first layer (who, why, links, Accept all / Reject all / Choose — one
//! button view for all three, so identical in element, class and size) and a modal preferences
//! dialog listing every category, with strictly necessary ones shown ticked, disabled and
//! "Always on".
//!
//! Both live in one shadow root on `#consent-banner-host`; [`Ui`] is the handle the `banner`
//! entry point drives (for `show_banner` and `open_settings` in `js/ui.js`). The dialog is only
//! rendered when first opened: on a slow phone, rendering both at once made one long task
//! before the first layer could show, and most visitors never open it. Stable selectors
//! (the browser tests use them): `[data-consent-banner]`,
//! `button[data-consent-action=accept|reject|choose|save|close]`, `dialog[data-consent-dialog]`,
//! `input[name="category:<key>"]`, `a[data-consent-link=cookie-policy|privacy-notice]`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::banner_state::{consent_id, decide, record, Action, BannerConfig, Selection};
use crate::host;
use crate::i18n::{Lang, Text};
use crate::json::{cookie_decision_to_json, push_u32};

/// The shadow root's stylesheet.
pub const CSS: &str = include_str!("banner.css");

/// What the entry points need to drive a mounted banner. No signals: whether the first layer
/// shows is its `hidden` attribute, and the dialog's ticks are its checkboxes' own state, set on
/// opening and read on "Save choices" (through `js/host.js`), so the banner instantiates none of
/// the reactive system's signal and effect types.
#[derive(Clone)]
pub struct Ui {
    shared: Rc<Shared>,
}

struct Shared {
    config: BannerConfig,
    cookie_consents_url: String,
    lang: Lang,
    /// The element in the shadow root both views are mounted into.
    root: HtmlElement,
    layer_mounted: Cell<bool>,
    dialog_mounted: Cell<bool>,
    /// Categories decided on this page, for reopening when the loader has no cookie to report.
    last: RefCell<Option<Vec<String>>>,
    /// What had focus when the dialog was opened.
    opener: RefCell<Option<HtmlElement>>,
}

/// A [`Selection`] as the `1`/`0` string `js/host.js` sets and reads the checkboxes with.
fn ticks_text(selection: &Selection) -> String {
    selection.ticked.iter().map(|&t| if t { '1' } else { '0' }).collect()
}

impl Ui {
    pub fn new(config: BannerConfig, cookie_consents_url: String, lang: Lang, root: HtmlElement) -> Ui {
        Ui {
            shared: Rc::new(Shared {
                config,
                cookie_consents_url,
                lang,
                root,
                layer_mounted: Cell::new(false),
                dialog_mounted: Cell::new(false),
                last: RefCell::new(None),
                opener: RefCell::new(None),
            }),
        }
    }

    /// Renders the first layer (shown when `first_layer`, else hidden) into the root, unless
    /// it already is; whether it did.
    pub fn mount_first_layer(&self, first_layer: bool) -> bool {
        if self.shared.layer_mounted.replace(true) {
            return false;
        }
        let (ui, lang) = (self.clone(), self.shared.lang);
        mount_to(self.shared.root.clone(), move || view! { <FirstLayer ui lang first_layer /> }).forget();
        true
    }

    /// Opens the preferences dialog (rendering it the first time) with the ticks of the
    /// decision in force (none on a first visit); focus returns to `opener` when it closes.
    pub fn open(&self, opener: Option<HtmlElement>) {
        let shared = &self.shared;
        if !shared.dialog_mounted.replace(true) {
            let (ui, lang) = (self.clone(), shared.lang);
            mount_to(shared.root.clone(), move || view! { <PreferencesDialog ui lang /> }).forget();
        }
        let previous = host::decision_categories().or_else(|| shared.last.borrow().clone());
        host::set_ticks(&ticks_text(&Selection::new(
            &shared.config.categories,
            previous.as_deref(),
            &host::exceptions(),
        )));
        *shared.opener.borrow_mut() = opener;
        if let Some(dialog) = host::banner_dialog() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    }

    /// Applies the decision to the page (through the loader), hides the banner and records it.
    fn decide(&self, action: Action) {
        let config = &self.shared.config;
        // A required box is disabled and stays ticked, as `Selection::set` keeps it.
        let selection = Selection { ticked: host::ticks().bytes().map(|b| b == b'1').collect() };
        let decision = decide(&config.categories, &selection, action);
        let id = consent_id(host::decision_id(), host::uuid);
        host::apply(config.policy_version, &id, decision.categories.clone(), decision.choice.as_str());
        *self.shared.last.borrow_mut() = Some(decision.categories.clone());
        host::show_layer(false);
        if let Some(dialog) = host::banner_dialog() {
            dialog.close();
        }
        let client_time = String::from(js_sys::Date::new_0().to_iso_string());
        let body = record(config, &decision, id, host::gpc(), Some(client_time));
        host::post_decision(&self.shared.cookie_consents_url, &cookie_decision_to_json(&body));
    }

    /// Back to whatever opened the dialog — or, when that is gone with the first layer (a
    /// decision made after "Choose"), to the loader's "Cookie settings" button, so keyboard
    /// users are not dropped at the top of the page.
    fn restore_focus(&self) {
        match self.shared.opener.borrow_mut().take() {
            Some(opener) if opener.is_connected() && opener.offset_parent().is_some() => {
                let _ = opener.focus();
            }
            _ => host::focus_reopen_button(),
        }
    }
}

/// What a button of the banner or the dialog does.
#[derive(Clone, Copy)]
enum Press {
    Decide(Action),
    /// "Choose": opens the dialog.
    Choose,
}

/// Every button of the banner and the dialog is this one view with one click handler, so it is
/// compiled once.
fn button(ui: &Ui, lang: Lang, action: &'static str, label: Text, press: Press) -> impl IntoView {
    let ui = ui.clone();
    let on_click = move |ev: leptos::ev::MouseEvent| match press {
        Press::Decide(action) => ui.decide(action),
        Press::Choose => ui.open(ev.current_target().and_then(|t| t.dyn_into::<HtmlElement>().ok())),
    };
    let popup = matches!(press, Press::Choose).then_some("dialog");
    view! {
        <button type="button" class="btn" data-consent-action=action aria-haspopup=popup on:click=on_click>
            {lang.t(label)}
        </button>
    }
}

/// Who, why, the two links and Accept all / Reject all / Choose.
#[component]
fn FirstLayer(ui: Ui, lang: Lang, first_layer: bool) -> impl IntoView {
    let shared = Rc::clone(&ui.shared);
    let config = &shared.config;
    let org = &config.organisation;
    let t = move |text| lang.t(text);
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
            hidden=!first_layer
        >
            <h2 class="title">{org.name.clone()}</h2>
            <p class="text" lang=config.banner.lang.clone()>{config.banner.text.clone()}</p>
            <p class="links">
                {link("cookie-policy", org.cookie_policy_url.clone(), Text::CookiePolicy)}
                {link("privacy-notice", org.privacy_notice_url.clone(), Text::PrivacyNotice)}
            </p>
            <div class="actions">
                {button(&ui, lang, "accept", Text::AcceptAll, Press::Decide(Action::AcceptAll))}
                {button(&ui, lang, "reject", Text::RejectAll, Press::Decide(Action::RejectAll))}
                {button(&ui, lang, "choose", Text::Choose, Press::Choose)}
            </div>
        </section>
    }
}

/// The modal preferences dialog: every category, the required ones ticked, disabled and
/// "Always on".
#[component]
fn PreferencesDialog(ui: Ui, lang: Lang) -> impl IntoView {
    let shared = Rc::clone(&ui.shared);
    let config = &shared.config;
    let t = move |text| lang.t(text);
    // Categories that run for this visitor until they object (UK statistics and appearance):
    // labelled so that unticking reads as the objection it is.
    let exceptions = host::exceptions();
    let categories = config
        .categories
        .iter()
        .enumerate()
        .map(|(i, category)| {
            let mut id = String::from("cat-");
            push_u32(&mut id, i as u32);
            let description_id = id.clone() + "-d";
            view! {
                <li class="cat">
                    // Unticked unless required (ticked and disabled); `Ui::open` sets the
                    // decision in force before the dialog shows.
                    <input
                        type="checkbox"
                        id=id.clone()
                        name=String::from("category:") + &category.key
                        checked=category.required
                        disabled=category.required
                        aria-describedby=description_id.clone()
                    />
                    <label for=id>
                        {category.label.clone()}
                        {category.required.then(|| view! { <span class="always">{t(Text::AlwaysOn)}</span> })}
                        {exceptions.contains(&category.key).then(|| view! { <span class="always">{t(Text::OnUnlessYouObject)}</span> })}
                    </label>
                    <p id=description_id class="desc">{category.description.clone()}</p>
                </li>
            }
        })
        .collect_view();
    let on_close = {
        let ui = ui.clone();
        move |_| ui.restore_focus()
    };
    view! {
        <dialog data-consent-dialog="" aria-labelledby="consent-dialog-title" on:close=on_close>
            <form method="dialog" class="close-form">
                <button type="submit" class="close" data-consent-action="close" aria-label=t(Text::Close)>
                    "×"
                </button>
            </form>
            <h2 id="consent-dialog-title" class="title">{t(Text::CookieSettings)}</h2>
            <p class="text">{t(Text::SettingsIntro)}</p>
            <ul class="cats">{categories}</ul>
            <div class="actions">
                {button(&ui, lang, "save", Text::SaveChoices, Press::Decide(Action::Save))}
                {button(&ui, lang, "accept", Text::AcceptAll, Press::Decide(Action::AcceptAll))}
                {button(&ui, lang, "reject", Text::RejectAll, Press::Decide(Action::RejectAll))}
            </div>
        </dialog>
    }
}
