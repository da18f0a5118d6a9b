//! Pricing a cart in whole cents: line totals, a percentage discount and the
//! total. Plain Rust with no JavaScript types, so it is tested natively; the
//! `js` module exposes it to JavaScript.
//!
//! Amounts are integers and messages never print a float: float formatting
//! would add over 20 KB to the WebAssembly module.

<%_ if (libThiserror) { _%>
use std::fmt;

<%_ } else { _%>
use anyhow::{Context, Result, bail, ensure};

<%_ } _%>
/// The largest amount a JavaScript number holds exactly (2^53 - 1 cents).
/// Larger amounts are refused rather than silently rounded on the JS side.
pub const MAX_CENTS: u64 = (1 << 53) - 1;

/// 2^53, the first whole float above [`MAX_CENTS`].
const TWO_POW_53: f64 = 9_007_199_254_740_992.0;

/// The largest discount, in percent.
pub const MAX_DISCOUNT_PERCENT: u32 = 90;
<%_ if (libThiserror) { _%>

/// Why a price, an item or a quote was refused.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// The text is not digits with up to two decimals, or passes [`MAX_CENTS`].
    #[error("`{0}` is not a price: expected digits with up to two decimals, like 12.50")]
    InvalidPrice(String),
    /// A JavaScript number that is not whole cents in `0..=MAX_CENTS`.
    #[error("the amount is not a whole, non-negative number of cents up to {MAX_CENTS}")]
    InvalidCents,
    /// An item without a SKU.
    #[error("the SKU is empty")]
    EmptySku,
    /// An item of quantity 0.
    #[error("the quantity is 0")]
    ZeroQuantity,
    /// Adding to a SKU's quantity would pass `u32::MAX`.
    #[error("the quantity would pass {max}", max = u32::MAX)]
    TooMany,
    /// A discount above [`MAX_DISCOUNT_PERCENT`].
    #[error("a discount of {0}% is above the maximum of {MAX_DISCOUNT_PERCENT}%")]
    DiscountTooHigh(u32),
    /// A quote of an empty cart.
    #[error("the cart is empty")]
    EmptyCart,
    /// A line or the subtotal would pass [`MAX_CENTS`], at the named SKU.
    #[error("the total passes {MAX_CENTS} cents at item {0}")]
    Overflow(String),
}

// Debug shows the message. `dyn Error` needs Debug, so it is linked into the
// WebAssembly module even though nothing prints it, and a derived one would
// bring string escaping with it: ~10 KB.
impl fmt::Debug for PricingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A result whose error is a [`PricingError`].
pub type Result<T, E = PricingError> = std::result::Result<T, E>;
<%_ } _%>

/// One line of a cart: `quantity` of `sku` at `unit_price_cents` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    /// The stock-keeping unit: what is bought.
    pub sku: String,
    /// How many, at least 1.
    pub quantity: u32,
    /// The price of one, in cents.
    pub unit_price_cents: u64,
}

/// A priced line: the quantity times the unit price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteLine {
    /// The SKU.
    pub sku: String,
    /// How many.
    pub quantity: u32,
    /// The quantity times the unit price, in cents.
    pub line_total_cents: u64,
}

/// A priced cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// One line per SKU, in the order they were first added.
    pub lines: Vec<QuoteLine>,
    /// The sum of the line totals.
    pub subtotal_cents: u64,
    /// The discount, rounded down to whole cents.
    pub discount_cents: u64,
    /// The subtotal less the discount.
    pub total_cents: u64,
}

/// Parses a price typed by a person, like `12.50`, `12.5` or `12`, into cents.
/// Integer arithmetic only: `0.1 + 0.2` never turns into `0.30000000000000004`.
///
/// # Errors
///
/// When `input` is not a price or passes [`MAX_CENTS`].
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
#[must_use]
pub fn format_price(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Checks an amount that arrived as a JavaScript number (always a float) and
/// converts it to whole cents. The message leaves the value out: printing it
/// would bring in float formatting.
///
/// # Errors
///
/// When `value` is not a whole number in `0..=MAX_CENTS` (NaN and the
/// infinities included).
pub fn cents_from_f64(value: f64) -> Result<u64> {
    // Whole and below 2^53 (a float holds it exactly) means at most MAX_CENTS.
    let valid = value.fract() == 0.0 && (0.0..TWO_POW_53).contains(&value);
<%_ if (libThiserror) { _%>
    if !valid {
        return Err(PricingError::InvalidCents);
    }
<%_ } else { _%>
    ensure!(
        valid,
        "the amount is not a whole, non-negative number of cents up to {MAX_CENTS}"
    );
<%_ } _%>
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked above: a whole number in 0..=MAX_CENTS; std has no f64 -> u64 conversion"
    )]
    let cents = value as u64;
    Ok(cents)
}

/// A cart filled one item at a time. Adding a SKU again adds to its quantity
/// and takes the latest price.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cart {
    // A Vec, not a map: a cart holds a handful of lines, searched in no time,
    // they keep the order they were added in, and the module stays smaller.
    items: Vec<LineItem>,
}

impl Cart {
    /// An empty cart.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `quantity` of `sku` at `unit_price_cents`; the latest price wins.
    ///
    /// # Errors
    ///
    /// When the SKU is empty, the quantity is 0, or the SKU's quantity would
    /// pass `u32::MAX`.
    pub fn add(&mut self, sku: &str, quantity: u32, unit_price_cents: u64) -> Result<()> {
<%_ if (libThiserror) { _%>
        if sku.trim().is_empty() {
            return Err(PricingError::EmptySku);
        }
        if quantity == 0 {
            return Err(PricingError::ZeroQuantity);
        }
<%_ } else { _%>
        if sku.trim().is_empty() {
            bail!("the SKU is empty");
        }
        ensure!(quantity > 0, "the quantity is 0");
<%_ } _%>
        let Some(item) = self.items.iter_mut().find(|item| item.sku == sku) else {
            self.items.push(LineItem {
                sku: sku.to_owned(),
                quantity,
                unit_price_cents,
            });
            return Ok(());
        };
        item.quantity = item
            .quantity
            .checked_add(quantity)
<%_ if (libThiserror) { _%>
            .ok_or(PricingError::TooMany)?;
<%_ } else { _%>
            .with_context(|| format!("the quantity would pass {}", u32::MAX))?;
<%_ } _%>
        item.unit_price_cents = unit_price_cents;
        Ok(())
    }

    /// Removes a SKU; returns whether it was in the cart.
    pub fn remove(&mut self, sku: &str) -> bool {
        let held = self.items.len();
        self.items.retain(|item| item.sku != sku);
        self.items.len() < held
    }

    /// The lines, in the order their SKUs were first added.
    #[must_use]
    pub fn items(&self) -> &[LineItem] {
        &self.items
    }

    /// The number of distinct SKUs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the cart holds no line.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Prices every line, the subtotal, the discount (rounded down to whole
    /// cents) and the total.
    ///
    /// # Errors
    ///
    /// When the cart is empty, the discount passes [`MAX_DISCOUNT_PERCENT`],
    /// or a line or the subtotal would pass [`MAX_CENTS`].
    pub fn quote(&self, discount_percent: u32) -> Result<Quote> {
<%_ if (libThiserror) { _%>
        if self.items.is_empty() {
            return Err(PricingError::EmptyCart);
        }
        if discount_percent > MAX_DISCOUNT_PERCENT {
            return Err(PricingError::DiscountTooHigh(discount_percent));
        }
<%_ } else { _%>
        ensure!(!self.items.is_empty(), "the cart is empty");
        ensure!(
            discount_percent <= MAX_DISCOUNT_PERCENT,
            "a discount of {discount_percent}% is above the maximum of {MAX_DISCOUNT_PERCENT}%"
        );
<%_ } _%>
        let mut lines = Vec::with_capacity(self.items.len());
        let mut subtotal_cents: u64 = 0;
        for item in &self.items {
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
                format!("the total passes {MAX_CENTS} cents at item {}", item.sku)
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
        let discount_cents = subtotal_cents * u64::from(discount_percent) / 100;
        Ok(Quote {
            lines,
            subtotal_cents,
            discount_cents,
            total_cents: subtotal_cents - discount_cents,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cart(items: &[(&str, u32, u64)]) -> Cart {
        let mut cart = Cart::new();
        for &(sku, quantity, unit_price_cents) in items {
            cart.add(sku, quantity, unit_price_cents).unwrap();
        }
        cart
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
        assert_eq!(cents_from_f64(9_007_199_254_740_991.0).unwrap(), MAX_CENTS);
        for value in [-1.0, 0.5, f64::NAN, f64::INFINITY, 2f64.powi(53)] {
            let error = cents_from_f64(value).unwrap_err();
            assert!(error.to_string().contains("whole, non-negative"), "{value}");
        }
    }

    #[test]
    fn quotes_lines_subtotal_discount_and_total() {
        let quote = cart(&[("pen", 3, 150), ("book", 1, 1299)])
            .quote(10)
            .unwrap();
        let lines: Vec<_> = quote
            .lines
            .iter()
            .map(|line| (line.sku.as_str(), line.quantity, line.line_total_cents))
            .collect();
        assert_eq!(lines, [("pen", 3, 450), ("book", 1, 1299)]);
        assert_eq!(quote.subtotal_cents, 1749);
        // 10% of 17.49 is 1.749: the discount rounds down to 1.74.
        assert_eq!(quote.discount_cents, 174);
        assert_eq!(quote.total_cents, 1575);
    }

    #[test]
    fn refuses_quotes_it_cannot_price() {
        let cases = [
            (Cart::new(), 0, "the cart is empty"),
            (
                cart(&[("pen", 1, 150)]),
                95,
                "a discount of 95% is above the maximum of 90%",
            ),
            (
                cart(&[("gold", 2, MAX_CENTS)]),
                0,
                "the total passes 9007199254740991 cents at item gold",
            ),
        ];
        for (cart, discount_percent, message) in cases {
            assert_eq!(
                cart.quote(discount_percent).unwrap_err().to_string(),
                message
            );
        }
    }

    #[test]
    fn cart_merges_repeated_skus_and_keeps_the_latest_price() {
        let cart = cart(&[("pen", 2, 150), ("book", 1, 1299), ("pen", 1, 120)]);
        assert_eq!(cart.len(), 2);
        let items: Vec<_> = cart
            .items()
            .iter()
            .map(|item| (item.sku.as_str(), item.quantity, item.unit_price_cents))
            .collect();
        assert_eq!(items, [("pen", 3, 120), ("book", 1, 1299)]);
    }

    #[test]
    fn cart_refuses_bad_items_and_removes_skus() {
        let mut cart = Cart::new();
        for (sku, quantity, message) in [
            ("pen", 0, "the quantity is 0"),
            (" ", 1, "the SKU is empty"),
        ] {
            let error = cart.add(sku, quantity, 150).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
        assert!(cart.is_empty());
        cart.add("pen", u32::MAX, 150).unwrap();
        assert_eq!(
            cart.add("pen", 1, 150).unwrap_err().to_string(),
            "the quantity would pass 4294967295"
        );
        assert!(cart.remove("pen"));
        assert!(!cart.remove("pen"));
        assert!(cart.is_empty());
    }
}
