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
pub use pricing::{Cart, LineItem, Quote, QuoteLine};

// talc in place of dlmalloc, Rust's default on WebAssembly: a smaller module.
// Single-threaded WebAssembly only (no `atomics`): this allocator takes no lock.
#[cfg(all(
    feature = "talc-allocator",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
