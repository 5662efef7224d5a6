"""Tracker files built to hurt the importer: what a careless export or a malicious upload can hold.

Each builder returns the file's bytes. They are used by the importer's limit tests and can be written
to disk to measure the importer by hand (see the docstring of `imports/tests/test_import_limits.py`).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

from imports.rows import AUDIT_OPTIONAL, AUDIT_REQUIRED

HEADER = [*AUDIT_REQUIRED, *AUDIT_OPTIONAL]


def bad_rows_csv(size: int = 5_000_000) -> bytes:
    """A CSV of `size` bytes whose every row is wrong in every column (about 20 problems a row)."""
    header = (",".join(HEADER) + "\n").encode()
    parts = [header]
    total = len(header)
    number = 0
    while total < size:
        number += 1
        # A unique audit_ref, then nonsense in every other column.
        row = f"R{number}," + ",".join("x" for _ in HEADER[1:]) + "\n"
        parts.append(row.encode())
        total += len(row)
    return b"".join(parts)


def _small_workbook(rows: int = 2) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER[:9])
    for n in range(rows):
        sheet.append(
            [f"X-{n}", "2026-09", "North", "Early Help", f"CH-{n}", "CIN", "asmith", "nil_return", "2026-09-25"]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _replace_member(data: bytes, name: str, change) -> bytes:
    """A copy of the zip `data` with member `name` rewritten by `change(bytes) -> bytes`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def lying_dimension_xlsx(rows: int = 2) -> bytes:
    """A few kilobytes of workbook that declares the whole grid, A1:XFD1048576, around a few real rows.

    Like a sheet whose last cell was once formatted, it also holds one empty cell on the grid's last row.
    """

    def widen(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>', 1)

    return _replace_member(_small_workbook(rows), SHEET, widen)


def wide_rows_xlsx(rows: int = 50_000) -> bytes:
    """A workbook without a declared size, and `rows` rows each holding one empty cell in the grid's last column."""

    def pad(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", xml)
        extra = b"".join(b'<row r="%d"><c r="XFD%d" s="0"/></row>' % (n, n) for n in range(10, 10 + rows))
        return xml.replace(b"</sheetData>", extra + b"</sheetData>", 1)

    return _replace_member(_small_workbook(2), SHEET, pad)


def _deflate_spaces(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate blocks (none final) for `megabytes` MiB of spaces, and the running CRC-32 over them.

    One MiB is compressed once with a full flush, so that the next copy needs nothing before it, and repeated:
    a gigabyte of bomb is built in about a second instead of the half minute zlib would take.
    """
    chunk = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes, chunk


def zip_bomb_xlsx(megabytes: int = 1024, *, declared_size: int | None = None) -> bytes:
    """A valid workbook whose sheet unpacks to `megabytes` MiB (whitespace inside the sheet data) from ~1/1000 of that.

    `declared_size` puts another unpacked size in the zip's headers: a bomb that lies about itself.
    """
    base = zipfile.ZipFile(io.BytesIO(_small_workbook(2)))
    sheet = base.read(SHEET)
    head, tail = sheet.split(b"<sheetData>", 1)
    head += b"<sheetData>"
    spaces, chunk = _deflate_spaces(megabytes)
    start = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = start.compress(head) + start.flush(zlib.Z_FULL_FLUSH) + spaces + end.compress(tail) + end.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + (megabytes << 20) + len(tail)
    return _zip_with_raw_member(base, SHEET, compressed, size if declared_size is None else declared_size, crc)


def _zip_with_raw_member(base: zipfile.ZipFile, name: str, compressed: bytes, size: int, crc: int) -> bytes:
    """Copy `base`, putting already-deflated bytes in as member `name` (zipfile cannot take compressed data)."""
    out = io.BytesIO()
    central = []
    for info in base.infolist():
        if info.filename == name:
            data, member_crc, member_size = compressed, crc, size
        else:
            raw = base.read(info.filename)
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            data, member_crc, member_size = compressor.compress(raw) + compressor.flush(), zlib.crc32(raw), len(raw)
        encoded = info.filename.encode()
        offset = out.tell()
        fields = (zipfile.ZIP_DEFLATED, 0, 0x21, member_crc, len(data), member_size, len(encoded))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields, 0) + encoded + data)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, *fields, 0, 0, 0, 0, 0, offset) + encoded
        )
    directory_offset = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), directory_offset, 0)
    )
    return out.getvalue()
