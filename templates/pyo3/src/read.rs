//! How `fast_compute` and `RunningStats.extend` read floats from Python without
//! a Python object or a `Vec` per value: list and tuple items are read in place
//! (borrowed, with a fast path for exact floats), and buffers (`NumPy` arrays,
//! `array.array`, `memoryview`, `bytes`) are borrowed zero-copy and read with
//! the interpreter released.
//!
//! The two `unsafe` blocks are the ones no safe API covers: a borrowed list
//! item (`PyO3`'s safe accessors take a reference per item, which under the
//! stable ABI costs two more calls into the interpreter), and the bytes behind
//! a buffer (`PyO3`'s `PyBuffer::as_slice` is deprecated as unsound).
#![allow(unsafe_code)]

use pyo3::buffer::{ElementType, PyUntypedBuffer};
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::critical_section::with_critical_section;
use pyo3::types::{PyByteArray, PyBytes, PyFloat, PyList, PyTuple};

use crate::array::{self, Float64Array};
use crate::stats;

/// How many floats `for_each_batch` reads before handing them on: a stack
/// buffer well inside L1, long enough for the SIMD sum to pay.
const BATCH_LEN: usize = 256;

/// Calls `f` with the floats of a list, tuple or other iterable, in order, in
/// runs of at most `BATCH_LEN` (with the index of each run's first value), so
/// that the caller works on slices, which vectorise, and the reading loop does
/// nothing else. Exact floats are read directly; anything else goes through
/// Python's `float()` protocol (`__float__`, `__index__`), so ints, float
/// subclasses and `Decimal` work too.
pub(crate) fn for_each_batch(
    values: &Bound<'_, PyAny>,
    mut f: impl FnMut(usize, &[f64]) -> PyResult<()>,
) -> PyResult<()> {
    let mut batch = [0.0; BATCH_LEN];
    let mut start = 0;
    if let Ok(list) = values.cast::<PyList>() {
        // Free-threaded Python: other threads cannot change the list meanwhile.
        return with_critical_section(list, || {
            loop {
                let filled = fill_from_list(list, start, &mut batch)?;
                if filled == 0 {
                    return Ok(());
                }
                f(start, &batch[..filled])?;
                start += filled;
            }
        });
    }
    let mut floats: Box<dyn Iterator<Item = PyResult<f64>>> =
        if let Ok(tuple) = values.cast::<PyTuple>() {
            Box::new(tuple.iter_borrowed().map(float))
        } else {
            Box::new(values.try_iter()?.map(|item| float(item?.as_borrowed())))
        };
    loop {
        let mut filled = 0;
        for (slot, value) in batch.iter_mut().zip(floats.by_ref()) {
            *slot = value?;
            filled += 1;
        }
        if filled == 0 {
            return Ok(());
        }
        f(start, &batch[..filled])?;
        start += filled;
    }
}

/// Reads the list's items from `start` on into `out`, as many as fit or the
/// list has; returns how many. No closure per item: this is the hot loop.
fn fill_from_list(
    list: &Bound<'_, PyList>,
    start: usize,
    out: &mut [f64; BATCH_LEN],
) -> PyResult<usize> {
    let py = list.py();
    let mut len = list.len();
    let mut filled = 0;
    while filled < out.len()
        && start + filled < len
        && let Ok(at) = ffi::Py_ssize_t::try_from(start + filled)
    {
        // SAFETY: the thread is attached and `list` is a live list. The item is
        // borrowed from the list, which keeps it alive until the list changes;
        // no Python code runs before `float` is done with it (it takes its own
        // reference before calling `__float__`), and on free-threaded Python
        // the critical section keeps other threads from changing the list.
        // PyList_GetItem checks the index: NULL (an IndexError) if out of range.
        let item =
            unsafe { Borrowed::from_ptr_or_err(py, ffi::PyList_GetItem(list.as_ptr(), at)) }?;
        out[filled] = if let Ok(float) = item.cast_exact::<PyFloat>() {
            float.value()
        } else {
            let value = item.to_owned().extract::<f64>()?;
            // `__float__` is Python code, which may have resized the list.
            len = list.len();
            value
        };
        filled += 1;
    }
    Ok(filled)
}

fn float(item: Borrowed<'_, '_, PyAny>) -> PyResult<f64> {
    match item.cast_exact::<PyFloat>() {
        Ok(float) => Ok(float.value()),
        Err(_) => item.extract(),
    }
}

/// A buffer of float64 values, borrowed from the object that exports it until
/// dropped (an exporter such as a `NumPy` array cannot be resized meanwhile).
pub(crate) struct Float64Buffer {
    buffer: PyUntypedBuffer,
    shape: Vec<usize>,
    strides: Vec<isize>,
}

impl Float64Buffer {
    /// The buffer of `values`, or `None` if it exports none (a list, say).
    /// `bytes` and `bytearray` hold packed native-endian float64 values, as
    /// `array("d").tobytes()` writes them; any other buffer must hold float64
    /// items, or this is a `TypeError` naming what it holds.
    pub(crate) fn of(values: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        // SAFETY: the thread is attached and `values` is a live object.
        if unsafe { ffi::PyObject_CheckBuffer(values.as_ptr()) } == 0 {
            return Ok(None);
        }
        let buffer = PyUntypedBuffer::get(values)?;
        if buffer.suboffsets().is_some() {
            return Err(PyBufferError::new_err(
                "indirect (PIL-style) buffers are not supported",
            ));
        }
        let format = buffer.format().to_bytes();
        let (shape, strides) = if buffer.item_size() == 8 && is_native_float64(format) {
            (buffer.shape().to_vec(), buffer.strides().to_vec())
        } else if values.is_exact_instance_of::<PyBytes>()
            || values.is_exact_instance_of::<PyByteArray>()
        {
<% if (libThiserror) { -%>
            let floats = stats::packed_len(buffer.len_bytes())?;
<% } else { -%>
            let floats = stats::packed_len(buffer.len_bytes()).map_err(crate::value_error)?;
<% } -%>
            (vec![floats], vec![8])
        } else {
            return Err(PyTypeError::new_err(format!(
                "expected float64 values, got a buffer of {} (format '{}'); \
                 convert it first, e.g. with NumPy's `.astype(float)`",
                dtype(format),
                String::from_utf8_lossy(format)
            )));
        };
        Ok(Some(Self {
            buffer,
            shape,
            strides,
        }))
    }

    /// Runs `f` on the values with the interpreter released, so other Python
    /// threads run meanwhile.
    pub(crate) fn detached<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(Float64Array<'_>) -> R + Send,
    ) -> PyResult<R> {
        let (low, len) = array::extent(&self.shape, &self.strides)
            .ok_or_else(|| PyBufferError::new_err("the buffer's extent overflows"))?;
        py.detach(|| {
            let bytes: &[u8] = if len == 0 {
                &[]
            } else {
                // SAFETY: PyObject_GetBuffer succeeded and the buffer is released
                // only when `self` drops, after this call, so the exporter keeps
                // `len` bytes from `low` (relative to the first element) alive:
                // they hold every element that shape and strides describe, and the
                // gaps between, which a strided view (no suboffsets) takes from
                // the same block. Nothing writes to them during the call: a
                // read-only exporter never does, and for writable ones (NumPy,
                // `bytearray`) the docstring asks, as NumPy's own functions do
                // (they release the GIL too), that no other thread writes meanwhile.
                unsafe {
                    std::slice::from_raw_parts(
                        self.buffer.buf_ptr().cast::<u8>().cast_const().offset(low),
                        len,
                    )
                }
            };
            let first = low.unsigned_abs();
            Float64Array::new(bytes, first, &self.shape, &self.strides)
                .map(f)
                .ok_or_else(|| PyBufferError::new_err("the buffer's strides leave its extent"))
        })
    }
}

/// `d` with native or no byte order. (`PyO3`'s `Element` check also takes `>d`
/// on little-endian machines, which would read byte-swapped values.)
fn is_native_float64(format: &[u8]) -> bool {
    match format {
        [b'd'] | [b'@' | b'=', b'd'] => true,
        [b'<', b'd'] => cfg!(target_endian = "little"),
        [b'>' | b'!', b'd'] => cfg!(target_endian = "big"),
        _ => false,
    }
}

/// `NumPy`'s name for a buffer format: `int64` for `l`, `float32` for `f`.
fn dtype(format: &[u8]) -> String {
    let Ok(format) = std::ffi::CString::new(format) else {
        return "an unknown type".to_owned();
    };
    let order = match format.as_bytes().first() {
        Some(b'<') if cfg!(target_endian = "big") => "little-endian ",
        Some(b'>' | b'!') if cfg!(target_endian = "little") => "big-endian ",
        _ => "",
    };
    match ElementType::from_format(&format) {
        ElementType::Float { bytes } => format!("{order}float{}", bytes * 8),
        ElementType::SignedInteger { bytes } => format!("{order}int{}", bytes * 8),
        ElementType::UnsignedInteger { bytes } => format!("{order}uint{}", bytes * 8),
        ElementType::Bool => "bool".to_owned(),
        ElementType::Unknown => "an unknown type".to_owned(),
    }
}
