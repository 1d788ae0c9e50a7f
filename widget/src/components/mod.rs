//! Leptos components: the view layer over the plain state in [`crate::state`].

pub mod banner;
pub mod opt_in_form;
