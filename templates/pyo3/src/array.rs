//! A read-only view of float64 values laid out the way Python's buffer protocol
//! describes them: any number of dimensions, byte strides of either sign (zero
//! for `NumPy`'s broadcast arrays), no alignment promised. It is plain Rust over
//! a borrowed byte span, so every read is bounds-checked; only building that
//! span from a Python buffer (`read.rs`) is unsafe.
//!
//! Written out rather than taken from `ndarray`, whose views need aligned,
//! element-sized strides: a `NumPy` field of a packed record has neither.

use rayon::prelude::*;

<% if (libThiserror) { -%>
use crate::stats::{self, CHUNK_LEN, Compensated, PARALLEL_MIN_LEN, StatsError};
<% } else { -%>
use crate::stats::{self, CHUNK_LEN, Compensated, PARALLEL_MIN_LEN};
<% } -%>

/// Bytes per float64.
const ITEM: usize = 8;

/// N-dimensional float64 values inside `bytes`.
#[derive(Debug)]
pub(crate) struct Float64Array<'a> {
    bytes: &'a [u8],
    /// Byte offset of the element at index `[0, 0, …]`.
    first: usize,
    shape: &'a [usize],
    strides: &'a [isize],
}

/// The bytes, relative to element `[0, 0, …]`, that hold every element of an
/// array of this shape and these byte strides: `(lowest offset, length)`.
/// `None` if the extent does not fit in memory.
pub(crate) fn extent(shape: &[usize], strides: &[isize]) -> Option<(isize, usize)> {
    if shape.contains(&0) {
        return Some((0, 0));
    }
    let (mut low, mut high) = (0isize, 0isize);
    for (&len, &stride) in shape.iter().zip(strides) {
        let reach = isize::try_from(len - 1).ok()?.checked_mul(stride)?;
        if reach < 0 {
            low = low.checked_add(reach)?;
        } else {
            high = high.checked_add(reach)?;
        }
    }
    let len = usize::try_from(high.checked_sub(low)?)
        .ok()?
        .checked_add(ITEM)?;
    Some((low, len))
}

impl<'a> Float64Array<'a> {
    /// The array whose element `[0, 0, …]` starts at `bytes[first..]`; `None` if
    /// an element would lie outside `bytes` or the dimensions disagree.
    pub(crate) fn new(
        bytes: &'a [u8],
        first: usize,
        shape: &'a [usize],
        strides: &'a [isize],
    ) -> Option<Self> {
        if shape.len() != strides.len() {
            return None;
        }
        let (low, len) = extent(shape, strides)?;
        let start = first.checked_add_signed(low)?;
        if len > 0 && start.checked_add(len)? > bytes.len() {
            return None;
        }
        Some(Self {
            bytes,
            first,
            shape,
            strides,
        })
    }

    /// How many values the array holds.
    pub(crate) fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The values in C order (last index fastest), as `array.flat` yields them.
    pub(crate) fn values(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.len()).map(move |flat| {
            let mut rest = flat;
            let mut offset = self.first;
            for (&len, &stride) in self.shape.iter().zip(self.strides).rev() {
                offset = offset.wrapping_add_signed(stride * (rest % len).cast_signed());
                rest /= len;
            }
            self.read(offset)
        })
    }

    fn read(&self, offset: usize) -> f64 {
        let mut item = [0; ITEM];
        item.copy_from_slice(&self.bytes[offset..offset + ITEM]);
        f64::from_ne_bytes(item)
    }

    /// The compensated sum of every value; a NaN or an infinity is refused with
    /// its index in C order.
    pub(crate) fn sum(&self) -> <%- result('f64', 'StatsError') %> {
        let runs = Runs::of(self);
        let units = runs.units();
        let total = if self.len() < PARALLEL_MIN_LEN {
            (0..units)
                .map(|unit| runs.sum(unit))
                .fold(Compensated::default(), Compensated::merge)
        } else {
            (0..units)
                .into_par_iter()
                .map(|unit| runs.sum(unit))
                .reduce(Compensated::default, Compensated::merge)
        };
        stats::settle(total, || self.values())
    }
}

/// The array's values as evenly strided runs in memory order: dimensions of
/// length 1 dropped, negative strides flipped, and dimensions that continue
/// each other merged, so a C- or Fortran-contiguous array is one contiguous run
/// and a sum visits memory front to back.
#[derive(Debug)]
struct Runs<'a> {
    bytes: &'a [u8],
    first: usize,
    /// `(length, byte stride)` of each outer dimension, outermost first.
    outer: Vec<(usize, usize)>,
    inner_len: usize,
    inner_stride: usize,
}

impl<'a> Runs<'a> {
    fn of(array: &Float64Array<'a>) -> Self {
        let mut first = array.first;
        let mut dims = Vec::with_capacity(array.shape.len());
        for (&len, &stride) in array.shape.iter().zip(array.strides) {
            if len == 0 {
                dims = vec![(0, ITEM)];
                break;
            }
            if len == 1 {
                continue;
            }
            if stride < 0 {
                first = first.wrapping_add_signed(stride * (len - 1).cast_signed());
            }
            dims.push((len, stride.unsigned_abs()));
        }
        dims.sort_by_key(|&(_, stride)| std::cmp::Reverse(stride));
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(dims.len());
        for (len, stride) in dims {
            if let Some(outer) = merged.last_mut()
                && outer.1 == len * stride
            {
                *outer = (outer.0 * len, stride);
            } else {
                merged.push((len, stride));
            }
        }
        let (inner_len, inner_stride) = merged.pop().unwrap_or((1, ITEM));
        Self {
            bytes: array.bytes,
            first,
            outer: merged,
            inner_len,
            inner_stride,
        }
    }

    fn chunks_per_run(&self) -> usize {
        self.inner_len.div_ceil(CHUNK_LEN)
    }

    /// Units of work: each run split into chunks of at most `CHUNK_LEN` values.
    fn units(&self) -> usize {
        self.outer.iter().map(|&(len, _)| len).product::<usize>() * self.chunks_per_run()
    }

    fn sum(&self, unit: usize) -> Compensated {
        let (run, chunk) = (unit / self.chunks_per_run(), unit % self.chunks_per_run());
        let mut rest = run;
        let mut start = self.first + chunk * CHUNK_LEN * self.inner_stride;
        for &(len, stride) in self.outer.iter().rev() {
            start += rest % len * stride;
            rest /= len;
        }
        let len = CHUNK_LEN.min(self.inner_len - chunk * CHUNK_LEN);
        if self.inner_stride == ITEM {
            let (values, _) = self.bytes[start..start + len * ITEM].as_chunks::<ITEM>();
            return Compensated::of(values);
        }
        Compensated::of_strided(len, |index| {
            let offset = start + index * self.inner_stride;
            let mut item = [0; ITEM];
            item.copy_from_slice(&self.bytes[offset..offset + ITEM]);
            f64::from_ne_bytes(item)
        })
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "these sums are exact")]
#[allow(clippy::cast_precision_loss, reason = "small test values")]
mod tests {
    use super::*;

    fn bytes(values: &[f64]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_ne_bytes()).collect()
    }

    /// `[[0, 1, 2], [3, 4, 5]]` in C order.
    fn matrix() -> Vec<u8> {
        bytes(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    }

    #[test]
    fn contiguous_transposed_and_reversed_views_sum_alike() {
        let data = matrix();
        let shape = [2, 3];
        let c_order = Float64Array::new(&data, 0, &shape, &[24, 8]).unwrap();
        assert_eq!(c_order.sum().unwrap(), 15.0);
        assert_eq!(
            c_order.values().collect::<Vec<_>>(),
            [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        );
        // The transpose, `a.T`: Fortran order over the same bytes.
        let transposed = Float64Array::new(&data, 0, &[3, 2], &[8, 24]).unwrap();
        assert_eq!(
            transposed.values().collect::<Vec<_>>(),
            [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        );
        assert_eq!(transposed.sum().unwrap(), 15.0);
        // `a[::-1, ::-1]`: element [0, 0] is the last one in memory.
        let reversed = Float64Array::new(&data, 40, &shape, &[-24, -8]).unwrap();
        assert_eq!(reversed.values().next(), Some(5.0));
        assert_eq!(reversed.sum().unwrap(), 15.0);
    }

    #[test]
    fn strided_broadcast_and_unaligned_views() {
        let data = matrix();
        // `a[:, ::2]`: columns 0 and 2.
        let every_other = Float64Array::new(&data, 0, &[2, 2], &[24, 16]).unwrap();
        assert_eq!(every_other.sum().unwrap(), 0.0 + 2.0 + 3.0 + 5.0);
        // `np.broadcast_to(a[0], (4, 3))`: a zero stride repeats the row.
        let broadcast = Float64Array::new(&data, 0, &[4, 3], &[0, 8]).unwrap();
        assert_eq!(broadcast.sum().unwrap(), 12.0);
        // A float64 field of packed 9-byte records: no alignment, odd stride.
        let mut records = Vec::new();
        for value in [1.5, 2.5, 3.0] {
            records.extend(f64::to_ne_bytes(value));
            records.push(0xff);
        }
        let field = Float64Array::new(&records, 0, &[3], &[9]).unwrap();
        assert_eq!(field.sum().unwrap(), 7.0);
    }

    #[test]
    fn a_long_strided_run_is_split_across_threads() {
        let values: Vec<f64> = (0..PARALLEL_MIN_LEN * 4)
            .map(|i| (i % 1000) as f64)
            .collect();
        let data = bytes(&values);
        // Every other value: those at even indices.
        let half = Float64Array::new(&data, 0, &[PARALLEL_MIN_LEN * 2], &[16]).unwrap();
        let expected: f64 = values.iter().step_by(2).sum();
        assert_eq!(half.sum().unwrap(), expected);
    }

    #[test]
    fn empty_and_zero_dimensional_arrays() {
        let empty = Float64Array::new(&[], 0, &[0, 3], &[24, 8]).unwrap();
        assert_eq!(empty.sum().unwrap(), 0.0);
        // A NumPy scalar array: no dimensions, one value.
        let data = bytes(&[4.0]);
        let scalar = Float64Array::new(&data, 0, &[], &[]).unwrap();
        assert_eq!(scalar.sum().unwrap(), 4.0);
    }

    #[test]
    fn a_view_reaching_outside_its_bytes_is_refused() {
        let data = matrix();
        assert!(Float64Array::new(&data, 0, &[2, 3], &[32, 8]).is_none());
        assert!(Float64Array::new(&data, 8, &[2, 3], &[-24, 8]).is_none());
        assert!(Float64Array::new(&data, 0, &[2], &[8, 8]).is_none());
        assert!(extent(&[usize::MAX, 2], &[isize::MAX, 8]).is_none());
    }

    #[test]
    fn a_non_finite_value_is_named_by_its_index_in_c_order() {
        let data = bytes(&[0.0, 1.0, f64::NAN, 3.0]);
        // The transpose of [[0, 1], [nan, 3]] holds NaN at flat index 1.
        let transposed = Float64Array::new(&data, 0, &[2, 2], &[8, 16]).unwrap();
        assert_eq!(
            transposed.sum().unwrap_err().to_string(),
            "value at index 1 is NaN; only finite numbers are accepted"
        );
    }
}
