"""Turning an uploaded or named file into what ``questions_import`` takes."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from organisation.tabular import ImportRejected, RowError, read_table

from . import aiken, gift

FORMATS = ("gift", "aiken", "csv", "xlsx")


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # UTF-16 and binary files can decode as UTF-8 full of NULs, which no text
        # column (PostgreSQL's least of all) can store.
        if "\x00" not in text:
            return text
        break
    raise ImportRejected(
        [RowError(0, "", _("the file is neither UTF-8 nor GB18030 text"))]
    )


def load_questions(data: bytes, *, format: str, filename: str = "", category: str = ""):
    """A Table (CSV/XLSX) or a list of records (GIFT/Aiken); ImportRejected when unreadable."""
    if format == "gift":
        return gift.parse(decode(data), default_category=category)
    if format == "aiken":
        return aiken.parse(decode(data), default_category=category)
    if format in ("csv", "xlsx"):
        name = filename or f"questions.{format}"
        if not name.lower().endswith(f".{format}"):
            name = f"{Path(name).stem}.{format}"
        return read_table(data, filename=name)
    raise ImportRejected([RowError(0, "format", _("unknown format: %s") % format)])


def guess_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    return {"gift": "gift", "txt": "aiken", "csv": "csv", "xlsx": "xlsx"}.get(
        suffix, ""
    )
