//! The pure core of Consent, shared by the widget (wasm in the browser) and the worker.
//!
//! Nothing here performs I/O, reads the clock or draws randomness: the current time, new ids and
//! secret keys are always arguments. That keeps every rule testable as plain data and identical on
//! both sides of the wire.

#[cfg(feature = "ledger")]
pub mod access;
pub mod api;
#[cfg(feature = "ledger")]
pub mod audit;
pub mod basis;
#[cfg(feature = "ledger")]
pub mod chain;
pub mod consent;
#[cfg(feature = "email")]
pub mod email;
pub mod site;

#[cfg(feature = "ledger")]
pub mod cookies;
#[cfg(feature = "ledger")]
pub mod csrf;
#[cfg(feature = "ledger")]
pub mod digest;
#[cfg(feature = "ledger")]
pub mod ledger;
#[cfg(feature = "ledger")]
pub mod preview;
#[cfg(feature = "ledger")]
pub mod register;
#[cfg(feature = "ledger")]
pub mod review;
#[cfg(feature = "ledger")]
pub mod retention;
#[cfg(feature = "ledger")]
pub mod site_edit;
#[cfg(feature = "ledger")]
pub mod subject;
pub mod suppression;
#[cfg(feature = "ledger")]
pub mod time;
#[cfg(feature = "ledger")]
pub mod token;
