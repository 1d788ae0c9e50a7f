//! The JavaScript the wasm calls (`js/host.js`): the contract with `loader/widget.js`
//! (`window.ConsentWidget`: the decision in force, GPC, `apply`, the offline queue) and a few
//! browser calls that are smaller in JS than through wasm-bindgen (posting a decision, a UUID,
//! focusing the loader's "Cookie settings" button). Every one of them is defensive: without the
//! loader the banner still works and records decisions; it just cannot apply them to the page.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    /// The consent id of the decision the loader read from its cookie.
    pub fn decision_id() -> Option<String>;
    /// The categories of that decision; `None` when there is no decision.
    pub fn decision_categories() -> Option<Vec<String>>;
    /// The categories that run for this visitor until they object (`opt_out` in the policy).
    pub fn exceptions() -> Vec<String>;
    /// The Global Privacy Control signal.
    pub fn gpc() -> bool;
    /// `ConsentWidget.apply({v, id, c, ch})`: the cookie, unblocked scripts, Consent Mode.
    pub fn apply(policy_version: u32, consent_id: &str, categories: Vec<String>, choice: &str);
    /// Posts a decision (JSON) with `keepalive`; failures are logged, not returned.
    pub fn post_decision(url: &str, body: &str);
    /// The banner's `<dialog>`, once mounted.
    pub fn banner_dialog() -> Option<web_sys::HtmlDialogElement>;
    /// Shows or hides the banner's first layer (its `hidden` attribute).
    pub fn show_layer(on: bool);
    /// Ticks the dialog's checkboxes, in order, as the `1`/`0` characters of `ticks` say.
    pub fn set_ticks(ticks: &str);
    /// Which of the dialog's checkboxes are ticked, in order, as `1`/`0` characters.
    pub fn ticks() -> String;
    /// Focuses the loader's "Cookie settings" button, if shown.
    pub fn focus_reopen_button();
    /// A fresh UUID v4.
    pub fn uuid() -> String;
    /// The console's live-preview credential (`ConsentWidget.preview`), sent with the form's
    /// POST so that the worker checks it and records nothing; `None` on every real page.
    #[cfg(feature = "forms")]
    pub fn preview() -> Option<String>;
    /// Hands an undelivered submission to the loader's offline queue; `false` when there is no
    /// loader to keep it (the form then says the connection failed).
    #[cfg(feature = "forms")]
    pub fn enqueue(url: &str, key: &str, body: &str) -> bool;
    /// `[key, recorded_at, "1" if a consent awaits confirmation else "0"]` of a
    /// `consent-delivered` event.
    #[cfg(feature = "forms")]
    pub fn delivered(event: &web_sys::Event) -> Option<Vec<String>>;
}
