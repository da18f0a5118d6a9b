//! `<%= moduleName %>`: fast statistics for Python, written in Rust with PyO3.
//!
//! This file is the Python-facing layer: argument conversion, exceptions, and
//! releasing the interpreter around CPU-bound work. The numerics live in
//! `stats`, which knows nothing of Python. maturin builds the crate into
//! `<%= moduleName %>/_native`; `python/<%= moduleName %>/__init__.py` re-exports it.

mod stats;

<% if (!libThiserror) { -%>
use anyhow::Context;
<% } -%>
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

<% if (libThiserror) { -%>
use crate::stats::{StatsError, Summary};
<% } else { -%>
use crate::stats::Summary;
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
<% } else { -%>
// anyhow errors have no type to match on, so each binding says which exception
// its failures become; `{:#}` keeps the whole context chain in the message.
fn value_error(err: anyhow::Error) -> PyErr {
    PyValueError::new_err(format!("{err:#}"))
}

fn insufficient_data(err: anyhow::Error) -> PyErr {
    InsufficientDataError::new_err(format!("{err:#}"))
}
<% } -%>

/// Sum a sequence of floats, compensated for rounding like `math.fsum`.
///
/// Raises ValueError if a value is NaN or infinite.
#[pyfunction]
fn fast_compute(py: Python<'_>, values: Vec<f64>) -> PyResult<f64> {
    // Reading the Python list needs the interpreter; summing does not, so other
    // Python threads run meanwhile.
<% if (libThiserror) { -%>
    Ok(py.detach(|| stats::sum(&values))?)
<% } else { -%>
    py.detach(|| stats::sum(&values).context("fast_compute"))
        .map_err(value_error)
<% } -%>
}

/// Sum floats packed as native-endian float64 bytes, e.g. `array("d", values).tobytes()`.
///
/// Raises ValueError if the length is not a multiple of 8 or a value is NaN or infinite.
#[pyfunction]
fn fast_compute_bytes(py: Python<'_>, data: &[u8]) -> PyResult<f64> {
    // `data` borrows the immutable bytes object for the whole call, so decoding
    // and summing both run detached: no per-item Python objects at all.
<% if (libThiserror) { -%>
    Ok(py.detach(|| stats::unpack(data).and_then(|values| stats::sum(&values)))?)
<% } else { -%>
    py.detach(|| {
        let values = stats::unpack(data)?;
        stats::sum(&values)
    })
    .context("fast_compute_bytes")
    .map_err(value_error)
<% } -%>
}

/// Count, mean and variance of a stream of floats, updated in O(1) memory.
#[pyclass(module = "<%= moduleName %>")]
#[derive(Debug, Default)]
struct RunningStats {
    summary: Summary,
}

#[pymethods]
impl RunningStats {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Add one value. Raises ValueError if it is NaN or infinite.
    fn push(&mut self, value: f64) -> PyResult<()> {
<% if (libThiserror) { -%>
        self.summary = self.summary.merge(Summary::of(&[value])?);
<% } else { -%>
        let one = Summary::of(&[value]).map_err(value_error)?;
        self.summary = self.summary.merge(one);
<% } -%>
        Ok(())
    }

    /// Add many values at once, from any iterable (a generator too); the batch
    /// is refused whole if one is NaN or infinite.
    fn extend(&mut self, values: &Bound<'_, PyAny>) -> PyResult<()> {
        // Python objects are read while attached; summarising the batch is the
        // expensive part, so it runs detached and only the cheap merge is not.
        let py = values.py();
        let values = values
            .try_iter()?
            .map(|item| item?.extract::<f64>())
            .collect::<PyResult<Vec<f64>>>()?;
<% if (libThiserror) { -%>
        let batch = py.detach(|| Summary::of(&values))?;
<% } else { -%>
        let batch = py
            .detach(|| {
                Summary::of(&values)
                    .with_context(|| format!("cannot add {} values to RunningStats", values.len()))
            })
            .map_err(value_error)?;
<% } -%>
        self.summary = self.summary.merge(batch);
        Ok(())
    }

    /// How many values were added.
    #[getter]
    fn count(&self) -> usize {
        self.summary.count()
    }

    /// Arithmetic mean. Raises InsufficientDataError when empty.
    fn mean(&self) -> PyResult<f64> {
<% if (libThiserror) { -%>
        Ok(self.summary.mean()?)
<% } else { -%>
        self.summary.mean().map_err(insufficient_data)
<% } -%>
    }

    /// Sample variance. Raises InsufficientDataError with fewer than two values.
    fn variance(&self) -> PyResult<f64> {
<% if (libThiserror) { -%>
        Ok(self.summary.variance()?)
<% } else { -%>
        self.summary.variance().map_err(insufficient_data)
<% } -%>
    }

    fn __len__(&self) -> usize {
        self.summary.count()
    }

    fn __repr__(&self) -> String {
        match self.summary.mean() {
            Ok(mean) => format!(
                "RunningStats(count={}, mean={mean:?})",
                self.summary.count()
            ),
            Err(_) => "RunningStats(count=0)".to_owned(),
        }
    }
}

/// Fast statistics written in Rust. Import the public API from `<%= moduleName %>`.
#[pymodule(name = "_native")]
mod native {
    #[pymodule_export]
    use super::{InsufficientDataError, RunningStats, fast_compute, fast_compute_bytes};
}
