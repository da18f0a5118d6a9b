"""Type stubs for the compiled module; `python -m mypy.stubtest <%= moduleName %>` checks them."""

import sys
from collections.abc import Iterable
from typing import final

if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    # Only type checkers read this file: no run-time dependency on typing_extensions.
    from typing_extensions import Buffer

__all__ = ["InsufficientDataError", "RunningStats", "fast_compute"]

class InsufficientDataError(ValueError):
    """A statistic was asked of too few values."""

def fast_compute(values: Iterable[float] | Buffer) -> float:
    """Sum floats, compensated for rounding like `math.fsum`.

    Takes a list, tuple or other iterable of numbers, or a buffer of float64
    values (a NumPy array, `array.array("d")`, `memoryview`) without copying
    it; `bytes` and `bytearray` hold packed native-endian float64 values.
    Raises ValueError if a value is NaN or infinite, TypeError for a buffer of
    another type. Buffers are summed with the GIL released, on every core when
    long: no other thread may write to the buffer during the call.
    """

# A PyO3 class without the `subclass` option cannot be subclassed.
@final
class RunningStats:
    """Count, mean and variance of a stream of floats, updated in O(1) memory.

    Safe to share between threads, free-threaded Python included: the class is
    frozen (no `&mut self`, so no "Already borrowed" errors when two threads
    call it at once) and its state sits behind a mutex that is held only to
    merge a batch summarised beforehand.
    """

    def __new__(cls) -> RunningStats: ...
    def push(self, value: float) -> None:
        """Add one value. Raises ValueError if it is NaN or infinite."""
    def extend(self, values: Iterable[float] | Buffer) -> None:
        """Add many values at once, from any iterable (a generator too) or a
        float64 buffer; the batch is refused whole if one is NaN or infinite.
        """
    @property
    def count(self) -> int:
        """How many values were added."""
    def mean(self) -> float:
        """Arithmetic mean. Raises InsufficientDataError when empty."""
    def variance(self) -> float:
        """Sample variance. Raises InsufficientDataError with fewer than two values."""
    def __len__(self) -> int: ...
