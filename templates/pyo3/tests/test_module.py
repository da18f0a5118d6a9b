"""Tests of the Python API of <%= moduleName %>, run against the installed wheel with pytest."""

import math
import random
import statistics
from array import array

import pytest

import <%= moduleName %>
from <%= moduleName %> import InsufficientDataError, RunningStats, fast_compute, fast_compute_bytes


def test_fast_compute_matches_fsum() -> None:
    rng = random.Random(7)
    values = [rng.uniform(-1e6, 1e6) for _ in range(10_000)]
    assert fast_compute(values) == pytest.approx(math.fsum(values), rel=1e-15, abs=1e-6)


def test_fast_compute_keeps_what_naive_summation_drops() -> None:
    # A left-to-right float sum gives 0.0 here; the compensated sum gives the exact 2.0.
    assert fast_compute([1e16, 1.0, -1e16, 1.0]) == 2.0


def test_fast_compute_takes_the_parallel_path_for_long_input() -> None:
    values = [float(i % 1000) for i in range(1_000_000)]
    assert fast_compute(values) == math.fsum(values)


def test_fast_compute_accepts_any_sequence_of_numbers() -> None:
    assert fast_compute((1, 2.5, 3)) == 6.5
    assert fast_compute([]) == 0.0


def test_fast_compute_rejects_non_finite_values_with_value_error() -> None:
    with pytest.raises(ValueError, match="index 2"):
        fast_compute([1.0, 2.0, math.nan])
    with pytest.raises(ValueError, match="only finite numbers"):
        fast_compute([math.inf])


def test_fast_compute_overflows_to_infinity_like_sum() -> None:
    assert fast_compute([1e308, 1e308]) == math.inf


def test_fast_compute_rejects_what_is_not_a_sequence_of_floats() -> None:
    with pytest.raises(TypeError):
        fast_compute("1.0")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fast_compute([1.0, "two"])  # type: ignore[list-item]


def test_fast_compute_bytes_reads_packed_float64() -> None:
    values = [float(i % 1000) / 8 for i in range(300_000)]
    assert fast_compute_bytes(array("d", values).tobytes()) == math.fsum(values)
    assert fast_compute_bytes(b"") == 0.0


def test_fast_compute_bytes_rejects_partial_and_non_finite_values() -> None:
    with pytest.raises(ValueError, match="12 bytes"):
        fast_compute_bytes(array("d", [1.0, 2.0]).tobytes()[:12])
    with pytest.raises(ValueError, match="index 1"):
        fast_compute_bytes(array("d", [1.0, math.inf]).tobytes())


def test_running_stats_agrees_with_the_statistics_module() -> None:
    values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    stats = RunningStats()
    stats.push(values[0])
    stats.extend(values[1:])
    assert stats.count == len(stats) == 8
    assert stats.mean() == statistics.mean(values)
    assert stats.variance() == pytest.approx(statistics.variance(values))


def test_running_stats_extends_from_any_iterable() -> None:
    stats = RunningStats()
    stats.extend(float(i) for i in range(1, 6))
    stats.extend(range(6, 11))
    assert stats.count == 10
    assert stats.mean() == 5.5
    with pytest.raises(TypeError):
        stats.extend(5)  # type: ignore[arg-type]


def test_running_stats_merges_a_long_batch_computed_in_parallel() -> None:
    rng = random.Random(11)
    values = [rng.gauss(10.0, 3.0) for _ in range(300_000)]
    stats = RunningStats()
    stats.extend(values)
    assert stats.mean() == pytest.approx(statistics.fmean(values))
    assert stats.variance() == pytest.approx(statistics.variance(values))


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


def test_package_exports_the_native_api() -> None:
    assert sorted(<%= moduleName %>.__all__) == [
        "InsufficientDataError",
        "RunningStats",
        "fast_compute",
        "fast_compute_bytes",
    ]
    assert <%= moduleName %>.fast_compute is <%= moduleName %>._native.fast_compute
