//! The statistics behind the Python API, in plain Rust: no PyO3 types here, so
//! `cargo test` checks the logic without an interpreter and other Rust code can
//! reuse it.
//!
//! Sums are compensated (Neumaier), so `sum` keeps the low-order bits that a
//! naive loop, and Python's built-in `sum` before 3.12, drop. Long inputs are
//! split across rayon's thread pool; short ones stay on the calling thread.

<% if (libThiserror) { -%>
use rayon::prelude::*;
use thiserror::Error;

/// Why a statistic could not be computed. The Python layer maps each variant to
/// an exception class, so callers can tell bad input from too little of it.
#[derive(Debug, Error, PartialEq)]
pub enum StatsError {
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
const PARALLEL_MIN_LEN: usize = 1 << 17;
/// Values per parallel task: large enough to amortise scheduling, small enough
/// to keep every core busy until the end.
const CHUNK_LEN: usize = 1 << 14;

/// The sum of `values`, compensated for rounding. Like Python's `sum`, a total
/// beyond the range of `f64` is an infinity rather than an error.
<% if (libThiserror) { -%>
pub fn sum(values: &[f64]) -> Result<f64, StatsError> {
<% } else { -%>
pub fn sum(values: &[f64]) -> Result<f64> {
<% } -%>
    check_finite(values)?;
    let total = if values.len() < PARALLEL_MIN_LEN {
        Compensated::of(values)
    } else {
        values
            .par_chunks(CHUNK_LEN)
            .map(Compensated::of)
            .reduce(Compensated::default, Compensated::merge)
    };
    Ok(total.value())
}

/// Floats packed as native-endian 8-byte values, as `array('d').tobytes()` and
/// NumPy's `tobytes()` write them.
<% if (libThiserror) { -%>
pub fn unpack(bytes: &[u8]) -> Result<Vec<f64>, StatsError> {
    let (floats, rest) = bytes.as_chunks::<8>();
    if !rest.is_empty() {
        return Err(StatsError::PartialFloat { len: bytes.len() });
    }
    Ok(floats
        .iter()
        .map(|&float| f64::from_ne_bytes(float))
        .collect())
}
<% } else { -%>
pub fn unpack(bytes: &[u8]) -> Result<Vec<f64>> {
    let (floats, rest) = bytes.as_chunks::<8>();
    ensure!(
        rest.is_empty(),
        "{} bytes are not a whole number of 8-byte floats",
        bytes.len()
    );
    Ok(floats
        .iter()
        .map(|&float| f64::from_ne_bytes(float))
        .collect())
}
<% } -%>

<% if (libThiserror) { -%>
fn check_finite(values: &[f64]) -> Result<(), StatsError> {
    let Some(index) = values.iter().position(|v| !v.is_finite()) else {
        return Ok(());
    };
    Err(StatsError::NonFinite {
        index,
        value: values[index],
    })
}
<% } else { -%>
fn check_finite(values: &[f64]) -> Result<()> {
    let Some(index) = values.iter().position(|v| !v.is_finite()) else {
        return Ok(());
    };
    bail!(
        "value at index {index} is {}; only finite numbers are accepted",
        values[index]
    )
}
<% } -%>

/// A running Neumaier sum: the rounded `sum` plus the low-order part it lost.
#[derive(Debug, Clone, Copy, Default)]
struct Compensated {
    sum: f64,
    lost: f64,
}

impl Compensated {
    /// Four independent accumulators: each addition waits only on its own lane,
    /// so the CPU overlaps them; one chain would be about 2.5x slower.
    fn of(values: &[f64]) -> Self {
        let (quads, rest) = values.as_chunks::<4>();
        let mut lanes = [Self::default(); 4];
        for quad in quads {
            for (lane, &value) in lanes.iter_mut().zip(quad) {
                *lane = lane.add(value);
            }
        }
        let [a, b, c, d] = lanes;
        rest.iter()
            .fold(a.merge(b).merge(c.merge(d)), |acc, &value| acc.add(value))
    }

    fn add(self, value: f64) -> Self {
        let sum = self.sum + value;
        // Whichever operand is smaller lost its low bits in the addition; recover them.
        let lost = if self.sum.abs() >= value.abs() {
            (self.sum - sum) + value
        } else {
            (value - sum) + self.sum
        };
        Self {
            sum,
            lost: self.lost + lost,
        }
    }

    fn merge(self, other: Self) -> Self {
        let merged = self.add(other.sum);
        Self {
            lost: merged.lost + other.lost,
            ..merged
        }
    }

    fn value(self) -> f64 {
        // After an overflow `lost` is NaN (inf - inf); the plain sum holds the right infinity.
        if self.lost.is_finite() {
            self.sum + self.lost
        } else {
            self.sum
        }
    }
}

/// Count, mean and sum of squared deviations (`m2`) of the values seen so far:
/// the state of Welford's online algorithm. Two summaries merge exactly (Chan et
/// al.), so a long batch is summarised in parallel chunks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    count: usize,
    mean: f64,
    m2: f64,
}

impl Summary {
    /// Summarises a batch, refusing it whole if any value is not finite.
<% if (libThiserror) { -%>
    pub fn of(values: &[f64]) -> Result<Self, StatsError> {
<% } else { -%>
    pub fn of(values: &[f64]) -> Result<Self> {
<% } -%>
        check_finite(values)?;
        Ok(if values.len() < PARALLEL_MIN_LEN {
            Self::of_finite(values)
        } else {
            values
                .par_chunks(CHUNK_LEN)
                .map(Self::of_finite)
                .reduce(Self::default, Self::merge)
        })
    }

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
    pub fn merge(self, other: Self) -> Self {
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

    pub fn count(&self) -> usize {
        self.count
    }

<% if (libThiserror) { -%>
    pub fn mean(&self) -> Result<f64, StatsError> {
        self.require("mean", 1)?;
        Ok(self.mean)
    }

    /// The sample variance (divisor `n - 1`), as `statistics.variance` computes it.
    pub fn variance(&self) -> Result<f64, StatsError> {
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
    pub fn mean(&self) -> Result<f64> {
        ensure!(self.count >= 1, "the mean needs at least 1 value, got none");
        Ok(self.mean)
    }

    /// The sample variance (divisor `n - 1`), as `statistics.variance` computes it.
    pub fn variance(&self) -> Result<f64> {
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
mod tests {
    use super::*;

    /// Values whose naive float sum loses the small terms entirely.
    const CANCELLING: [f64; 4] = [1e16, 1.0, -1e16, 1.0];

    #[test]
    fn sum_keeps_low_order_bits_a_naive_loop_drops() {
        assert_eq!(CANCELLING.iter().sum::<f64>(), 1.0);
        assert_eq!(sum(&CANCELLING).unwrap(), 2.0);
    }

    #[test]
    fn sum_of_nothing_is_zero() {
        assert_eq!(sum(&[]).unwrap(), 0.0);
    }

    #[test]
    fn parallel_sum_matches_the_exact_total() {
        // Long enough to take the rayon path; every partial sum is exact in f64.
        let values: Vec<f64> = (0..PARALLEL_MIN_LEN * 3)
            .map(|i| (i % 1000) as f64)
            .collect();
        let expected = (PARALLEL_MIN_LEN * 3 / 1000) as f64 * 499_500.0
            + (0..(PARALLEL_MIN_LEN * 3 % 1000)).sum::<usize>() as f64;
        assert_eq!(sum(&values).unwrap(), expected);
    }

    #[test]
    fn sum_overflow_is_an_infinity_like_python() {
        assert_eq!(sum(&[f64::MAX, f64::MAX]).unwrap(), f64::INFINITY);
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
    fn unpack_reads_native_endian_floats_and_refuses_a_partial_one() {
        let bytes: Vec<u8> = [1.5f64, -2.0]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        assert_eq!(unpack(&bytes).unwrap(), vec![1.5, -2.0]);
        assert_eq!(
            unpack(&bytes[..12]).unwrap_err().to_string(),
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
