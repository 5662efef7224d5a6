"""Reading a tracker file (CSV UTF-8 or XLSX, first sheet) into a `Table` of trimmed text, within limits."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from common.errors import ApplicationError

# Limits on what one file may make the importer read. A tracker within them is checked in bounded time and
# memory whatever it holds; a file beyond them is refused with one message saying which limit and what to do.
# A council's tracker holds a few thousand rows of about 40 columns; `bench/bench_import.py` imports 100,000.
MAX_DATA_ROWS = 200_000
MAX_COLUMNS = 256
# What an XLSX workbook may unpack to, all its parts together. A 100,000-row tracker unpacks to about 160 MB
# (openpyxl then reads it in a few minutes); a zip bomb of a few megabytes unpacks to gigabytes.
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_XLSX_PARTS = 1_000


class TrackerFileError(ApplicationError):
    """The whole file cannot be read (empty, not UTF-8, not a workbook): one clear message."""


@dataclass
class Table:
    """A sheet as text: the normalised header and the non-blank rows as (row number, cells)."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


# Reading files ---------------------------------------------------------------------------------


def _show(text: str) -> str:
    """A cell value quoted for a message, cut short so a 100,000-character cell does not flood it."""
    return '"' + (text if len(text) <= 40 else text[:40] + "…") + '"'


def _cell_text(value: Any) -> str:
    """A spreadsheet or Python value as the trimmed text the tracker format describes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value).strip()


def _month_text(value: Any) -> str:
    # A spreadsheet turns "2026-10" into the date 1 Oct 2026; read it back as the month it was.
    if isinstance(value, datetime.date) and value.day == 1:
        return value.strftime("%Y-%m")
    return _cell_text(value)


def _read_bytes(source: str | Path | bytes | IO[bytes]) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _normalise_header(cells: list[str]) -> list[str]:
    return [cell.strip().lower() for cell in cells]


def _too_wide(number: int, cells: list[str]) -> TrackerFileError:
    return TrackerFileError(
        f"row {number} has a value in column {len(cells)}; a tracker has at most {MAX_COLUMNS} columns. "
        "Delete the columns to the right of the tracker's own and save the file again"
    )


def _trimmed(cells: list[str]) -> list[str]:
    """The cells without the blank ones at the end of the row: a row padded to the grid's width costs nothing."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells if end == len(cells) else cells[:end]


TRACKER_ADVICE = "split it (by year, say) and import each part"


def _table_from_rows(
    name: str, raw_rows: Iterable[tuple[int, list[str]]], max_rows: int = MAX_DATA_ROWS, advice: str = TRACKER_ADVICE
) -> Table:
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, raw_cells in raw_rows:
        cells = _trimmed(raw_cells)
        if len(cells) > MAX_COLUMNS:
            raise _too_wide(number, cells)
        if header is None:
            if not cells:
                continue
            if number != 1:
                raise TrackerFileError(f"row 1 is blank; the header row must be the first row (found on row {number})")
            header = _normalise_header(cells)
            continue
        if cells:
            if len(rows) == max_rows:
                raise TrackerFileError(f"the file has more than {max_rows:,} rows below the header; {advice}")
            rows.append((number, cells))
    if header is None:
        raise TrackerFileError("the file is empty")
    return Table(name=name, header=header, rows=rows)


def _read_csv(data: bytes, name: str, **limits: Any) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TrackerFileError(
            f"the file is not UTF-8 text (line {line} holds a byte UTF-8 does not allow); "
            "in Excel use Save As and choose 'CSV UTF-8'"
        ) from None
    if not text.strip():
        raise TrackerFileError("the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""))

    def numbered() -> Iterable[tuple[int, list[str]]]:
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):  # noqa: B007
                yield number, [cell.strip() for cell in cells]
        except csv.Error as exc:
            raise TrackerFileError(f"row {number + 1} cannot be read as CSV ({exc})") from None

    return _table_from_rows(name, numbered(), **limits)


_UNREADABLE_XLSX = "the file is not a readable XLSX workbook; save it as .xlsx or CSV UTF-8"


def _zip_part_count(data: bytes) -> int | None:
    """The number of parts a zip's end record declares, read before `zipfile` builds an object for each one."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    return int.from_bytes(data[end + 10 : end + 12], "little")


def xlsx_unpacked_size(data: bytes) -> int:
    """What a workbook says it unpacks to, all parts together, checked against the limits before anything is unpacked.

    `zipfile` never unpacks a part beyond the size its directory declares (and then fails its CRC check), so
    this sum bounds what reading the workbook can cost, whatever the file claims. Raises TrackerFileError.
    """
    parts = _zip_part_count(data)
    if parts is not None and parts > MAX_XLSX_PARTS:
        raise TrackerFileError(
            f"the workbook has {parts:,} parts, not an Excel workbook; save it as .xlsx or CSV UTF-8"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise TrackerFileError(_UNREADABLE_XLSX) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise TrackerFileError(
            f"the workbook unpacks to {unpacked / 1e6:,.0f} MB, more than the {MAX_XLSX_UNPACKED_BYTES / 1e6:,.0f} MB "
            "a tracker may; save the sheet as CSV UTF-8, or split it by year and import each part"
        )
    return unpacked


def _read_xlsx(data: bytes, name: str, **limits: Any) -> Table:
    from openpyxl import load_workbook

    xlsx_unpacked_size(data)
    try:
        # data_only: read what the spreadsheet shows (a formula's last value), never the formula.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, zlib.error):
        raise TrackerFileError(_UNREADABLE_XLSX) from None
    try:
        if not workbook.worksheets:
            raise TrackerFileError("the workbook has no sheets")
        sheet = workbook.worksheets[0]
        # The size a sheet declares (<dimension ref="A1:XFD1048576"/>) is not trusted: openpyxl would pad every
        # row to it, and stop at a declared last row that is too small. Rows are read as they are stored, no
        # wider than one column past the limit (enough to see that the limit is passed).
        sheet.reset_dimensions()
        month_index = -1

        def numbered() -> Iterable[tuple[int, list[str]]]:
            nonlocal month_index
            rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
            blank: tuple | None = None
            for number, values in enumerate(rows, start=1):
                # Blank rows are skipped. openpyxl fills a gap between stored rows (a sheet with one formatted
                # cell on row 1,048,576 has a million) with one and the same blank tuple: it is recognised
                # by identity, so a gap costs next to nothing.
                if values is blank:
                    continue
                if values.count(None) == len(values):
                    blank = values
                    continue
                if month_index < 0:
                    header = _normalise_header([_cell_text(v) for v in values])
                    month_index = header.index("month") if "month" in header else len(header)
                    yield number, [_cell_text(v) for v in values]
                    continue
                yield number, [_month_text(v) if i == month_index else _cell_text(v) for i, v in enumerate(values)]

        try:
            return _table_from_rows(name, numbered(), **limits)
        except (zipfile.BadZipFile, zlib.error, EOFError, ParseError):
            # A part that unpacks to more than its declared size, or is cut short, fails its check here.
            raise TrackerFileError(_UNREADABLE_XLSX) from None
    finally:
        workbook.close()


def read_table(
    source: str | Path | bytes | IO[bytes],
    *,
    name: str,
    max_rows: int = MAX_DATA_ROWS,
    advice: str = TRACKER_ADVICE,
) -> Table:
    """Read a CSV (UTF-8, comma separated) or XLSX (first sheet) file. Raises TrackerFileError.

    `max_rows` (at most MAX_DATA_ROWS) bounds the rows below the header; `advice` says what to do beyond it.
    """
    data = _read_bytes(source)
    limits = {"max_rows": min(max_rows, MAX_DATA_ROWS), "advice": advice}
    if not data:
        raise TrackerFileError("the file is empty")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name, **limits)
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise TrackerFileError(
            "this looks like an old Excel .xls file or a password-protected workbook; "
            "save it as .xlsx (without a password) or as CSV UTF-8"
        )
    if name.lower().endswith(".xlsx"):
        # Named as a workbook but not one (a renamed PDF or CSV): say so, rather than read it as text.
        raise TrackerFileError(_UNREADABLE_XLSX)
    return _read_csv(data, name, **limits)


def table_from_dicts(rows: Iterable[Mapping[str, Any]], *, name: str) -> Table:
    """Already-parsed rows (dicts keyed by column name) as a table; dates and booleans are welcome."""
    rows = list(rows)
    header: list[str] = []
    for row in rows:
        for key in row:
            if key.strip().lower() not in header:
                header.append(key.strip().lower())
    table_rows = []
    for number, row in enumerate(rows, start=2):
        values = {key.strip().lower(): value for key, value in row.items()}
        table_rows.append(
            (
                number,
                [_month_text(values.get(col)) if col == "month" else _cell_text(values.get(col)) for col in header],
            )
        )
    return Table(name=name, header=header, rows=table_rows)
