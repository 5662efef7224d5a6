"""Values computed from the data and kept in Django's cache until the data changes: keyed by the data version
(common/data_version.py), so a write makes every kept value unreachable at once and none is ever served stale.

The report cache (reports/cache.py) keeps reports here; list pages keep their filters' option lists (the teams
and owners that have actions a person can see: a scan of every action, the same on every view of the list).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.template.loader import render_to_string

from common.data_version import data_version

T = TypeVar("T")
logger = logging.getLogger(__name__)


def versioned_cache_key(kind: str, parts: tuple[Any, ...]) -> str:
    def text(part: Any) -> str:
        return part.isoformat() if isinstance(part, datetime.date) else str(part)

    # Parts may be names typed by people (a service area): hashed, the key is short and safe for any backend.
    digest = hashlib.sha256("\x1f".join(text(part) for part in parts).encode()).hexdigest()[:32]
    return f"report:{kind}:v{data_version()}:{digest}"


def cached(kind: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()` for these key parts at the current data version, from the cache when it holds it.

    A cache that is down makes the page slower, never broken: the value is computed without it.
    """
    try:
        key = versioned_cache_key(kind, parts)
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down makes the page slower, never broken
        logger.warning("The cache cannot be read: the value is computed without it.", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value)
        except Exception:  # noqa: BLE001
            logger.warning("The cache cannot be written: the value is not kept.", exc_info=True)
    return value


def cached_for_queryset(kind: str, queryset: QuerySet, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`cached` for a value worked out from `queryset`: keyed by its SQL, which names everything that chooses its
    rows (the person's scope, the filters), and `parts` (the day it is counted to). A queryset that can match
    nothing has no SQL: its value is computed, at no cost."""
    try:
        sql = str(queryset.query)
    except EmptyResultSet:
        return compute()
    return cached(kind, (sql, *parts), compute)


def cached_rows_html(
    kind: str, rows: QuerySet, template_name: str, name: str, parts: tuple[Any, ...] = (), **extra: Any
) -> str:
    """A list page's rows (`rows`, one page of the list's query) rendered by `template_name`, which finds them
    as `name`, once per query and `parts`, and kept until the data changes.

    Rendering fifty rows costs a list page more than its queries; the rows depend on nothing but the rows
    (the query's SQL names the person's scope, the filters, the order and the page) and `parts` (the day the
    statuses are worked out to). On a hit the page's query never runs. The template must not use the request:
    it is rendered without one. `extra` values it also reads (the day) must be in `parts`.
    """
    return cached_for_queryset(kind, rows, parts, lambda: render_to_string(template_name, {name: rows, **extra}))


def cached_filters_html(filterset: Any, scope: QuerySet, **include: str) -> str:
    """A list's folded filter form (`_filters.html` with `filter` and `include`), kept until the data changes.

    The form shows nothing but the filters' values and its option lists, which come from what the person may see
    (`scope`, whose SQL keys it); writing its dozen fields and their options cost the tracker as much as its rows.
    A form with errors is written afresh: its messages belong to one request.
    """

    def render() -> str:
        return render_to_string("_filters.html", {"filter": filterset, **include})

    if filterset.form.errors:
        return render()
    return cached_for_queryset("filters", scope, (filterset.data.urlencode(), *sorted(include.items())), render)
