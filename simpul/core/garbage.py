"""Python's cycle collector, set for work that builds many objects which all live on.

An import or harvest creates hundreds of objects a record (parsed records, their
matching forms, Django rows) and keeps many of them for the whole job (the prepared
records of likely candidates). With Python's default thresholds the collector runs after
every 700 new objects and, as the survivors pile up, keeps walking everything the
process holds (Django's own objects included), none of which is garbage. Measured: the
records of one harvested page took 150-170 µs a record to unpickle with the default
settings, 57 µs with these; in an import of 100,000 records the writing process spent
32 s collecting with the default settings. Memory is still freed as usual (reference
counting); only reference cycles wait a little longer. docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# After 50,000 new container objects, not 700; the older generations as Python has them.
BULK_THRESHOLDS = (50_000, 10, 10)


def tune_for_bulk_work() -> None:
    """For a helper process that does nothing else (it ends with the job)."""
    gc.freeze()  # what start-up built (modules, Django, settings) is never garbage
    gc.set_threshold(*BULK_THRESHOLDS)


@contextlib.contextmanager
def bulk_work() -> Iterator[None]:
    """For a job inside a longer-lived process (the worker, a command): as above while the
    job runs, and the process's own settings back afterwards. Also a decorator."""
    before = gc.get_threshold()
    tune_for_bulk_work()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
