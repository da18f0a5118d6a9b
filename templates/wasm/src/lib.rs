//! `<%= name %>` prices shopping carts for JavaScript, compiled to WebAssembly
//! with wasm-bindgen.
//!
//! `pricing` holds the rules in plain Rust, tested natively with `cargo test`;
//! `js` is the thin layer JavaScript sees, tested in Node with
//! `cargo test --target wasm32-unknown-unknown`.

pub mod js;
pub mod pricing;

<%_ if (libThiserror) { _%>
pub use pricing::PricingError;
<%_ } _%>
pub use pricing::{Cart, LineItem, Order, Quote, QuoteLine};
