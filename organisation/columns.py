"""The declarative import layer: every importer declares its columns once, here.

A :class:`Column` names its type, its English and Chinese headers, whether the file
must carry it, and what an empty cell means. A :class:`Schema` binds a file's
headers to the declared columns (in either language), then cleans every row and
collects every error with its row and column. Importers only plan and write.

Two rules the layer guarantees for every importer:

* **Absent means untouched.** A column missing from the file never appears in a
  row's ``values``, so an importer cannot change what it does not know.
* **Empty cells clear only where declared.** An empty cell in a present column is
  skipped (untouched) unless the column says ``on_empty="clear"`` (the value
  becomes ``cleared``) or the column is required (a row error).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .tabular import (
    FALSE_WORDS,
    TRUE_WORDS,
    ImportRejected,
    RowError,
    Table,
    parse_date,
    parse_decimal,
    split_codes,
)

KEEP, CLEAR, ERROR = "keep", "clear", "error"

# Told how many rows have been checked, (done, total), while a schema cleans a file:
# set by the job runner (see ``organisation.importing.run_import``) so that the
# admin's bar moves while a large file is checked, before anything is written.
checking_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "checking_progress", default=None
)
# Rows cleaned between two reports.
CHECK_STEP = 2000


class CellError(ValueError):
    """A cell's text cannot be cleaned; the message is shown with row and column."""


# Cell types -------------------------------------------------------------------------


class CellType:
    """Turns a non-empty, stripped cell into a value, or raises CellError."""

    description = ""
    # A value the type accepts, for sample files; ``Ref`` types take an existing code.
    sample = ""

    def clean(self, text: str, lookups: Mapping[str, Mapping]) -> Any:
        return text

    def example(self, codes: Mapping[str, str]) -> str:
        return self.sample


@dataclass(frozen=True)
class Text(CellType):
    max_length: int = 200
    sample = "示例"

    @property
    def description(self) -> str:
        return _("text, at most %(n)s characters") % {"n": self.max_length}

    def clean(self, text, lookups):
        if len(text) > self.max_length:
            raise CellError(_("longer than %(n)s characters") % {"n": self.max_length})
        return text


CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Code(CellType):
    """A code: letters, digits, ``-``, ``_`` and ``.``, starting with a letter or digit."""

    max_length: int = 40
    sample = "SAMPLE-1"

    @property
    def description(self) -> str:
        return _("code (letters, digits, - _ .), at most %(n)s characters") % {
            "n": self.max_length
        }

    def clean(self, text, lookups):
        if len(text) > self.max_length:
            raise CellError(_("longer than %(n)s characters") % {"n": self.max_length})
        if not CODE_PATTERN.match(text):
            raise CellError(
                _('"%(value)s" is not a code: use letters, digits, - _ and .')
                % {"value": text}
            )
        return text


class Bool(CellType):
    sample = "是"

    @property
    def description(self) -> str:
        return _("1/0, true/false or 是/否")

    def clean(self, text, lookups):
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(
            _('expected 1/0, true/false or 是/否, got "%(value)s"') % {"value": text}
        )


class Date(CellType):
    def example(self, codes):
        from django.utils import timezone

        return timezone.localdate().isoformat()

    @property
    def description(self) -> str:
        return _("date, YYYY-MM-DD")

    def clean(self, text, lookups):
        try:
            return parse_date(text)
        except ValueError as exc:
            raise CellError(str(exc)) from None


@dataclass(frozen=True)
class Number(CellType):
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def example(self, codes):
        if self.minimum is not None and self.minimum > 1:
            return str(self.minimum)
        if self.maximum is not None and self.maximum < 1:
            return str(self.maximum)
        return "1"

    @property
    def description(self) -> str:
        return _("number")

    def clean(self, text, lookups):
        try:
            number = parse_decimal(text)
        except ValueError as exc:
            raise CellError(str(exc)) from None
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise CellError(
                _("expected a number between %(low)s and %(high)s")
                % {"low": self.minimum, "high": self.maximum}
            )
        return number


@dataclass(frozen=True)
class Choice(CellType):
    """One of a fixed set; ``words`` maps every accepted spelling (lower case) to the value."""

    words: Mapping[str, str]

    def example(self, codes):
        return next(iter(self.words.values()), "")

    @property
    def description(self) -> str:
        return " / ".join(dict.fromkeys(self.words.values()))

    def spellings(self) -> dict[str, list[str]]:
        """Every accepted spelling of each value, the value itself first."""
        found: dict[str, list[str]] = {}
        for word, value in self.words.items():
            found.setdefault(value, [value])
            if word != value:
                found[value].append(word)
        return found

    def clean(self, text, lookups):
        value = self.words.get(text.lower())
        if value is None:
            raise CellError(
                _('unknown value "%(value)s"; expected one of %(choices)s')
                % {"value": text, "choices": self.description}
            )
        return value


class Email(CellType):
    sample = "someone@example.cn"

    @property
    def description(self) -> str:
        return _("e-mail address")

    def clean(self, text, lookups):
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(text)
        except ValidationError:
            raise CellError(
                _('not an email address: "%(value)s"') % {"value": text}
            ) from None
        return text


@dataclass(frozen=True)
class Ref(CellType):
    """A code looked up in ``lookups[table]`` (prepared by the importer)."""

    table: str
    unknown: Any = gettext_lazy('unknown code "%(code)s"')

    def example(self, codes):
        return codes.get(self.table, "")

    @property
    def description(self) -> str:
        return _("code")

    def clean(self, text, lookups):
        found = lookups[self.table].get(text)
        if found is None:
            raise CellError(str(self.unknown) % {"code": text})
        return found


@dataclass(frozen=True)
class RefList(CellType):
    """Codes separated by ``;`` (or ，；,) looked up in ``lookups[table]``."""

    table: str
    unknown: Any = gettext_lazy('unknown code "%(code)s"')

    def example(self, codes):
        return codes.get(self.table, "")

    @property
    def description(self) -> str:
        return _("codes separated by ;")

    def clean(self, text, lookups):
        found = []
        for code in split_codes(text):
            item = lookups[self.table].get(code)
            if item is None:
                raise CellError(str(self.unknown) % {"code": code})
            if item not in found:
                found.append(item)
        return found


class Words(CellType):
    sample = "检察官"

    @property
    def description(self) -> str:
        return _("texts separated by ;")

    def clean(self, text, lookups):
        return split_codes(text)


# Columns and schemas ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: CellType
    zh: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    # What an empty cell in a present column means: keep the stored value, clear it
    # (to ``cleared``), or refuse the row. A required column (one the file must
    # carry) refuses an empty cell unless it declares that empty clears.
    on_empty: str = KEEP
    cleared: Any = None
    help: str = ""
    # The cell of sample files when the type's own example does not fit the column
    # (a text, or a function of the existing codes by table).
    example: str | Callable[[Mapping[str, str]], str] | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)

    def sample_cell(self, codes: Mapping[str, str]) -> str:
        if self.example is None:
            return self.type.example(codes)
        return self.example(codes) if callable(self.example) else self.example


def _header_key(header: str) -> str:
    # Spreadsheets add stars to required headers and full-width spaces around them.
    return re.sub(r"[\s\u3000*＊]", "", header).lower()


@dataclass
class Row:
    number: int
    values: dict[str, Any]

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


@dataclass
class Parsed:
    rows: list[Row]
    present: set[str]
    errors: list[RowError] = field(default_factory=list)

    def raise_errors(self) -> None:
        if self.errors:
            raise ImportRejected(sorted(self.errors, key=lambda e: e.row))


DUPLICATE = gettext_lazy('"%(key)s" appears twice (also on row %(row)s)')


# Each importer's schema by kind, so pages can name a changed column as its header.
SCHEMAS: dict[str, Schema] = {}


def column_label(kind: str, name: str) -> str:
    """The header a person reads for a column: Chinese in the Chinese UI."""
    from django.utils.translation import get_language

    schema = SCHEMAS.get(kind)
    column = schema.by_name.get(name) if schema else None
    if column is None or not (get_language() or "").startswith("zh"):
        return name
    return column.zh


def labelled_changes(kind: str, changes: list[dict]) -> list[dict]:
    """Changes with their fields as (header, old, new) for display."""
    return [
        change
        | {
            "labelled": [
                (column_label(kind, name), *pair)
                for name, pair in change.get("fields", {}).items()
            ]
        }
        for change in changes
    ]


class Schema:
    """Columns declared once; binds headers (English or Chinese) and cleans rows."""

    def __init__(
        self,
        *columns: Column,
        key: Iterable[str] = (),
        duplicate: Any = None,
        allow_unknown: bool = False,
        kind: str = "",
    ):
        if kind:
            SCHEMAS[kind] = self
        self.columns = list(columns)
        self.by_name = {c.name: c for c in columns}
        self.key = tuple(key)
        self.duplicate = duplicate or DUPLICATE
        self.allow_unknown = allow_unknown
        self._aliases = {_header_key(h): c for c in columns for h in c.headers}

    def column_for(self, header: str) -> Column | None:
        return self._aliases.get(_header_key(header))

    def bind(self, headers: list[str]) -> dict[int, Column]:
        """Map header positions to columns; refuse missing, unknown and repeated ones."""
        errors, bound, seen = [], {}, set()
        for index, header in enumerate(headers):
            column = self.column_for(header)
            if column is None:
                if not self.allow_unknown:
                    errors.append(
                        RowError(1, header or "?", gettext_lazy("unknown column"))
                    )
                continue
            if column.name in seen:
                errors.append(RowError(1, header, gettext_lazy("column appears twice")))
                continue
            seen.add(column.name)
            bound[index] = column
        errors += [
            RowError(1, c.name, gettext_lazy("required column is missing"))
            for c in self.columns
            if c.required and c.name not in seen
        ]
        if errors:
            raise ImportRejected(errors)
        return bound

    def canonical(self, table: Table) -> Table:
        """The table with its headers renamed to the declared names (checked first).

        For readers that clean cells themselves (question tables) but share the
        headers, aliases and column errors of every importer.
        """
        bound = self.bind(table.headers)
        names = {table.headers[i]: c.name for i, c in bound.items()}
        return Table(
            headers=[names.get(h, h) for h in table.headers],
            rows=[
                (number, {names.get(h, h): v for h, v in raw.items()})
                for number, raw in table.rows
            ],
        )

    def parse(
        self, table: Table, lookups: Mapping[str, Mapping] | None = None
    ) -> Parsed:
        """Clean every row. Errors are collected, not raised (see Parsed.raise_errors)."""
        bound = self.bind(table.headers)
        pairs = [(table.headers[i], c) for i, c in sorted(bound.items())]
        parsed = Parsed(rows=[], present={c.name for _h, c in pairs})
        keys: dict[tuple, int] = {}
        report = checking_progress.get()
        total = len(table.rows)
        for index, (number, raw) in enumerate(table.rows):
            if report is not None and index % CHECK_STEP == 0:
                report(index, total)
            values, row_ok = {}, True
            for header, column in pairs:
                ok = self._clean_cell(
                    column, raw.get(header, ""), number, values, lookups, parsed
                )
                row_ok = row_ok and ok
            if self.key and all(k in values for k in self.key):
                key = tuple(_key_part(values[k]) for k in self.key)
                if key in keys:
                    parsed.errors.append(
                        RowError(
                            number,
                            self.key[-1],
                            str(self.duplicate)
                            % {
                                "key": " / ".join(
                                    self._raw(raw, pairs, k) for k in self.key
                                ),
                                "row": keys[key],
                            },
                        )
                    )
                    continue
                keys[key] = number
            # A row with a refused cell is reported, not planned: the importer's
            # cross-row checks only see rows whose every present cell is clean.
            if row_ok:
                parsed.rows.append(Row(number, values))
        if report is not None:
            report(total, total)
        return parsed

    @staticmethod
    def _raw(raw: dict, pairs, name: str) -> str:
        return next((raw.get(h, "") for h, c in pairs if c.name == name), "").strip()

    @staticmethod
    def _clean_cell(column, text, number, values, lookups, parsed) -> bool:
        text = (text or "").strip()
        if not text:
            if column.on_empty == CLEAR:
                values[column.name] = column.cleared
                return True
            if column.required or column.on_empty == ERROR:
                parsed.errors.append(
                    RowError(number, column.name, gettext_lazy("the cell is empty"))
                )
                return False
            return True
        try:
            values[column.name] = column.type.clean(text, lookups or {})
        except CellError as exc:
            parsed.errors.append(RowError(number, column.name, str(exc)))
            return False
        return True

    def describe(self) -> list[dict]:
        """The columns as documentation rows (name, Chinese header, required, type)."""
        return [
            {
                "name": c.name,
                "zh": c.zh,
                "aliases": list(c.aliases),
                "required": c.required,
                "type": str(c.type.description),
                "on_empty": c.on_empty,
            }
            for c in self.columns
        ]


def _key_part(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


# Planning ---------------------------------------------------------------------------


def diff_fields(
    current: Mapping[str, Any], wanted: Mapping[str, Any], show: Callable = str
) -> dict[str, list]:
    """The fields whose wanted value differs from the current one, as [old, new] text."""
    changes = {}
    for name, new in wanted.items():
        old = current.get(name)
        if old != new:
            changes[name] = [_shown(old, show), _shown(new, show)]
    return changes


def _shown(value: Any, show: Callable) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple, set)):
        return ";".join(sorted(show(v) for v in value))
    return show(value)


def chunks(items: list, size: int = 2000):
    """Slices small enough for any database's parameter limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
