//! Leptos components: the view layer over the plain state in [`crate::state`].

pub mod banner;
#[cfg(feature = "forms")]
pub mod opt_in_form;
