"""Writing question records as GIFT, Aiken, CSV (UTF-8 with BOM) or XLSX."""

from __future__ import annotations

from typing import IO

from organisation.tabular import csv_rows, write_xlsx

from . import QuestionRecord, aiken, gift
from .tabular import HEADERS, rows_for


def write_questions(records, format: str, target: IO[bytes]) -> list[QuestionRecord]:
    """Write the records; returns those the format cannot hold (Aiken only holds
    plain single-choice questions), which are left out of the file."""
    if format == "gift":
        target.write(gift.write(records).encode("utf-8"))
    elif format == "aiken":
        text, skipped = aiken.write(records)
        target.write(text.encode("utf-8"))
        return skipped
    elif format == "csv":
        for line in csv_rows(HEADERS, rows_for(records)):
            target.write(line.encode("utf-8"))
    elif format == "xlsx":
        write_xlsx(target, HEADERS, rows_for(records), title="questions")
    else:
        raise ValueError(format)
    return []
