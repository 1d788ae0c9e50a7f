//! Consent's Cloudflare Worker: the consent API over an append-only ledger in D1.
//!
//! Everything except `shell` is plain Rust that compiles natively: `app` (routing and handlers,
//! generic over `store::Store`), `store` (one SQL implementation, D1 and SQLite executors, and
//! the contract suite both must pass). `shell` is the thin `#[event(fetch)]` glue that turns a
//! workers-rs request into an `http::HttpRequest` and supplies D1, secrets, the clock and ids.

pub mod app;
pub mod error;
pub mod http;
/// The OpenAPI document, generated natively (the worker serves the file it is written to).
#[cfg(not(target_arch = "wasm32"))]
pub mod openapi;
pub mod router;
pub mod store;

#[cfg(target_arch = "wasm32")]
mod mailer;
#[cfg(target_arch = "wasm32")]
mod r2_anchors;
#[cfg(target_arch = "wasm32")]
mod shell;
