"""Reading and writing the tabular files that administrators exchange with the platform.

Every importer reads its file through :func:`read_table`: UTF-8 (with or without BOM)
or GB18030 CSV, or the first sheet of an XLSX workbook, with a header row. Row numbers
are the ones a spreadsheet shows: the header is row 1. Every exporter writes cells
through :func:`neutralise` so that no cell is read as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

XLSX_MAGIC = b"PK\x03\x04"
# An XLSX whose parts inflate to more than this is refused before it is parsed.
XLSX_MAX_INFLATED = 200 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("Row %(row)s: %(message)s") % {
                "row": self.row,
                "message": self.message,
            }
        return str(self.message)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


class ImportRejected(Exception):
    """The file was refused whole; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    deactivated: int = 0
    # Per-row changes: {"row", "key", "action", "fields": {name: [old, new]}}.
    changes: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self, *, changes: bool = False) -> dict:
        result = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            **self.extra,
        }
        if self.deactivated:
            result["deactivated"] = self.deactivated
        if changes:
            result["changes"] = self.changes
        return result

    def record(self, action: str, *, row: int, key: str, fields=None) -> None:
        """Count one row's outcome and keep its changed fields for the preview."""
        if action == "unchanged":
            self.unchanged += 1
            return
        setattr(self, action, getattr(self, action) + 1)
        self.changes.append(
            {"row": row, "key": key, "action": action, "fields": fields or {}}
        )

    def __str__(self) -> str:
        text = _(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.deactivated:
            text += _(", %(n)s deactivated") % {"n": self.deactivated}
        if self.dry_run:
            text += _(" (dry run: nothing written)")
        # Whatever an importer read but could not keep as written is listed.
        for warning in self.extra.get("warnings") or []:
            text += "\n" + _("Warning, line %(line)s: %(message)s") % {
                "line": warning.get("line") or "—",
                "message": warning.get("message", ""),
            }
        return text


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def require_columns(
        self,
        required: Iterable[str],
        optional: Iterable[str] = (),
        *,
        allow_unknown: bool = False,
    ) -> None:
        """Refuse the file when a required column is missing or an unknown one is present."""
        required, optional = list(required), list(optional)
        errors = [
            RowError(1, name, gettext_lazy("required column is missing"))
            for name in required
            if name not in self.headers
        ]
        if not allow_unknown:
            known = set(required) | set(optional)
            errors += [
                RowError(1, name or "?", gettext_lazy("unknown column"))
                for name in self.headers
                if name not in known
            ]
        seen = set()
        for name in self.headers:
            if name in seen:
                errors.append(RowError(1, name, gettext_lazy("column appears twice")))
            seen.add(name)
        if errors:
            raise ImportRejected(errors)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # GB18030 decodes nearly any byte string; control characters other than line
        # breaks and tabs mean the file was in some other encoding.
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
            continue
        return text
    raise ImportRejected(
        [RowError(0, "", gettext_lazy("the file is neither UTF-8 nor GB18030 text"))]
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRejected(
            [RowError(0, "", gettext_lazy("the file is not a valid XLSX workbook"))]
        )
    if inflated > XLSX_MAX_INFLATED:
        raise ImportRejected(
            [RowError(0, "", gettext_lazy("the workbook is too large once unpacked"))]
        )
    limit = settings.IMPORT_MAX_ROWS + 1  # the header row
    try:
        # Read-only mode streams the sheet: rows are read one by one, and reading
        # stops at the cap instead of holding a million rows in memory.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            if len(rows) > limit:
                break
            rows.append([_cell_text(v) for v in row])
        workbook.close()
    except Exception:  # openpyxl raises many types for damaged files
        raise ImportRejected(
            [RowError(0, "", gettext_lazy("the file is not a valid XLSX workbook"))]
        )
    return rows


def _too_many_rows() -> ImportRejected:
    return ImportRejected(
        [
            RowError(
                0,
                "",
                _("the file has more than %(n)s rows; split it into smaller files")
                % {"n": settings.IMPORT_MAX_ROWS},
            )
        ]
    )


def read_table(source: str | Path | IO[bytes] | bytes, *, filename: str = "") -> Table:
    """Read a CSV or XLSX file into a header list and numbered rows of stripped text.

    Raises ImportRejected for an unreadable, oversized or empty file.
    """
    if isinstance(source, (str, Path)):
        filename = filename or str(source)
        path = Path(source)
        if path.stat().st_size > settings.IMPORT_MAX_BYTES:
            raise ImportRejected(
                [RowError(0, "", gettext_lazy("the file is too large"))]
            )
        data = path.read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read(settings.IMPORT_MAX_BYTES + 1)
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportRejected([RowError(0, "", gettext_lazy("the file is too large"))])

    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        raw_rows = _read_xlsx(data)
    else:
        raw_rows = _read_csv(data)
    if len(raw_rows) > settings.IMPORT_MAX_ROWS + 1:
        raise _too_many_rows()
    return _rows_to_table(raw_rows)


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text)):
            if len(rows) > settings.IMPORT_MAX_ROWS + 1:
                break
            rows.append([cell.strip() for cell in row])
    except csv.Error as exc:
        raise ImportRejected([RowError(0, "", str(exc))])
    return rows


def _rows_to_table(raw_rows: list[list[str]]) -> Table:
    if not raw_rows or not any(raw_rows[0]):
        raise ImportRejected(
            [RowError(1, "", gettext_lazy("the file has no header row"))]
        )
    headers = [h.strip().lower().lstrip("\ufeff") for h in raw_rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        if not any(cell for cell in raw):
            continue
        if len(raw) > len(headers) and any(raw[len(headers) :]):
            raise ImportRejected(
                [
                    RowError(
                        number,
                        "",
                        gettext_lazy("the row has more cells than the header"),
                    )
                ]
            )
        rows.append(
            (
                number,
                {h: (raw[i] if i < len(raw) else "") for i, h in enumerate(headers)},
            )
        )
    return Table(headers=headers, rows=rows)


# Parsing cells ----------------------------------------------------------------------

TRUE_WORDS = {"1", "true", "yes", "y", "是", "对", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "错", "f", ""}


def parse_bool(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(
        _('expected 1/0, true/false or 是/否, got "%(value)s"') % {"value": value}
    )


DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: str) -> dt.date:
    """A date written YYYY-MM-DD (or with / . or 年月日); an impossible day is named."""
    text = value.strip()
    if len(text) > 10 and text[10] in " T":
        text = text[:10]
    match = DATE_PATTERN.match(text)
    if not match:
        raise ValueError(
            _('expected a date as YYYY-MM-DD, got "%(value)s"') % {"value": value}
        )
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            _('"%(value)s" is not a date that exists') % {"value": value}
        ) from None


def parse_decimal(value: str) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_('expected a number, got "%(value)s"') % {"value": value})
    if not number.is_finite():
        raise ValueError(_('expected a number, got "%(value)s"') % {"value": value})
    return number


def split_codes(value: str) -> list[str]:
    """Split a list of codes written with ; ， , or ；."""
    return [part.strip() for part in re.split(r"[;；,，]", value) if part.strip()]


# Writing ----------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Make a cell safe for spreadsheets: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(headers: list[str], rows: Iterable[Iterable[Any]], *, bom: bool = True):
    """Yield CSV lines one by one (for streaming responses), formula cells neutralised."""
    writer = csv.writer(_Echo())
    first = writer.writerow([neutralise(h) for h in headers])
    yield ("\ufeff" + first) if bom else first
    for row in rows:
        yield writer.writerow(["" if v is None else neutralise(v) for v in row])


def write_xlsx(
    target: IO[bytes] | str | Path,
    headers: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    title: str = "Sheet1",
) -> None:
    """Write one sheet in constant memory (write-only mode), formula cells neutralised."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    sheet.append([neutralise(h) for h in headers])
    for row in rows:
        sheet.append(["" if v is None else neutralise(v) for v in row])
    workbook.save(target)
