//! The JavaScript API as JavaScript sees it, run in Node by
//! wasm-bindgen-test-runner: `cargo test --target wasm32-unknown-unknown`
//! (or `wasm-pack test --node`). Natively this file compiles to nothing.
#![cfg(target_arch = "wasm32")]
// `allow-unwrap-in-tests` covers `#[test]` functions only; these are tests too.
#![allow(clippy::unwrap_used)]

use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use <%= crate %>::js::{self, Cart};
use <%= crate %>::pricing;

/// The message of the JavaScript `Error` an export threw.
fn message(error: JsError) -> String {
    let value = JsValue::from(error);
    let error: &js_sys::Error = value.dyn_ref().expect("a JavaScript Error");
    String::from(error.message())
}

/// An amount JavaScript received, as cents: whole and exact, or the test fails.
/// Clearer than comparing floats, and `clippy::float_cmp` has no case.
fn cents(amount: f64) -> u64 {
    pricing::cents_from_f64(amount).expect("a whole number of cents")
}

fn cart(items: &[(&str, u32, f64)]) -> Cart {
    let mut cart = Cart::new();
    for &(sku, quantity, unit_price_cents) in items {
        cart.add(sku, quantity, unit_price_cents).unwrap();
    }
    cart
}

#[wasm_bindgen_test]
fn parse_and_format_prices() {
    assert_eq!(cents(js::parse_price("12.5").unwrap()), 1250);
    assert_eq!(js::format_price(1250.0).unwrap(), "12.50");
}

#[wasm_bindgen_test]
fn bad_input_throws_an_error_with_the_reason() {
    assert!(message(js::parse_price("12,50").unwrap_err()).contains("`12,50` is not a price"));
    assert!(message(js::format_price(0.5).unwrap_err()).contains("whole, non-negative"));
}

#[wasm_bindgen_test]
fn quote_returns_lines_subtotal_discount_and_total() {
    let quote = cart(&[("pen", 3, 150.0), ("book", 1, 1299.0)])
        .quote(10)
        .unwrap();
    let lines: Vec<_> = quote
        .lines()
        .iter()
        .map(|line| (line.sku(), line.quantity(), cents(line.line_total_cents())))
        .collect();
    assert_eq!(
        lines,
        [("pen".to_owned(), 3, 450), ("book".to_owned(), 1, 1299)]
    );
    assert_eq!(cents(quote.subtotal_cents()), 1749);
    assert_eq!(cents(quote.discount_cents()), 174);
    assert_eq!(cents(quote.total_cents()), 1575);
}

#[wasm_bindgen_test]
fn cart_merges_and_removes_skus() {
    let mut cart = cart(&[("pen", 2, 150.0), ("pen", 1, 150.0), ("book", 1, 1299.0)]);
    assert_eq!(cart.item_count(), 2);
    assert!(cart.remove("book"));
    assert!(!cart.remove("book"));
    assert_eq!(cents(cart.quote(0).unwrap().total_cents()), 450);
}

#[wasm_bindgen_test]
fn errors_name_the_operation_and_the_cause() {
    let mut cart = Cart::new();
    assert_eq!(
        message(cart.add("pen", 0, 150.0).unwrap_err()),
        "cannot add pen to the cart: the quantity is 0"
    );
    assert!(
        message(cart.add("pen", 1, 0.5).unwrap_err())
            .starts_with("cannot add pen to the cart: the amount is not a whole")
    );
    assert_eq!(
        message(cart.quote(0).unwrap_err()),
        "cannot price the cart: the cart is empty"
    );
    cart.add("pen", 1, 150.0).unwrap();
    assert_eq!(
        message(cart.quote(95).unwrap_err()),
        "cannot price the cart: a discount of 95% is above the maximum of 90%"
    );
}
