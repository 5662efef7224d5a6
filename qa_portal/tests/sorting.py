"""Checks every list page's sorting tests share: each column sorts both ways, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def ordered(values: list[Any], descending: bool) -> list[Any]:
    """`values` sorted as the lists sort them: blanks last in both directions."""
    present = sorted((v for v in values if v is not None), reverse=descending)
    return present + [v for v in values if v is None]


def assert_each_column_sorts(
    client,
    url: str,
    columns: dict[str, Callable[[Any], Any]],
    rows: Callable[[Any], list[Any]],
    params: dict[str, str] | None = None,
) -> None:
    """For each sort parameter, ascending and descending, the rows come back ordered by that column's value.

    `columns` maps the sort parameter to the value each row is sorted on; `rows` reads the listed rows from
    a response. The data must hold at least two different values per column, or the check proves nothing.
    """
    for param, value_of in columns.items():
        for descending in (False, True):
            sort = f"-{param}" if descending else param
            response = client.get(url, {**(params or {}), "sort": sort})
            assert response.status_code == 200, f"sort={sort} answered {response.status_code}"
            values = [value_of(row) for row in rows(response)]
            assert len({v for v in values if v is not None}) >= 2, f"sort={sort}: too few distinct values to test"
            assert values == ordered(values, descending), f"sort={sort} listed {values}"
            body = response.content.decode()
            header = f'aria-sort="{"descending" if descending else "ascending"}"'
            assert body.count(header) == 1, f"sort={sort}: the sorted column is not marked"
            # Every column's header links to its own sort (a misspelt parameter in a template links nowhere).
            for other in columns:
                assert f"sort={other}&" in body or f'sort={other}"' in body or f"sort=-{other}" in body, other


def query_counts_by_sort(client, url: str, sorts: list[str], params: dict[str, str] | None = None) -> dict[str, int]:
    """The number of queries each sort of the list takes (run twice as the data grows, they must not change).

    Each is counted as every view but the first after a write finds the list: its option lists
    (common.forms.KeptChoicesField) and, on the tracker, its rendered rows kept in the cache. So each sort is
    viewed once uncounted, then counted. (Counted cold, a sort whose query is the default order's would find the
    default's rows kept and take one query fewer than the others.)
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for sort in sorts:
        assert client.get(url, {**(params or {}), "sort": sort}).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {**(params or {}), "sort": sort}).status_code == 200
        counts[sort] = len(captured.captured_queries)
    return counts
