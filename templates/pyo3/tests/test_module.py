"""Tests of the Python API of <%= moduleName %>, run against the installed wheel with pytest.

The NumPy tests run where NumPy is installed (`pip install numpy`); the package
itself does not need it.
"""

import math
import random
import statistics
import sys
import sysconfig
import threading
import time
from array import array
from decimal import Decimal
from fractions import Fraction

import pytest

import <%= moduleName %>
from <%= moduleName %> import InsufficientDataError, RunningStats, fast_compute


def test_fast_compute_matches_fsum() -> None:
    rng = random.Random(7)
    values = [rng.uniform(-1e6, 1e6) for _ in range(10_000)]
    assert fast_compute(values) == pytest.approx(math.fsum(values), rel=1e-15, abs=1e-6)


def test_fast_compute_keeps_what_naive_summation_drops() -> None:
    # A left-to-right float sum gives 0.0 here; the compensated sum gives the exact values.
    assert fast_compute([1e16, 1.0, -1e16]) == 1.0
    assert fast_compute([1e16, 1.0, -1e16, 1.0]) == 2.0


def test_fast_compute_reads_any_iterable_of_numbers() -> None:
    assert fast_compute((1, 2.5, 3)) == 6.5
    assert fast_compute(float(i) for i in range(5)) == 10.0
    assert fast_compute(range(101)) == 5050.0
    assert fast_compute([]) == 0.0


def test_fast_compute_takes_ints_float_subclasses_and_the_float_protocol() -> None:
    class Metres(float):
        pass

    assert fast_compute([Metres(1.5), 2, True]) == 4.5
    assert fast_compute([Decimal("0.25"), Fraction(1, 4)]) == 0.5  # type: ignore[list-item]
    assert fast_compute([2**53, 1.0]) == 2.0**53 + 1.0


def test_fast_compute_rejects_non_finite_values_with_value_error() -> None:
    with pytest.raises(ValueError, match="index 2"):
        fast_compute([1.0, 2.0, math.nan])
    with pytest.raises(ValueError, match="only finite numbers"):
        fast_compute([math.inf])


def test_fast_compute_reads_long_inputs_across_its_batches() -> None:
    # Longer than the stack buffer the items are read into, whatever its length.
    n = 100_003
    assert fast_compute(list(range(n))) == n * (n - 1) / 2
    assert fast_compute(tuple(range(n))) == n * (n - 1) / 2
    assert fast_compute(float(i) for i in range(n)) == n * (n - 1) / 2
    for values in ([1.0] * n, tuple([1.0] * n)):
        poisoned = list(values)
        poisoned[77_777] = math.nan
        with pytest.raises(ValueError, match="index 77777 is NaN"):
            fast_compute(poisoned if isinstance(values, list) else tuple(poisoned))


def test_fast_compute_overflows_to_infinity_like_sum() -> None:
    assert fast_compute([1e308, 1e308]) == math.inf


def test_fast_compute_rejects_what_is_not_numbers() -> None:
    with pytest.raises(TypeError):
        fast_compute("1.0")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fast_compute([1.0, "two"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        fast_compute(5)  # type: ignore[arg-type]


def test_fast_compute_survives_a_list_changed_while_it_is_read() -> None:
    values: list[float] = [1.0, 2.0, 3.0, 4.0]

    class Shrinking:
        def __float__(self) -> float:
            values.clear()
            return 10.0

    values.insert(1, Shrinking())  # type: ignore[arg-type]
    # The items read before the list was emptied count; nothing after.
    assert fast_compute(values) == 11.0
    # Also far into the list, past the first batch of items read.
    values[:] = [1.0] * 1000
    values[600] = Shrinking()  # type: ignore[call-overload]
    assert fast_compute(values) == 610.0


def test_fast_compute_reads_array_memoryview_and_packed_bytes() -> None:
    values = [float(i % 1000) / 8 for i in range(300_000)]
    packed = array("d", values)
    assert fast_compute(packed) == math.fsum(values)
    assert fast_compute(memoryview(packed)[::2]) == math.fsum(values[::2])
    assert fast_compute(packed.tobytes()) == math.fsum(values)
    assert fast_compute(bytearray(packed.tobytes())) == math.fsum(values)
    assert fast_compute(memoryview(packed.tobytes()).cast("d")) == math.fsum(values)
    assert fast_compute(b"") == 0.0


def test_fast_compute_refuses_buffers_of_other_types_naming_them() -> None:
    with pytest.raises(TypeError, match=r"int32 \(format 'i'\)"):
        fast_compute(array("i", [1, 2]))
    # Raw bytes of a memoryview are uint8, not packed floats: only bytes and bytearray are.
    with pytest.raises(TypeError, match="uint8"):
        fast_compute(memoryview(b"\0" * 8))
    with pytest.raises(ValueError, match="12 bytes"):
        fast_compute(array("d", [1.0, 2.0]).tobytes()[:12])
    with pytest.raises(ValueError, match="index 1"):
        fast_compute(array("d", [1.0, math.inf]))


def test_fast_compute_sums_numpy_arrays_in_place() -> None:
    np = pytest.importorskip("numpy")
    values = np.random.default_rng(3).uniform(-1, 1, 1_000_000)
    matrix = values.reshape(1000, 1000)

    def fsum(view: object) -> object:
        # Threads merge their partial sums in any order: equal to the last bit or two.
        return pytest.approx(math.fsum(np.ravel(view).tolist()), rel=1e-15, abs=1e-15)

    assert fast_compute(values) == fsum(values)
    assert fast_compute(matrix) == fsum(values)
    assert fast_compute(matrix.T) == fsum(values)
    # Strided views: every third value, a column, reversed.
    assert fast_compute(values[::3]) == fsum(values[::3])
    assert fast_compute(matrix[:, 7]) == fsum(matrix[:, 7])
    assert fast_compute(values[::-1]) == fsum(values)
    assert fast_compute(np.broadcast_to(np.float64(0.5), (4, 1000))) == 2000.0
    # A read-only array is borrowed just the same.
    frozen = values.copy()
    frozen.setflags(write=False)
    assert fast_compute(frozen) == fast_compute(values)


def test_fast_compute_names_a_numpy_dtype_it_cannot_sum() -> None:
    np = pytest.importorskip("numpy")
    for dtype, name in [("float32", "float32"), ("int64", "int64"), (">f8", "big-endian float64")]:
        with pytest.raises(TypeError, match=name):
            fast_compute(np.ones(3, dtype=dtype))
    values = np.zeros((3, 4))
    values[2, 1] = np.nan
    with pytest.raises(ValueError, match="index 9 is NaN"):
        fast_compute(values)
    values[2, 1] = -np.inf
    with pytest.raises(ValueError, match="index 9 is -inf"):
        fast_compute(values)


def test_fast_compute_releases_the_gil_while_it_sums_a_buffer() -> None:
    np = pytest.importorskip("numpy")
    # Threads take turns holding the GIL every switch interval (5 ms); away from
    # the call's edges the other thread runs only if the call released it. A
    # broadcast array is 8 bytes however long, so it grows until one call spans
    # many intervals on this machine, however fast it is.
    edge = 4 * sys.getswitchinterval()
    length = 1 << 24
    while True:
        ones = np.broadcast_to(np.float64(1.0), (length,))
        start = time.perf_counter()
        fast_compute(ones)
        if time.perf_counter() - start > 10 * edge or length >= 1 << 40:
            break
        length *= 4
    stamps: list[float] = []
    done = threading.Event()

    def count() -> None:
        while not done.is_set():
            stamps.append(time.perf_counter())

    other = threading.Thread(target=count)
    other.start()
    try:
        start = time.perf_counter()
        assert fast_compute(ones) == float(length)
        end = time.perf_counter()
    finally:
        done.set()
        other.join()
    during = [stamp for stamp in stamps if start + edge < stamp < end - edge]
    assert end - start > 3 * edge, f"the call took only {end - start:.3f} s"
    assert len(during) > 100, f"{len(during)} steps of the other thread in {end - start:.3f} s"


def test_running_stats_agrees_with_the_statistics_module() -> None:
    values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    stats = RunningStats()
    stats.push(values[0])
    stats.extend(values[1:])
    assert stats.count == len(stats) == 8
    assert stats.mean() == statistics.mean(values)
    assert stats.variance() == pytest.approx(statistics.variance(values))


def test_running_stats_extends_from_any_iterable_or_buffer() -> None:
    stats = RunningStats()
    stats.extend(float(i) for i in range(1, 6))
    stats.extend(range(6, 11))
    stats.extend(array("d", [11.0, 12.0]))
    assert stats.count == 12
    assert stats.mean() == 6.5
    with pytest.raises(TypeError):
        stats.extend(5)  # type: ignore[arg-type]


def test_running_stats_merges_a_long_batch_computed_in_parallel() -> None:
    rng = random.Random(11)
    values = [rng.gauss(10.0, 3.0) for _ in range(300_000)]
    stats = RunningStats()
    stats.extend(values)
    assert stats.mean() == pytest.approx(statistics.fmean(values))
    assert stats.variance() == pytest.approx(statistics.variance(values))


def test_running_stats_reads_strided_numpy_arrays() -> None:
    np = pytest.importorskip("numpy")
    values = np.arange(12.0).reshape(3, 4)
    stats = RunningStats()
    stats.extend(values[:, ::2])
    assert stats.count == 6
    assert stats.mean() == statistics.mean(values[:, ::2].ravel().tolist())


def test_running_stats_is_safe_to_share_between_threads() -> None:
    stats = RunningStats()
    batch = [float(i) for i in range(10_000)]

    def work() -> None:
        for _ in range(20):
            stats.extend(batch)
            stats.push(1.0)
            stats.mean()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stats.count == 4 * 20 * (len(batch) + 1)


def test_running_stats_repr_shows_count_and_mean() -> None:
    stats = RunningStats()
    assert repr(stats) == "RunningStats(count=0)"
    stats.extend([1.0, 2.0])
    assert repr(stats) == "RunningStats(count=2, mean=1.5)"


def test_too_few_values_raise_the_custom_exception() -> None:
    stats = RunningStats()
    with pytest.raises(InsufficientDataError, match="mean"):
        stats.mean()
    stats.push(1.0)
    with pytest.raises(InsufficientDataError, match="variance"):
        stats.variance()


def test_custom_exception_is_a_value_error_from_this_package() -> None:
    assert issubclass(InsufficientDataError, ValueError)
    assert InsufficientDataError.__module__ == "<%= moduleName %>"
    assert RunningStats.__module__ == "<%= moduleName %>"


def test_a_batch_with_a_non_finite_value_is_refused_whole() -> None:
    stats = RunningStats()
    stats.extend([1.0, 2.0])
    with pytest.raises(ValueError, match="index 1"):
        stats.extend([3.0, math.nan])
    with pytest.raises(ValueError):
        stats.push(math.inf)
    assert stats.count == 2


def test_the_module_leaves_free_threaded_python_without_the_gil() -> None:
    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        pytest.skip("not a free-threaded Python")
    # Importing a module that does not declare itself safe without the GIL turns it back on.
    assert not getattr(sys, "_is_gil_enabled")()


def test_package_exports_the_native_api() -> None:
    assert sorted(<%= moduleName %>.__all__) == ["InsufficientDataError", "RunningStats", "fast_compute"]
    assert <%= moduleName %>.fast_compute is <%= moduleName %>._native.fast_compute
