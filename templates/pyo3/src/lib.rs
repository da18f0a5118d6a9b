//! `<%= moduleName %>`: fast statistics for Python, written in Rust with `PyO3`.
//!
//! This file is the Python-facing layer: the functions and the class,
//! exceptions, and releasing the interpreter around CPU-bound work. `read`
//! gets floats out of Python objects without copying them; `array` and `stats`
//! hold the numerics, which know nothing of Python. maturin builds the crate
//! into `<%= moduleName %>/_native`; `python/<%= moduleName %>/__init__.py` re-exports it.

mod array;
mod read;
mod stats;

use std::sync::{Mutex, PoisonError};

<% if (!libThiserror) { -%>
use anyhow::Context;
<% } -%>
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::read::Float64Buffer;
<% if (libThiserror) { -%>
use crate::stats::{Compensated, StatsError, Summary};
<% } else { -%>
use crate::stats::{Compensated, Summary};
<% } -%>

// A ValueError subclass, like `statistics.StatisticsError`: `except ValueError` still catches it.
create_exception!(
    <%= moduleName %>,
    InsufficientDataError,
    PyValueError,
    "A statistic was asked of too few values."
);

<% if (libThiserror) { -%>
/// Typed errors map to exceptions by variant: bad input is Python's own
/// `ValueError`, too little input is our `InsufficientDataError`.
impl From<StatsError> for PyErr {
    fn from(err: StatsError) -> Self {
        match err {
            StatsError::NonFinite { .. } | StatsError::PartialFloat { .. } => {
                PyValueError::new_err(err.to_string())
            }
            StatsError::InsufficientData { .. } => InsufficientDataError::new_err(err.to_string()),
        }
    }
}

/// A batch for `RunningStats.extend`, summarised.
fn summarise(values: &[f64]) -> PyResult<Summary> {
    Ok(Summary::of(values)?)
}
<% } else { -%>
// anyhow errors have no type to match on, so each binding says which exception
// its failures become; `{:#}` keeps the whole context chain in the message.
#[allow(clippy::needless_pass_by_value, reason = "a `map_err` adapter")]
fn value_error(err: anyhow::Error) -> PyErr {
    PyValueError::new_err(format!("{err:#}"))
}

#[allow(clippy::needless_pass_by_value, reason = "a `map_err` adapter")]
fn insufficient_data(err: anyhow::Error) -> PyErr {
    InsufficientDataError::new_err(format!("{err:#}"))
}

/// A batch for `RunningStats.extend`, summarised.
fn summarise(values: &[f64]) -> PyResult<Summary> {
    Summary::of(values)
        .with_context(|| format!("cannot add {} values to RunningStats", values.len()))
        .map_err(value_error)
}
<% } -%>

/// Sum floats, compensated for rounding like `math.fsum`.
///
/// Takes a list, tuple or other iterable of numbers, or a buffer of float64
/// values (a `NumPy` array, `array.array("d")`, `memoryview`) without copying
/// it; `bytes` and `bytearray` hold packed native-endian float64 values.
/// Raises `ValueError` if a value is NaN or infinite, `TypeError` for a buffer of
/// another type. Buffers are summed with the GIL released, on every core when
/// long: no other thread may write to the buffer during the call.
#[pyfunction]
fn fast_compute(values: &Bound<'_, PyAny>) -> PyResult<f64> {
    if let Some(buffer) = Float64Buffer::of(values)? {
<% if (libThiserror) { -%>
        return Ok(buffer.detached(values.py(), |array| array.sum())??);
<% } else { -%>
        return buffer
            .detached(values.py(), |array| array.sum().context("fast_compute"))?
            .map_err(value_error);
<% } -%>
    }
    // Python objects are summed as they are read, a stack buffer at a time (no Vec, no
    // second pass), so the sum itself runs in SIMD lanes while the reading loop stays short.
    let mut total = Compensated::default();
    read::for_each_batch(values, |start, batch| {
        let sum = Compensated::of(batch);
        // NaN and the infinities poison a sum: only then is the batch looked at again.
        if !sum.value().is_finite() {
            for (index, &value) in batch.iter().enumerate() {
<% if (libThiserror) { -%>
                stats::finite(start + index, value)?;
<% } else { -%>
                stats::finite(start + index, value)
                    .context("fast_compute")
                    .map_err(value_error)?;
<% } -%>
            }
        }
        total = total.merge(sum);
        Ok(())
    })?;
    Ok(total.value())
}

/// Count, mean and variance of a stream of floats, updated in O(1) memory.
///
/// Safe to share between threads, free-threaded Python included: the class is
/// frozen (no `&mut self`, so no "Already borrowed" errors when two threads
/// call it at once) and its state sits behind a mutex that is held only to
/// merge a batch summarised beforehand.
#[pyclass(frozen)]
// Apart from `frozen`, so that rustfmt keeps the line whole for any module name.
#[pyo3(module = "<%= moduleName %>")]
#[derive(Debug, Default)]
struct RunningStats {
    summary: Mutex<Summary>,
}

impl RunningStats {
    fn summary(&self) -> Summary {
        // A panic cannot leave a half-written `Summary` (it is replaced whole),
        // so a poisoned lock still holds a consistent value.
        *self.summary.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn merge(&self, batch: Summary) {
        let mut summary = self.summary.lock().unwrap_or_else(PoisonError::into_inner);
        *summary = summary.merge(batch);
    }
}

#[pymethods]
impl RunningStats {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Add one value. Raises `ValueError` if it is NaN or infinite.
    fn push(&self, value: f64) -> PyResult<()> {
<% if (libThiserror) { -%>
        self.merge(Summary::of(&[value])?);
<% } else { -%>
        let one = Summary::of(&[value]).map_err(value_error)?;
        self.merge(one);
<% } -%>
        Ok(())
    }

    /// Add many values at once, from any iterable (a generator too) or a
    /// float64 buffer; the batch is refused whole if one is NaN or infinite.
    fn extend(&self, values: &Bound<'_, PyAny>) -> PyResult<()> {
        // Values are read while attached; summarising the batch is the
        // expensive part, so it runs detached, and only the merge takes the lock.
        let py = values.py();
        let batch = if let Some(buffer) = Float64Buffer::of(values)? {
            buffer.detached(py, |array| summarise(&array.values().collect::<Vec<_>>()))??
        } else {
            let mut batch = Vec::new();
            read::for_each_batch(values, |_, floats| {
                batch.extend_from_slice(floats);
                Ok(())
            })?;
            py.detach(|| summarise(&batch))?
        };
        self.merge(batch);
        Ok(())
    }

    /// How many values were added.
    #[getter]
    fn count(&self) -> usize {
        self.summary().count()
    }

    /// Arithmetic mean. Raises `InsufficientDataError` when empty.
    fn mean(&self) -> PyResult<f64> {
<% if (libThiserror) { -%>
        Ok(self.summary().mean()?)
<% } else { -%>
        self.summary().mean().map_err(insufficient_data)
<% } -%>
    }

    /// Sample variance. Raises `InsufficientDataError` with fewer than two values.
    fn variance(&self) -> PyResult<f64> {
<% if (libThiserror) { -%>
        Ok(self.summary().variance()?)
<% } else { -%>
        self.summary().variance().map_err(insufficient_data)
<% } -%>
    }

    fn __len__(&self) -> usize {
        self.summary().count()
    }

    fn __repr__(&self) -> String {
        let summary = self.summary();
        match summary.mean() {
            Ok(mean) => format!("RunningStats(count={}, mean={mean:?})", summary.count()),
            Err(_) => "RunningStats(count=0)".to_owned(),
        }
    }
}

/// Fast statistics written in Rust. Import the public API from `<%= moduleName %>`.
///
/// `gil_used = false` declares the module safe on free-threaded Python with
/// the GIL off (`PyO3`'s default since 0.28, stated here because it is a
/// promise): `RunningStats` locks its state, and `read` borrows list items
/// only inside a critical section.
#[pymodule(name = "_native", gil_used = false)]
mod native {
    #[pymodule_export]
    use super::{InsufficientDataError, RunningStats, fast_compute};
}
