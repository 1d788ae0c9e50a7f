//! The contract with `loader/widget.js`, which sets `window.ConsentWidget` before loading the wasm:
//!
//! ```text
//! { site, base, lang, gpc: bool,
//!   decision(): null | { v: policy_version, id: consent_id, c: [categories], ch: choice },
//!   apply({ v, id, c, ch }),    // writes the cookie, runs unblocked scripts, consent mode, …
//!   enqueue({ url, key, body }) }  // keeps an undelivered submission; the loader resends it
//! ```
//! When a queued submission is delivered the loader dispatches `consent-delivered` on `window`
//! with `detail = { key, recorded_at }`.
//!
//! Every access is defensive: without the loader (or with an older one) the banner still works
//! and records decisions; it just cannot apply them to the page.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn get(obj: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn loader() -> Option<JsValue> {
    get(&js_sys::global(), "ConsentWidget")
}

/// The decision in force, as the loader read it from its cookie: (consent id, categories).
pub struct Previous {
    pub id: Option<String>,
    pub categories: Vec<String>,
}

pub fn previous_decision() -> Option<Previous> {
    let loader = loader()?;
    let decision = get(&loader, "decision")?.dyn_into::<Function>().ok()?.call0(&loader).ok()?;
    if !decision.is_object() {
        return None;
    }
    let categories = get(&decision, "c")
        .filter(Array::is_array)
        .map(|c| Array::from(&c).iter().filter_map(|k| k.as_string()).collect())
        .unwrap_or_default();
    Some(Previous { id: get(&decision, "id").and_then(|id| id.as_string()), categories })
}

/// The Global Privacy Control signal: the loader's `gpc`, else `navigator.globalPrivacyControl`.
pub fn gpc() -> bool {
    let from_loader = loader().and_then(|l| get(&l, "gpc")).and_then(|g| g.as_bool());
    from_loader.unwrap_or_else(|| {
        get(&js_sys::global(), "navigator")
            .and_then(|n| get(&n, "globalPrivacyControl"))
            .and_then(|g| g.as_bool())
            .unwrap_or(false)
    })
}

/// Hands a decision to the loader: `ConsentWidget.apply({v, id, c, ch})`.
pub fn apply(policy_version: u32, consent_id: &str, categories: &[String], choice: &str) {
    let Some(loader) = loader() else {
        web_sys::console::warn_1(
            &"Consent widget: window.ConsentWidget is missing; decision not applied.".into(),
        );
        return;
    };
    let Some(apply) = get(&loader, "apply").and_then(|f| f.dyn_into::<Function>().ok()) else {
        return;
    };
    let d = Object::new();
    let c: Array = categories.iter().map(|k| JsValue::from_str(k)).collect();
    let _ = Reflect::set(&d, &"v".into(), &JsValue::from(policy_version));
    let _ = Reflect::set(&d, &"id".into(), &consent_id.into());
    let _ = Reflect::set(&d, &"c".into(), &c);
    let _ = Reflect::set(&d, &"ch".into(), &choice.into());
    if let Err(e) = apply.call1(&loader, &d) {
        web_sys::console::error_2(&"Consent widget: ConsentWidget.apply failed".into(), &e);
    }
}

/// Hands an undelivered submission to the loader's offline queue. `false` when there is no
/// loader to keep it (the form then says the connection failed).
pub fn enqueue(url: &str, key: &str, body: &str) -> bool {
    let Some(loader) = loader() else { return false };
    let Some(enqueue) = get(&loader, "enqueue").and_then(|f| f.dyn_into::<Function>().ok()) else {
        return false;
    };
    let item = Object::new();
    let _ = Reflect::set(&item, &"url".into(), &url.into());
    let _ = Reflect::set(&item, &"key".into(), &key.into());
    let _ = Reflect::set(&item, &"body".into(), &body.into());
    enqueue.call1(&loader, &item).map(|kept| kept.as_bool() != Some(false)).unwrap_or(false)
}

/// The `(key, recorded_at)` of a `consent-delivered` event.
pub fn delivered(event: &web_sys::Event) -> Option<(String, String)> {
    let detail = get(event.as_ref(), "detail")?;
    Some((get(&detail, "key")?.as_string()?, get(&detail, "recorded_at")?.as_string()?))
}

/// Focuses the loader's "Cookie settings" button (in its own open shadow root), if shown.
pub fn focus_reopen_button() {
    let button = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("consent-reopen"))
        .and_then(|host| host.shadow_root())
        .and_then(|root| root.query_selector("button").ok().flatten())
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        let _ = button.focus();
    }
}
