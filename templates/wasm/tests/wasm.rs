//! The JavaScript API as JavaScript sees it, run in Node by
//! wasm-bindgen-test-runner: `cargo test --target wasm32-unknown-unknown`
//! (or `wasm-pack test --node`). Natively this file compiles to nothing.
#![cfg(target_arch = "wasm32")]
// `allow-unwrap-in-tests` covers `#[test]` functions only; these are tests too.
#![allow(clippy::unwrap_used)]

use <%= crate %>::js::{self, Cart};
use <%= crate %>::{LineItem, Order, Quote};
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// The message of the JavaScript `Error` an export threw.
fn message(error: JsError) -> String {
    let value = JsValue::from(error);
    let error: &js_sys::Error = value.dyn_ref().expect("a JavaScript Error");
    String::from(error.message())
}

fn order(items: &[(&str, u32, u64)], discount_percent: u32) -> JsValue {
    let items = items
        .iter()
        .map(|&(sku, quantity, unit_price_cents)| LineItem {
            sku: sku.to_owned(),
            quantity,
            unit_price_cents,
        })
        .collect();
    let order = Order {
        items,
        discount_percent,
    };
    serde_wasm_bindgen::to_value(&order).unwrap()
}

#[wasm_bindgen_test]
fn parse_and_format_prices() {
    assert_eq!(js::parse_price("12.5").unwrap(), 1250.0);
    assert_eq!(js::format_price(1250.0).unwrap(), "12.50");
}

#[wasm_bindgen_test]
fn bad_input_throws_an_error_with_the_reason() {
    assert!(message(js::parse_price("12,50").unwrap_err()).contains("`12,50` is not a price"));
    assert!(message(js::format_price(0.5).unwrap_err()).contains("whole, non-negative"));
}

#[wasm_bindgen_test]
fn quote_order_takes_and_returns_plain_objects() {
    let quote = js::quote_order(order(&[("pen", 3, 150), ("book", 1, 1299)], 10)).unwrap();
    let quote: Quote = serde_wasm_bindgen::from_value(quote).unwrap();
    assert_eq!(quote.lines.len(), 2);
    assert_eq!(quote.subtotal_cents, 1749);
    assert_eq!(quote.discount_cents, 174);
    assert_eq!(quote.total_cents, 1575);
}

#[wasm_bindgen_test]
fn quote_order_errors_name_the_cause() {
    let error = js::quote_order(order(&[("pen", 0, 150)], 0)).unwrap_err();
    assert_eq!(
        message(error),
        "cannot price the order: item pen has quantity 0"
    );
    let error = js::quote_order(JsValue::from_str("pen")).unwrap_err();
    assert!(message(error).starts_with("the order is not an { items, discountPercent } object"));
}

#[wasm_bindgen_test]
fn cart_collects_items_and_prices_them() {
    let mut cart = Cart::new();
    cart.add("pen", 2, 150.0).unwrap();
    cart.add("pen", 1, 150.0).unwrap();
    cart.add("book", 1, 1299.0).unwrap();
    assert_eq!(cart.item_count(), 2);
    assert!(cart.remove("book"));
    let quote: Quote = serde_wasm_bindgen::from_value(cart.quote(0).unwrap()).unwrap();
    assert_eq!(quote.total_cents, 450);
    let error = cart.quote(95).unwrap_err();
    assert_eq!(
        message(error),
        "cannot price the cart: a discount of 95% is above the maximum of 90%"
    );
}
