//! Pricing a cart in whole cents: line totals, a percentage discount and the
//! total. Plain Rust with no JavaScript types, so it is tested natively; the
//! `js` module exposes it to JavaScript.

use std::collections::BTreeMap;

<%_ if (!libThiserror) { _%>
use anyhow::{Context, Result, bail, ensure};
<%_ } _%>
use serde::{Deserialize, Serialize};

/// The largest amount a JavaScript number holds exactly (2^53 - 1 cents).
/// Larger amounts are refused rather than silently rounded on the JS side.
pub const MAX_CENTS: u64 = (1 << 53) - 1;

/// The largest discount, in percent.
pub const MAX_DISCOUNT_PERCENT: u32 = 90;
<%_ if (libThiserror) { _%>

/// Why a price, a cart or an order was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PricingError {
    #[error("`{0}` is not a price: expected digits with up to two decimals, like 12.50")]
    InvalidPrice(String),
    #[error("{0} is not a whole, non-negative number of cents up to {MAX_CENTS}")]
    InvalidCents(f64),
    #[error("an item has an empty SKU")]
    EmptySku,
    #[error("item {0} has quantity 0")]
    ZeroQuantity(String),
    #[error("a discount of {0}% is above the maximum of {MAX_DISCOUNT_PERCENT}%")]
    DiscountTooHigh(u32),
    #[error("the order has no items")]
    EmptyOrder,
    #[error("the order total passes {MAX_CENTS} cents at item {0}")]
    Overflow(String),
    #[error("the quantity of item {0} is above {max}", max = u32::MAX)]
    TooMany(String),
}

pub type Result<T, E = PricingError> = std::result::Result<T, E>;
<%_ } _%>

/// One line of an order, as JavaScript sends it: `{ sku, quantity, unitPriceCents }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    pub sku: String,
    pub quantity: u32,
    pub unit_price_cents: u64,
}

/// An order to price: `{ items: [...], discountPercent?: number }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub items: Vec<LineItem>,
    #[serde(default)]
    pub discount_percent: u32,
}

/// A priced line: the line item's quantity times its unit price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteLine {
    pub sku: String,
    pub quantity: u32,
    pub line_total_cents: u64,
}

/// The priced order returned to JavaScript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub subtotal_cents: u64,
    pub discount_cents: u64,
    pub total_cents: u64,
}

/// Parses a price typed by a person, like `12.50`, `12.5` or `12`, into cents.
/// Integer arithmetic only: `0.1 + 0.2` never turns into `0.30000000000000004`.
pub fn parse_price(input: &str) -> Result<u64> {
    let text = input.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let well_formed = !whole.is_empty()
        && digits(whole)
        && digits(fraction)
        && fraction.len() <= 2
        && !text.ends_with('.');
    let cents = well_formed
        .then(|| {
            let whole: u64 = whole.parse().ok()?;
            // "5" after the point is 50 cents, "05" is 5.
            let fraction: u64 = format!("{fraction:0<2}").parse().ok()?;
            whole.checked_mul(100)?.checked_add(fraction)
        })
        .flatten()
        .filter(|&cents| cents <= MAX_CENTS);
<%_ if (libThiserror) { _%>
    cents.ok_or_else(|| PricingError::InvalidPrice(input.to_owned()))
<%_ } else { _%>
    cents.with_context(|| {
        format!("`{input}` is not a price: expected digits with up to two decimals, like 12.50")
    })
<%_ } _%>
}

/// Formats cents as a decimal price: `1250` -> `12.50`.
pub fn format_price(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Checks an amount that arrived as a JavaScript number (always a float) and
/// converts it to whole cents.
pub fn cents_from_f64(value: f64) -> Result<u64> {
    // `MAX_CENTS as f64` is exact: it is below 2^53.
    let valid = value.fract() == 0.0 && (0.0..=MAX_CENTS as f64).contains(&value);
<%_ if (libThiserror) { _%>
    if !valid {
        return Err(PricingError::InvalidCents(value));
    }
<%_ } else { _%>
    ensure!(
        valid,
        "{value} is not a whole, non-negative number of cents up to {MAX_CENTS}"
    );
<%_ } _%>
    // Exact: `value` is a whole number in 0..=2^53 - 1.
    Ok(value as u64)
}

/// Prices an order: every line, the subtotal, the discount (rounded down to
/// whole cents) and the total.
pub fn quote(order: &Order) -> Result<Quote> {
<%_ if (libThiserror) { _%>
    if order.items.is_empty() {
        return Err(PricingError::EmptyOrder);
    }
    if order.discount_percent > MAX_DISCOUNT_PERCENT {
        return Err(PricingError::DiscountTooHigh(order.discount_percent));
    }
<%_ } else { _%>
    ensure!(!order.items.is_empty(), "the order has no items");
    ensure!(
        order.discount_percent <= MAX_DISCOUNT_PERCENT,
        "a discount of {}% is above the maximum of {MAX_DISCOUNT_PERCENT}%",
        order.discount_percent
    );
<%_ } _%>
    let mut lines = Vec::with_capacity(order.items.len());
    let mut subtotal_cents: u64 = 0;
    for item in &order.items {
        check_item(&item.sku, item.quantity)?;
        // Every line and the running subtotal stay within what JavaScript holds exactly.
        let totals = u64::from(item.quantity)
            .checked_mul(item.unit_price_cents)
            .and_then(|line| Some((line, subtotal_cents.checked_add(line)?)))
            .filter(|&(_, subtotal)| subtotal <= MAX_CENTS);
<%_ if (libThiserror) { _%>
        let (line_total_cents, subtotal) =
            totals.ok_or_else(|| PricingError::Overflow(item.sku.clone()))?;
<%_ } else { _%>
        let (line_total_cents, subtotal) = totals.with_context(|| {
            format!(
                "the order total passes {MAX_CENTS} cents at item {}",
                item.sku
            )
        })?;
<%_ } _%>
        subtotal_cents = subtotal;
        lines.push(QuoteLine {
            sku: item.sku.clone(),
            quantity: item.quantity,
            line_total_cents,
        });
    }
    // No overflow: subtotal <= 2^53 and the percentage <= 90.
    let discount_cents = subtotal_cents * u64::from(order.discount_percent) / 100;
    Ok(Quote {
        lines,
        subtotal_cents,
        discount_cents,
        total_cents: subtotal_cents - discount_cents,
    })
}

fn check_item(sku: &str, quantity: u32) -> Result<()> {
<%_ if (libThiserror) { _%>
    if sku.trim().is_empty() {
        return Err(PricingError::EmptySku);
    }
    if quantity == 0 {
        return Err(PricingError::ZeroQuantity(sku.to_owned()));
    }
<%_ } else { _%>
    if sku.trim().is_empty() {
        bail!("an item has an empty SKU");
    }
    ensure!(quantity > 0, "item {sku} has quantity 0");
<%_ } _%>
    Ok(())
}

/// A cart that JavaScript fills one item at a time. Adding a SKU again adds to
/// its quantity; lines keep SKU order so quotes are stable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cart {
    items: BTreeMap<String, (u32, u64)>,
}

impl Cart {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `quantity` of `sku` at `unit_price_cents`; the latest price wins.
    pub fn add(&mut self, sku: &str, quantity: u32, unit_price_cents: u64) -> Result<()> {
        check_item(sku, quantity)?;
        let (held, price) = self.items.entry(sku.to_owned()).or_default();
<%_ if (libThiserror) { _%>
        *held = held
            .checked_add(quantity)
            .ok_or_else(|| PricingError::TooMany(sku.to_owned()))?;
<%_ } else { _%>
        *held = held
            .checked_add(quantity)
            .with_context(|| format!("the quantity of item {sku} is above {}", u32::MAX))?;
<%_ } _%>
        *price = unit_price_cents;
        Ok(())
    }

    /// Removes a SKU; returns whether it was in the cart.
    pub fn remove(&mut self, sku: &str) -> bool {
        self.items.remove(sku).is_some()
    }

    /// The number of distinct SKUs.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The cart as an order with the given discount.
    pub fn to_order(&self, discount_percent: u32) -> Order {
        let items = self
            .items
            .iter()
            .map(|(sku, &(quantity, unit_price_cents))| LineItem {
                sku: sku.clone(),
                quantity,
                unit_price_cents,
            })
            .collect();
        Order {
            items,
            discount_percent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(sku: &str, quantity: u32, unit_price_cents: u64) -> LineItem {
        LineItem {
            sku: sku.to_owned(),
            quantity,
            unit_price_cents,
        }
    }

    #[test]
    fn parses_prices_into_cents() {
        assert_eq!(parse_price("12.50").unwrap(), 1250);
        assert_eq!(parse_price("12.5").unwrap(), 1250);
        assert_eq!(parse_price("0.05").unwrap(), 5);
        assert_eq!(parse_price(" 7 ").unwrap(), 700);
    }

    #[test]
    fn refuses_malformed_prices() {
        for input in [
            "", "abc", "-1", "1.234", "1.", ".5", "1,50", "1e3", "12.5.0",
        ] {
            let error = parse_price(input).unwrap_err();
<%_ if (libThiserror) { _%>
            assert_eq!(error, PricingError::InvalidPrice(input.to_owned()));
<%_ } _%>
            assert!(error.to_string().contains("is not a price"), "{input}");
        }
    }

    #[test]
    fn refuses_prices_javascript_cannot_hold_exactly() {
        assert_eq!(parse_price("90071992547409.91").unwrap(), MAX_CENTS);
        assert!(parse_price("90071992547409.92").is_err());
        assert!(parse_price("99999999999999999999").is_err());
    }

    #[test]
    fn formats_cents_with_two_decimals() {
        assert_eq!(format_price(1250), "12.50");
        assert_eq!(format_price(5), "0.05");
        assert_eq!(format_price(0), "0.00");
    }

    #[test]
    fn accepts_only_whole_safe_cents_from_javascript() {
        assert_eq!(cents_from_f64(1250.0).unwrap(), 1250);
        assert_eq!(cents_from_f64(MAX_CENTS as f64).unwrap(), MAX_CENTS);
        for value in [-1.0, 0.5, f64::NAN, f64::INFINITY, 2f64.powi(53)] {
            let error = cents_from_f64(value).unwrap_err();
            assert!(error.to_string().contains("whole, non-negative"), "{value}");
        }
    }

    #[test]
    fn quotes_lines_subtotal_discount_and_total() {
        let order = Order {
            items: vec![item("pen", 3, 150), item("book", 1, 1299)],
            discount_percent: 10,
        };
        let quote = quote(&order).unwrap();
        assert_eq!(quote.lines[0].line_total_cents, 450);
        assert_eq!(quote.subtotal_cents, 1749);
        // 10% of 17.49 is 1.749: the discount rounds down to 1.74.
        assert_eq!(quote.discount_cents, 174);
        assert_eq!(quote.total_cents, 1575);
    }

    #[test]
    fn refuses_orders_that_cannot_be_priced() {
        let cases = [
            (Order::default(), "the order has no items"),
            (
                Order {
                    items: vec![item("pen", 0, 150)],
                    discount_percent: 0,
                },
                "item pen has quantity 0",
            ),
            (
                Order {
                    items: vec![item(" ", 1, 150)],
                    discount_percent: 0,
                },
                "an item has an empty SKU",
            ),
            (
                Order {
                    items: vec![item("pen", 1, 150)],
                    discount_percent: 95,
                },
                "a discount of 95% is above the maximum of 90%",
            ),
            (
                Order {
                    items: vec![item("gold", 2, MAX_CENTS)],
                    discount_percent: 0,
                },
                "the order total passes 9007199254740991 cents at item gold",
            ),
        ];
        for (order, message) in cases {
            assert_eq!(quote(&order).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn cart_merges_repeated_skus_and_keeps_the_latest_price() {
        let mut cart = Cart::new();
        cart.add("pen", 2, 150).unwrap();
        cart.add("book", 1, 1299).unwrap();
        cart.add("pen", 1, 120).unwrap();
        assert_eq!(cart.len(), 2);
        assert_eq!(
            cart.to_order(0).items,
            vec![item("book", 1, 1299), item("pen", 3, 120)]
        );
    }

    #[test]
    fn cart_refuses_bad_items_and_removes_skus() {
        let mut cart = Cart::new();
        assert_eq!(
            cart.add("pen", 0, 150).unwrap_err().to_string(),
            "item pen has quantity 0"
        );
        assert!(cart.is_empty());
        cart.add("pen", u32::MAX, 150).unwrap();
        assert_eq!(
            cart.add("pen", 1, 150).unwrap_err().to_string(),
            "the quantity of item pen is above 4294967295"
        );
        assert!(cart.remove("pen"));
        assert!(!cart.remove("pen"));
        assert!(cart.is_empty());
    }
}
