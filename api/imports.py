"""Rows posted to the API, run through the importers that read files.

A batch of JSON objects becomes the same ``Table`` a CSV file would, so the API
keeps every rule of the file imports: the declared columns and their Chinese
aliases, all-or-nothing, a field absent from the batch never changes what is
stored, and the same audit record (``via="api"``). Errors name the row as its
1-based position in the batch; errors about the fields themselves name row 0.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.utils.translation import gettext as _

from organisation.columns import SCHEMAS
from organisation.importing import REGISTRY, AuditSource, run_import
from organisation.tabular import ImportRejected, ImportSummary, RowError, Table

MAX_ROWS = 5000


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, float | int | Decimal):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError


def rows_table(rows: list, *, fixed: dict | None = None) -> Table:
    """The batch as a table; ``fixed`` fields are added to every row."""
    fixed = fixed or {}
    if not rows:
        raise ImportRejected([RowError(0, "", _("the batch holds no rows"))])
    if len(rows) > MAX_ROWS:
        raise ImportRejected(
            [RowError(0, "", _("at most %(n)s rows per request") % {"n": MAX_ROWS})]
        )
    headers: list[str] = []
    table_rows, errors = [], []
    for number, item in enumerate(rows, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, "", _("each row must be an object")))
            continue
        item = {str(k).strip().lower(): v for k, v in item.items()} | fixed
        if not headers:
            headers = list(item)
        elif set(item) != set(headers):
            # An absent field means "leave as stored" for the whole batch; a row
            # that drops a field the others carry would be read as an empty cell.
            errors.append(
                RowError(number, "", _("the row's fields differ from the first row's"))
            )
            continue
        try:
            table_rows.append((number, {k: _cell(v).strip() for k, v in item.items()}))
        except TypeError:
            errors.append(
                RowError(number, "", _("values must be text, numbers or true/false"))
            )
    if errors:
        raise ImportRejected(errors)
    return Table(headers=headers, rows=table_rows)


def run_rows(
    kind: str,
    rows: list,
    *,
    user,
    dry_run: bool = False,
    fixed: dict | None = None,
    **options,
) -> ImportSummary:
    """Import a batch with the importer registered as ``kind``; raises ImportRejected."""
    importer = REGISTRY[kind]
    table = rows_table(rows, fixed=fixed)
    schema = SCHEMAS.get(kind)
    if schema is not None:
        try:
            schema.bind(table.headers)
        except ImportRejected as rejected:
            raise ImportRejected(
                [RowError(0, e.column, e.message) for e in rejected.errors]
            ) from None
    data = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str).encode()
    audit = AuditSource(kind=kind, file_name="api", data=data, via="api", user=user)
    return run_import(
        importer.run, table=table, dry_run=dry_run, audit=audit, **options
    )


def rejected_json(rejected: ImportRejected) -> dict:
    """The command's ``--json`` answer for a refused import."""
    return {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "error_count": len(rejected.errors),
        "errors": [e.as_dict() for e in rejected.errors],
    }
