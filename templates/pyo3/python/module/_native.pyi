"""Type stubs for the compiled module; `python -m mypy.stubtest <%= moduleName %>` checks them."""

from collections.abc import Iterable, Sequence
from typing import final

__all__ = ["InsufficientDataError", "RunningStats", "fast_compute", "fast_compute_bytes"]

class InsufficientDataError(ValueError):
    """A statistic was asked of too few values."""

def fast_compute(values: Sequence[float]) -> float:
    """Sum a sequence of floats, compensated for rounding like `math.fsum`.

    Raises ValueError if a value is NaN or infinite.
    """

def fast_compute_bytes(data: bytes) -> float:
    """Sum floats packed as native-endian float64 bytes, e.g. `array("d", values).tobytes()`.

    Raises ValueError if the length is not a multiple of 8 or a value is NaN or infinite.
    """

# A PyO3 class without the `subclass` option cannot be subclassed.
@final
class RunningStats:
    """Count, mean and variance of a stream of floats, updated in O(1) memory."""

    def __new__(cls) -> RunningStats: ...
    def push(self, value: float) -> None:
        """Add one value. Raises ValueError if it is NaN or infinite."""
    def extend(self, values: Iterable[float]) -> None:
        """Add many values at once, from any iterable (a generator too); the batch
        is refused whole if one is NaN or infinite.
        """
    @property
    def count(self) -> int:
        """How many values were added."""
    def mean(self) -> float:
        """Arithmetic mean. Raises InsufficientDataError when empty."""
    def variance(self) -> float:
        """Sample variance. Raises InsufficientDataError with fewer than two values."""
    def __len__(self) -> int: ...
