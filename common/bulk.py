"""Inserting many rows of one model in few statements (COPY on PostgreSQL), for the tables a big import fills.

Moved here from the tracker importer so the apps that own the rows (actions) can write them in bulk for it.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection

from common.data_version import data_version_bump

# Rows per statement (and per bulk_update batch) for the bulk writers.
WRITE_BATCH = 2000


def copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format: \\N for NULL, backslash escapes for the separators."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class BulkInsert:
    """Insert many rows of one model in few statements, for the tables a big tracker fills.

    `bulk_create` prepares every value of every object through the field's `get_db_prep_save`,
    which for 100,000 audits and their 900,000 practice-area grades costs over a minute by itself.
    Here each row is a plain tuple for the columns the importer sets; every other column takes the
    value a new model instance would get (its default, `auto_now_add` stamped once), prepared once.
    Values go to the database as parameters, never into the SQL text, and the SQL is built from the
    model's own metadata, so a field another app adds later with a default is filled in too.
    """

    def __init__(self, model: type, columns: tuple[str, ...]) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        by_attname = {f.attname: f for f in fields}
        self.columns = columns
        rest = [f for f in fields if f.attname not in columns]
        prototype = model()
        rest_raw = [f.pre_save(prototype, add=True) for f in rest]
        self.rest_values = tuple(f.get_db_prep_save(value, connection) for f, value in zip(rest, rest_raw, strict=True))
        # Text, numbers, booleans, ids and dates go to the driver as they are (Django registers the
        # date adapter for SQLite; psycopg2 adapts dates itself); anything else, such as an aware
        # datetime, is prepared by its field.
        simple = {"CharField", "TextField", "SlugField", "BooleanField", "ForeignKey", "DateField"}
        self.adapted: list[tuple[int, Callable[[Any], Any]]] = []
        for position, name in enumerate(columns):
            f = by_attname[name]
            internal = f.get_internal_type()
            if internal not in simple and not internal.endswith("IntegerField"):
                self.adapted.append((position, lambda value, f=f: f.get_db_prep_save(value, connection)))
        names = [by_attname[name].column for name in columns] + [f.column for f in rest]
        self.width = len(names)
        quote = connection.ops.quote_name
        # Table and column names come from the model's metadata, never from the file.
        self.head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) VALUES "  # noqa: S608
        self.one = "(" + ", ".join(["%s"] * self.width) + ")"
        # PostgreSQL loads rows several times faster through COPY than through INSERT statements.
        self.copy_sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        self.rest_copy = "".join(
            "\t" + copy_text(json.dumps(value) if f.get_internal_type() == "JSONField" else value)
            for f, value in zip(rest, rest_raw, strict=True)
        )

    def _adapt(self, row: tuple) -> tuple:
        if not self.adapted:
            return row + self.rest_values
        values = list(row)
        for position, adapt in self.adapted:
            values[position] = adapt(values[position])
        return tuple(values) + self.rest_values

    def insert(self, rows: Iterable[tuple]) -> int:
        written = self._insert(rows)
        # Bulk statements send no signals: move the data version on so no cached report outlives these rows.
        data_version_bump()
        return written

    def _insert(self, rows: Iterable[tuple]) -> int:
        count = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert"):
                return self._copy(cursor, rows)
            for row in rows:
                batch.append(self._adapt(row))
                if len(batch) >= WRITE_BATCH:
                    count += self._flush(cursor, batch)
            count += self._flush(cursor, batch)
        return count

    def _copy(self, cursor, rows: Iterable[tuple]) -> int:
        count = 0
        buffer = io.StringIO()
        for row in rows:
            # COPY reads text: dates and aware datetimes in ISO form (with their offset), as copy_text writes them.
            buffer.write("\t".join(map(copy_text, row)))
            buffer.write(self.rest_copy)
            buffer.write("\n")
            count += 1
            if count % (10 * WRITE_BATCH) == 0:
                buffer.seek(0)
                cursor.copy_expert(self.copy_sql, buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        if buffer.getvalue():
            cursor.copy_expert(self.copy_sql, buffer)
        return count

    def _flush(self, cursor, batch: list[tuple]) -> int:
        if not batch:
            return 0
        n = len(batch)
        if connection.vendor == "sqlite":
            # SQLite runs executemany in C, one prepared statement for the whole batch.
            cursor.executemany(self.head + self.one, batch)
        else:
            # Other servers take a multi-row VALUES list: one round trip per slice.
            per_statement = max(1, min(1000, 60000 // self.width))
            for start in range(0, n, per_statement):
                part = batch[start : start + per_statement]
                cursor.execute(self.head + ", ".join([self.one] * len(part)), [v for row in part for v in row])
        batch.clear()
        return n
