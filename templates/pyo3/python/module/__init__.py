"""Fast statistics for Python, written in Rust with PyO3.

The functions and classes are implemented in the compiled ``<%= moduleName %>._native``
module; this package re-exports them so users import from ``<%= moduleName %>``.
"""

from importlib.metadata import version as _version

from ._native import InsufficientDataError, RunningStats, fast_compute

__all__ = ["InsufficientDataError", "RunningStats", "fast_compute"]
__version__ = _version("<%= name %>")
