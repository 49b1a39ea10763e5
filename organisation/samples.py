"""What the data-import page says about each import: its columns and a sample file.

Both are read from the importer's own column declarations (``Schema``), so the page,
the sample files and the importer cannot drift apart. A sample's references name
codes that exist (the province, a person, a course…), so it imports as it is.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import get_language, pgettext

from .columns import CLEAR, ERROR, SCHEMAS, Choice, Schema
from .importing import REGISTRY
from .models import BusinessLine, Indicator, StaffProfile, Unit
from .tabular import neutralise, write_xlsx


def organisation_codes() -> dict[str, str]:
    """One existing code for each lookup table the organisation's importers use."""
    codes = {
        "units": Unit.objects.filter(parent__isnull=True).values_list(
            "code", flat=True
        ),
        "staff": StaffProfile.objects.filter(active=True).values_list(
            "staff_no", flat=True
        ),
        "lines": BusinessLine.objects.values_list("code", flat=True),
        "indicators": Indicator.objects.filter(active=True).values_list(
            "code", flat=True
        ),
    }
    return {table: found for table, query in codes.items() if (found := query.first())}


def schema_of(kind: str) -> Schema | None:
    importer = REGISTRY.get(kind)
    if importer is not None and importer.schema is not None:
        return importer.schema()
    return SCHEMAS.get(kind)


def sample_codes(kind: str) -> dict[str, str]:
    codes = organisation_codes()
    importer = REGISTRY.get(kind)
    if importer is not None and importer.sample_codes is not None:
        codes |= importer.sample_codes()
    return codes


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def sample_rows(kind: str) -> tuple[list[str], list[str]]:
    """The header row (Chinese headers in the Chinese UI) and one sample row."""
    schema = schema_of(kind)
    if schema is None:
        raise KeyError(kind)
    codes = sample_codes(kind)
    headers = [c.zh if _chinese() else c.name for c in schema.columns]
    return headers, [c.sample_cell(codes) for c in schema.columns]


def sample_csv(kind: str) -> bytes:
    headers, row = sample_rows(kind)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in headers])
    writer.writerow([neutralise(v) for v in row])
    # With a BOM, so that spreadsheet programs read the Chinese headers as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sample_xlsx(kind: str) -> bytes:
    headers, row = sample_rows(kind)
    out = io.BytesIO()
    write_xlsx(out, headers, [row], title=kind)
    return out.getvalue()


EMPTY_CELL = {
    CLEAR: lambda: pgettext("empty cell", "clears the stored value"),
    ERROR: lambda: pgettext("empty cell", "refused"),
}


def column_spec(kind: str) -> list[dict]:
    """The columns of an import as a person reads them on the data-import page."""
    schema = schema_of(kind)
    if schema is None:
        return []
    spec = []
    for column in schema.columns:
        if isinstance(column.type, Choice):
            values = [" / ".join(words) for words in column.type.spellings().values()]
        else:
            values = [str(column.type.description)]
        if column.required and column.on_empty != CLEAR:
            empty = pgettext("empty cell", "refused")
        else:
            empty = EMPTY_CELL.get(
                column.on_empty, lambda: pgettext("empty cell", "left as stored")
            )()
        spec.append(
            {
                "name": column.name,
                "zh": column.zh,
                "aliases": list(column.aliases),
                "required": column.required,
                "values": values,
                "empty": empty,
            }
        )
    return spec
