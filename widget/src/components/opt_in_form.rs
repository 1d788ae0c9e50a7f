//! The opt-in form: who is asking, one unticked box per purpose × channel with its exact wording,
//! how to reach the organisation, an email box and a submit button.
//!
//! A purpose on the charitable soft opt-in is shown as its notice (the site's words) with an
//! unticked box to refuse, named `{purpose}:{channel}:refuse` inside `.consent-form__notice`.
//!
//! The markup is what the browser tests select on: `form.consent-form`, checkboxes named
//! `{purpose}:{channel}` with `value` = wording version, `input[name=email]`,
//! `button[type=submit]`, and `[data-consent-status=success|error]` inside the live regions.

use std::sync::Arc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{FormText, Lang, Text};
use crate::state::{is_notice, Attempt, FormConfig, FormState, Status};
use crate::{api, host, json};

#[component]
pub fn OptInForm(
    config: FormConfig,
    /// Where to post, e.g. `https://consent.example/api/v1/sites/demo/consents`.
    consents_url: String,
    /// Distinguishes element ids when a page holds more than one form.
    instance: usize,
    /// The language of the form's own strings.
    lang: Lang,
) -> impl IntoView {
    let state = RwSignal::new(FormState::new(&config));
    let attempt = StoredValue::new(Attempt::default());
    let config = Arc::new(config);
    let consents_url = Arc::new(consents_url);

    let on_submit = {
        let config = Arc::clone(&config);
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if state.with_untracked(FormState::locked) {
                return;
            }
            let page_url = window().location().href().unwrap_or_default();
            let client_time = String::from(js_sys::Date::new_0().to_iso_string());
            let built = state.with_untracked(|s| s.submission(&config, &page_url, Some(client_time)));
            let fresh = match built {
                Ok(submission) => submission,
                Err(message) => {
                    state.update(|s| s.status = Status::Error { message: lang.t(message).to_owned() });
                    return;
                }
            };
            let Some((body, key)) = attempt.try_update_value(|a| a.prepare(fresh, host::uuid)) else {
                return;
            };
            state.update(|s| s.status = Status::Submitting);
            let url = Arc::clone(&consents_url);
            spawn_local(async move {
                let json = json::submission_to_json(&body);
                let status = match api::post_submission(&url, &json, &key, lang).await {
                    Ok((recorded_at, awaiting_confirmation)) => {
                        Status::Success { recorded_at, awaiting_confirmation }
                    }
                    // Nothing the person submitted is lost: the loader keeps it and resends it
                    // under the same key, so it is recorded once.
                    Err(failure) if failure.retryable && host::enqueue(&url, &key, &json) => Status::Queued,
                    Err(failure) => Status::Error { message: failure.message },
                };
                state.update(|s| s.status = status);
            });
        }
    };

    // A queued submission delivered later (by the loader) completes this form.
    let delivered = window_event_listener_untyped("consent-delivered", move |event| {
        let Some([key, recorded_at, pending]) =
            host::delivered(&event).and_then(|d| <[String; 3]>::try_from(d).ok())
        else {
            return;
        };
        let awaiting_confirmation = pending == "1";
        let ours = attempt.with_value(|a| a.key() == Some(key.as_str()));
        if ours && state.with_untracked(|s| s.status == Status::Queued) {
            state.update(|s| s.status = Status::Success { recorded_at, awaiting_confirmation });
        }
    });
    on_cleanup(move || delivered.remove());

    let org = &config.organisation;
    let email_id = format!("consent-{instance}-email");
    let mailto = format!("mailto:{}", org.contact_email);
    let options = config
        .purposes
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let name = format!("{}:{}", option.purpose, option.channel.as_str());
            let id = format!("consent-{instance}-{}-{}", option.purpose, option.channel.as_str());
            if is_notice(option) {
                let notice_id = format!("{id}-notice");
                let refusal = option.refusal.clone().unwrap_or_default();
                return view! {
                    <div class="consent-form__option consent-form__notice">
                        <p id=notice_id.clone()>
                            <strong class="consent-form__option-label">{option.label.clone()}</strong>
                            " "
                            <span class="consent-form__option-text">{option.text.clone()}</span>
                        </p>
                        <input
                            type="checkbox"
                            id=id.clone()
                            name=format!("{name}:refuse")
                            value=option.wording_version.to_string()
                            aria-describedby=notice_id
                            prop:checked=move || state.with(|s| s.ticked.get(i).copied().unwrap_or(false))
                            on:change=move |ev| state.update(|s| s.set_ticked(i, event_target_checked(&ev)))
                        />
                        <label for=id>{refusal}</label>
                    </div>
                }
                .into_any();
            }
            view! {
                <div class="consent-form__option">
                    <input
                        type="checkbox"
                        id=id.clone()
                        name=name
                        value=option.wording_version.to_string()
                        prop:checked=move || state.with(|s| s.ticked.get(i).copied().unwrap_or(false))
                        on:change=move |ev| state.update(|s| s.set_ticked(i, event_target_checked(&ev)))
                    />
                    <label for=id>
                        <strong class="consent-form__option-label">{option.label.clone()}</strong>
                        " "
                        <span class="consent-form__option-text">{option.text.clone()}</span>
                    </label>
                </div>
            }
            .into_any()
        })
        .collect_view();

    view! {
        <form class="consent-form" novalidate on:submit=on_submit>
            <h2 class="consent-form__title">{lang.t(FormText::FormTitle)} {org.name.clone()}</h2>
            <p class="consent-form__intro">
                {org.name.clone()}
                {lang.t(FormText::FormIntroWouldLike)}
                <a href=mailto>{org.contact_email.clone()}</a>
                {lang.t(FormText::FormIntroOrWriting)} {org.postal_address.clone()} "."
            </p>
            <fieldset class="consent-form__fields" disabled=move || state.with(FormState::locked)>
                <legend>{lang.t(FormText::HowWeMayContact)}</legend>
                {options}
                <div class="consent-form__email">
                    <label for=email_id.clone()>{lang.t(FormText::EmailAddress)}</label>
                    <input
                        type="email"
                        id=email_id
                        name="email"
                        autocomplete="email"
                        required
                        prop:value=move || state.with(|s| s.email.clone())
                        on:input=move |ev| state.update(|s| s.email = event_target_value(&ev))
                    />
                </div>
                <button type="submit">{lang.t(FormText::SignUp)}</button>
            </fieldset>
            <p class="consent-form__status" role="status">
                {move || state.with(|s| match &s.status {
                    Status::Submitting => Some(view! {
                        <span data-consent-status="submitting">{lang.t(FormText::Sending)}</span>
                    }.into_any()),
                    Status::Queued => Some(view! {
                        <span data-consent-status="queued">{lang.t(FormText::Queued)}</span>
                    }.into_any()),
                    Status::Success { awaiting_confirmation: true, .. } => Some(view! {
                        <span data-consent-status="awaiting-confirmation">{lang.t(FormText::CheckInbox)}</span>
                    }.into_any()),
                    Status::Success { recorded_at, .. } => Some(view! {
                        <span data-consent-status="success">
                            {lang.t(FormText::RecordedAt)}
                            <time datetime=recorded_at.clone()>{readable_time(recorded_at, lang)}</time>
                            "."
                        </span>
                    }.into_any()),
                    _ => None,
                })}
            </p>
            <p class="consent-form__error" role="alert">
                {move || state.with(|s| match &s.status {
                    Status::Error { message } => Some(view! {
                        <span data-consent-status="error">{message.clone()}</span>
                    }),
                    _ => None,
                })}
            </p>
            <p class="consent-form__privacy">
                <a href=org.privacy_notice_url.clone()>{lang.t(Text::PrivacyNotice)}</a>
            </p>
        </form>
    }
}

/// The receipt's RFC 3339 time as the browser writes dates in the form's language (UK English
/// or Welsh), or unchanged if the browser cannot read it or does not know the language.
fn readable_time(rfc3339: &str, lang: Lang) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let locale = lang.locale();
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    // Called through `Function::call2` so an unknown locale (a RangeError) is an `Err`, not a trap.
    js_sys::Reflect::get(&date, &"toLocaleString".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call2(&date, &locale.into(), &options).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| rfc3339.to_owned())
}
