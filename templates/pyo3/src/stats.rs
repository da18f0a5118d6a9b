//! The numerics behind the Python API, in plain Rust: no `PyO3` types here, so
//! `cargo test` checks them without an interpreter and other Rust code can
//! reuse them.
//!
//! Sums are compensated (Knuth's two-sum, the branch-free form of Neumaier's
//! method), so they keep the low-order bits a naive loop drops, like
//! `math.fsum` and, since Python 3.12, the built-in `sum`. Long inputs are
//! split across rayon's thread pool; short ones stay on the calling thread.

<% /* `anyhow::Result` is imported here, so no `result()` helper. */ const res = (ok) => (libThiserror ? `Result<${ok}, StatsError>` : `Result<${ok}>`); -%>
<% if (libThiserror) { -%>
use rayon::prelude::*;
use thiserror::Error;

/// Why a statistic could not be computed. The Python layer maps each variant to
/// an exception class, so callers can tell bad input from too little of it.
#[derive(Debug, Error, PartialEq)]
pub(crate) enum StatsError {
    /// NaN or an infinity among the inputs: it would poison every result.
    #[error("value at index {index} is {value}; only finite numbers are accepted")]
    NonFinite { index: usize, value: f64 },
    /// Packed floats whose length is not a multiple of 8 bytes.
    #[error("{len} bytes are not a whole number of 8-byte floats")]
    PartialFloat { len: usize },
    /// A statistic asked of too few values: the mean of nothing, the variance of one.
    #[error("the {statistic} needs at least {needed} value(s), got {got}")]
    InsufficientData {
        statistic: &'static str,
        needed: usize,
        got: usize,
    },
}
<% } else { -%>
use anyhow::{Result, bail, ensure};
use rayon::prelude::*;
<% } -%>

/// Below this many values (1 MiB, about 0.1 ms of summing on one core) one
/// thread is as fast: waking rayon's workers would eat most of the gain.
pub(crate) const PARALLEL_MIN_LEN: usize = 1 << 17;
/// Values per parallel task: large enough to amortise scheduling, small enough
/// to keep every core busy until the end.
pub(crate) const CHUNK_LEN: usize = 1 << 14;
/// Independent accumulators: no addition waits on the one before, and the loop
/// over them is long enough for the compiler to vectorise it (a loop of 8 it
/// unrolls instead, keeping every lane scalar), yet 512 bytes of state stay in
/// the L1 cache.
const LANES: usize = 32;

/// A float64 as it sits in memory: an `f64`, or its 8 native-endian bytes, as
/// a buffer that need not be 8-byte aligned is read.
pub(crate) trait Float64: Copy {
    fn get(self) -> f64;
}

impl Float64 for f64 {
    #[inline(always)]
    #[allow(clippy::inline_always, reason = "part of the AVX2 kernel")]
    fn get(self) -> f64 {
        self
    }
}

impl Float64 for [u8; 8] {
    #[inline(always)]
    #[allow(clippy::inline_always, reason = "part of the AVX2 kernel")]
    fn get(self) -> f64 {
        f64::from_ne_bytes(self)
    }
}

/// The value itself if it is finite, else the error naming its index.
<% if (libThiserror) { -%>
pub(crate) fn finite(index: usize, value: f64) -> Result<f64, StatsError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(StatsError::NonFinite { index, value })
    }
}

/// How many floats `len` packed bytes hold.
pub(crate) fn packed_len(len: usize) -> Result<usize, StatsError> {
    if len.is_multiple_of(8) {
        Ok(len / 8)
    } else {
        Err(StatsError::PartialFloat { len })
    }
}
<% } else { -%>
pub(crate) fn finite(index: usize, value: f64) -> Result<f64> {
    if value.is_finite() {
        return Ok(value);
    }
    bail!("value at index {index} is {value}; only finite numbers are accepted")
}

/// How many floats `len` packed bytes hold.
pub(crate) fn packed_len(len: usize) -> Result<usize> {
    ensure!(
        len.is_multiple_of(8),
        "{len} bytes are not a whole number of 8-byte floats"
    );
    Ok(len / 8)
}
<% } -%>

/// The result of a sum whose inputs were not checked on the way. NaN and the
/// infinities poison the total, so only a total that is not finite needs a
/// second look at `values`, to name the culprit.
pub(crate) fn settle<I>(total: Compensated, values: impl Fn() -> I) -> <%- res('f64') %>
where
    I: Iterator<Item = f64>,
{
    let value = total.value();
    if value.is_finite() {
        return Ok(value);
    }
    for (index, value) in values().enumerate() {
        finite(index, value)?;
    }
    // Finite values whose total overflowed: what Python's `sum` returns then,
    // the plain left-to-right sum (an infinity).
    Ok(values().sum())
}

/// A running compensated sum: the rounded `sum` plus the low-order part it lost.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Compensated {
    sum: f64,
    lost: f64,
}

impl Compensated {
    /// Sums contiguous values, in `LANES` lanes, four to an instruction where
    /// the CPU has AVX2: wheels target the x86-64 baseline, whose SSE2 holds
    /// two, and the sum runs about 1.7 times faster with four.
    pub(crate) fn of<T: Float64>(values: &[T]) -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, as checked just above.
            #[allow(unsafe_code)]
            return unsafe { Self::of_avx2(values) };
        }
        Self::of_lanes(values)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn of_avx2<T: Float64>(values: &[T]) -> Self {
        Self::of_lanes(values)
    }

    #[inline(always)]
    #[allow(clippy::inline_always, reason = "`of_avx2` compiles it for AVX2")]
    fn of_lanes<T: Float64>(values: &[T]) -> Self {
        let (groups, rest) = values.as_chunks::<LANES>();
        let mut lanes = Lanes::default();
        for group in groups {
            lanes.add(group);
        }
        rest.iter()
            .fold(lanes.total(), |acc, value| acc.add(value.get()))
    }

    /// Sums `len` values read by index (at a stride, say) in the same lanes.
    pub(crate) fn of_strided(len: usize, get: impl Fn(usize) -> f64) -> Self {
        let mut lanes = Lanes::default();
        let groups = len / LANES;
        for group in 0..groups {
            let values: [f64; LANES] = std::array::from_fn(|lane| get(group * LANES + lane));
            lanes.add(&values);
        }
        (groups * LANES..len).fold(lanes.total(), |acc, index| acc.add(get(index)))
    }

    #[must_use]
    pub(crate) fn add(self, value: f64) -> Self {
        let (sum, error) = two_sum(self.sum, value);
        Self {
            sum,
            lost: self.lost + error,
        }
    }

    #[must_use]
    pub(crate) fn merge(self, other: Self) -> Self {
        let merged = self.add(other.sum);
        Self {
            lost: merged.lost + other.lost,
            ..merged
        }
    }

    /// The compensated total. After an overflow the lost part is NaN (inf - inf),
    /// and the running sum alone holds the infinity a plain loop gives.
    pub(crate) fn value(self) -> f64 {
        let value = self.sum + self.lost;
        if value.is_finite() { value } else { self.sum }
    }
}

/// `LANES` compensated sums side by side, as two arrays, so that each step of
/// the loop over the lanes is one SIMD instruction per register of lanes.
#[derive(Default)]
struct Lanes {
    sum: [f64; LANES],
    lost: [f64; LANES],
}

impl Lanes {
    #[inline(always)]
    #[allow(clippy::inline_always, reason = "part of the AVX2 kernel")]
    fn add<T: Float64>(&mut self, values: &[T; LANES]) {
        let lanes = self.sum.iter_mut().zip(&mut self.lost);
        for ((sum, lost), value) in lanes.zip(values) {
            let (total, error) = two_sum(*sum, value.get());
            *sum = total;
            *lost += error;
        }
    }

    fn total(&self) -> Compensated {
        let lanes = self.sum.iter().zip(&self.lost);
        lanes.fold(Compensated::default(), |acc, (&sum, &lost)| {
            acc.merge(Compensated { sum, lost })
        })
    }
}

/// Knuth's two-sum: `a + b` rounded, and the exact error of that rounding,
/// whichever operand is larger. Six additions and no branch, so it vectorises.
#[inline(always)]
#[allow(clippy::inline_always, reason = "part of the AVX2 kernel")]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    let b_part = sum - a;
    let a_part = sum - b_part;
    (sum, (a - a_part) + (b - b_part))
}

/// Count, mean and sum of squared deviations (`m2`) of the values seen so far:
/// the state of Welford's online algorithm. Two summaries merge exactly (Chan et
/// al.), so a long batch is summarised in parallel chunks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Summary {
    count: usize,
    mean: f64,
    m2: f64,
}

impl Summary {
    /// Summarises a batch, refusing it whole if any value is not finite.
    pub(crate) fn of(values: &[f64]) -> <%- res('Self') %> {
        for (index, &value) in values.iter().enumerate() {
            finite(index, value)?;
        }
        Ok(if values.len() < PARALLEL_MIN_LEN {
            Self::of_finite(values)
        } else {
            values
                .par_chunks(CHUNK_LEN)
                .map(Self::of_finite)
                .reduce(Self::default, Self::merge)
        })
    }

    #[allow(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
    fn of_finite(values: &[f64]) -> Self {
        values.iter().fold(Self::default(), |mut acc, &value| {
            acc.count += 1;
            let delta = value - acc.mean;
            acc.mean += delta / acc.count as f64;
            acc.m2 += delta * (value - acc.mean);
            acc
        })
    }

    /// The summary of both batches together.
    #[must_use]
    #[allow(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
    pub(crate) fn merge(self, other: Self) -> Self {
        if other.count == 0 {
            return self;
        }
        if self.count == 0 {
            return other;
        }
        let count = self.count + other.count;
        let delta = other.mean - self.mean;
        let weight = other.count as f64 / count as f64;
        Self {
            count,
            mean: self.mean + delta * weight,
            m2: self.m2 + other.m2 + delta * delta * self.count as f64 * weight,
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

<% if (libThiserror) { -%>
    pub(crate) fn mean(&self) -> Result<f64, StatsError> {
        self.require("mean", 1)?;
        Ok(self.mean)
    }

    /// The sample variance (divisor `n - 1`), as `statistics.variance` computes it.
    #[allow(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
    pub(crate) fn variance(&self) -> Result<f64, StatsError> {
        self.require("variance", 2)?;
        Ok(self.m2 / (self.count - 1) as f64)
    }

    fn require(&self, statistic: &'static str, needed: usize) -> Result<(), StatsError> {
        if self.count < needed {
            return Err(StatsError::InsufficientData {
                statistic,
                needed,
                got: self.count,
            });
        }
        Ok(())
    }
<% } else { -%>
    pub(crate) fn mean(&self) -> Result<f64> {
        ensure!(self.count >= 1, "the mean needs at least 1 value, got none");
        Ok(self.mean)
    }

    /// The sample variance (divisor `n - 1`), as `statistics.variance` computes it.
    #[allow(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
    pub(crate) fn variance(&self) -> Result<f64> {
        ensure!(
            self.count >= 2,
            "the variance needs at least 2 values, got {}",
            self.count
        );
        Ok(self.m2 / (self.count - 1) as f64)
    }
<% } -%>
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these sums are exact")]
#[allow(clippy::cast_precision_loss, reason = "small test values")]
mod tests {
    use super::*;

    /// Values whose naive float sum loses the small terms entirely.
    const CANCELLING: [f64; 4] = [1e16, 1.0, -1e16, 1.0];

    fn sum(values: &[f64]) -> <%- res('f64') %> {
        settle(Compensated::of(values), || values.iter().copied())
    }

    #[test]
    fn sum_keeps_low_order_bits_a_naive_loop_drops() {
        assert_eq!(CANCELLING.iter().sum::<f64>(), 1.0);
        assert_eq!(sum(&CANCELLING).unwrap(), 2.0);
        // Spread over every lane and the remainder, too.
        let long: Vec<f64> = CANCELLING.iter().cycle().take(4 * 101).copied().collect();
        assert_eq!(sum(&long).unwrap(), 202.0);
    }

    #[test]
    fn packed_bytes_sum_like_the_floats_they_hold() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.1).collect();
        let bytes: Vec<[u8; 8]> = values.iter().map(|v| v.to_ne_bytes()).collect();
        assert_eq!(Compensated::of(&bytes).value(), sum(&values).unwrap());
    }

    #[test]
    fn strided_and_contiguous_sums_agree() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i).sin()).collect();
        let strided = Compensated::of_strided(values.len(), |i| values[i]);
        assert_eq!(strided.value(), Compensated::of(&values).value());
    }

    #[test]
    fn sum_of_nothing_is_zero() {
        assert_eq!(sum(&[]).unwrap(), 0.0);
    }

    #[test]
    fn sum_overflow_is_an_infinity_like_python() {
        assert_eq!(sum(&[f64::MAX, f64::MAX]).unwrap(), f64::INFINITY);
        // Lanes that overflow both ways would give NaN: the plain sum decides.
        let mut both = vec![0.0; 64];
        both[0] = f64::MAX;
        both[1] = -f64::MAX;
        both[32] = f64::MAX;
        both[33] = -f64::MAX;
        assert_eq!(sum(&both).unwrap(), 0.0);
    }

    #[test]
    fn non_finite_input_is_refused_with_its_index() {
        let err = sum(&[1.0, 2.0, f64::NAN]).unwrap_err();
<% if (libThiserror) { -%>
        assert!(matches!(err, StatsError::NonFinite { index: 2, value } if value.is_nan()));
<% } -%>
        assert_eq!(
            err.to_string(),
            "value at index 2 is NaN; only finite numbers are accepted"
        );
    }

    #[test]
    fn packed_len_refuses_a_partial_float() {
        assert_eq!(packed_len(16).unwrap(), 2);
        assert_eq!(
            packed_len(12).unwrap_err().to_string(),
            "12 bytes are not a whole number of 8-byte floats"
        );
    }

    #[test]
    fn summary_matches_the_textbook_formulas() {
        let summary = Summary::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(summary.count(), 8);
        assert_eq!(summary.mean().unwrap(), 5.0);
        // Sum of squared deviations is 32; sample variance divides by n - 1.
        assert!((summary.variance().unwrap() - 32.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn merged_summaries_equal_one_summary_of_everything() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i).sin() * 100.0).collect();
        let (left, right) = values.split_at(377);
        let merged = Summary::of(left)
            .unwrap()
            .merge(Summary::of(right).unwrap());
        let whole = Summary::of(&values).unwrap();
        assert_eq!(merged.count(), whole.count());
        assert!((merged.mean().unwrap() - whole.mean().unwrap()).abs() < 1e-12);
        assert!((merged.variance().unwrap() - whole.variance().unwrap()).abs() < 1e-9);
    }

    #[test]
    fn parallel_summary_matches_the_sequential_one() {
        let values: Vec<f64> = (0..PARALLEL_MIN_LEN * 2).map(|i| (i % 97) as f64).collect();
        let parallel = Summary::of(&values).unwrap();
        let sequential = Summary::of_finite(&values);
        assert_eq!(parallel.count(), sequential.count());
        assert!((parallel.mean().unwrap() - sequential.mean().unwrap()).abs() < 1e-9);
        assert!((parallel.variance().unwrap() - sequential.variance().unwrap()).abs() < 1e-6);
    }

    #[test]
    fn too_few_values_is_an_error_naming_the_statistic() {
        let empty = Summary::default();
        let one = Summary::of(&[3.0]).unwrap();
<% if (libThiserror) { -%>
        assert_eq!(
            empty.mean().unwrap_err(),
            StatsError::InsufficientData {
                statistic: "mean",
                needed: 1,
                got: 0
            }
        );
<% } else { -%>
        assert_eq!(
            empty.mean().unwrap_err().to_string(),
            "the mean needs at least 1 value, got none"
        );
<% } -%>
        assert_eq!(one.mean().unwrap(), 3.0);
        assert_eq!(
            one.variance().unwrap_err().to_string(),
<% if (libThiserror) { -%>
            "the variance needs at least 2 value(s), got 1"
<% } else { -%>
            "the variance needs at least 2 values, got 1"
<% } -%>
        );
    }

    #[test]
    fn a_batch_with_a_non_finite_value_is_refused_whole() {
        let err = Summary::of(&[1.0, f64::INFINITY]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "value at index 1 is inf; only finite numbers are accepted"
        );
    }
}
