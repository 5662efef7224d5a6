"""The data version: one integer in the cache that every write to the data a report reads moves on.

Cached report figures and charts are keyed by it (reports/cache.py), so a write makes every cached report
unreachable at once and the next view recomputes: never served stale, with no list of keys to delete.

Model writes bump it through signals (reports/apps.py connects them). Bulk writes send no signals
(`bulk_create`, `bulk_update`, `QuerySet.update`, COPY), so each bulk write path calls `data_version_bump()`
itself at its end. It lives in `common` so the lower apps (and imports, a sibling of reports) can call it.

The bump happens twice: at once, so a reader inside the writing transaction (a test, a service that reads
back) sees the new data; and again when the transaction commits, so a report computed by another process
between the first bump and the commit (from the old rows) is stored under a version nobody asks for again.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

DATA_VERSION_KEY = "qa:data-version"
logger = logging.getLogger(__name__)


def data_version() -> int:
    """The current data version (0 when the cache holds none yet, e.g. after a restart of local memory)."""
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        cache.add(DATA_VERSION_KEY, 0, timeout=None)
        version = cache.get(DATA_VERSION_KEY, 0)
    return int(version)


def _increment() -> None:
    try:
        try:
            cache.incr(DATA_VERSION_KEY)
        except ValueError:
            # No version yet (first write, or the cache was cleared): start one above any version readers used.
            if not cache.add(DATA_VERSION_KEY, 1, timeout=None):
                cache.incr(DATA_VERSION_KEY)
    except Exception:  # noqa: BLE001 - a write must not fail because the cache is down
        logger.error("The data version could not be moved on: clear the cache once it is back.", exc_info=True)


def _after_commit() -> None:
    _increment()


_after_commit.data_version_bump = True  # type: ignore[attr-defined]


def data_version_bump(using: str | None = None) -> None:
    """Move the data version on: now, and (once per transaction) again when the transaction commits."""
    _increment()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and not any(
        getattr(func, "data_version_bump", False) for _sids, func, _robust in connection.run_on_commit
    ):
        transaction.on_commit(_after_commit, using=using)
