"""Writing question records as GIFT, CSV (UTF-8 with BOM) or XLSX."""

from __future__ import annotations

from typing import IO

from organisation.tabular import csv_rows, write_xlsx

from . import gift
from .tabular import HEADERS, rows_for


def write_questions(records, format: str, target: IO[bytes]) -> None:
    if format == "gift":
        target.write(gift.write(records).encode("utf-8"))
    elif format == "csv":
        for line in csv_rows(HEADERS, rows_for(records)):
            target.write(line.encode("utf-8"))
    elif format == "xlsx":
        write_xlsx(target, HEADERS, rows_for(records), title="questions")
    else:
        raise ValueError(format)
