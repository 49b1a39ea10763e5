import io
import json

from django.core.management import call_command
from openpyxl import Workbook

from organisation.tabular import Table


def write_csv(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def write_xlsx(path, rows: list[list]) -> str:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def run_command(name: str, *args) -> tuple[int, dict | None, str]:
    """Run an import command; return (exit code, JSON summary or None, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(name, *args, "--json", stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    text = out.getvalue().strip()
    return code, (json.loads(text) if text else None), err.getvalue()


def table_of(headers: list[str], rows) -> Table:
    """An in-memory table, as read_table would give it (data from row 2)."""
    return Table(
        headers=headers,
        rows=[
            (n + 2, dict(zip(headers, row, strict=True))) for n, row in enumerate(rows)
        ],
    )


def queries_of(fn, table, **options) -> int:
    """How many queries one import of ``table`` makes (validation, plan, writes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organisation.importing import run_import

    with CaptureQueriesContext(connection) as context:
        run_import(fn, table=table, **options)
    return len(context)
