"""The machinery every importer shares: a registry, the command adapter, and the job runner.

An importer is a service ``fn(*, table: Table, dry_run: bool, **options) -> ImportSummary``
that raises :class:`~organisation.tabular.ImportRejected` when anything in the file is
wrong. The service writes inside one transaction, so a rejected file writes nothing;
a dry run validates everything and rolls back.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from .columns import checking_progress
from .tabular import ImportRejected, ImportSummary, RowError, Table, read_table

ImporterFn = Callable[..., ImportSummary]


@dataclass(frozen=True)
class Importer:
    kind: str
    label: str
    run: ImporterFn
    # Formats that are not tables (GIFT, Aiken) get the raw bytes as ``data=`` and
    # ``filename=`` instead of ``table=`` when run from the admin.
    reads_table: bool = True
    # Who may run it from the admin; administrators by default.
    allowed: Callable[[object], bool] = field(default=lambda user: _is_admin(user))
    # The importer's column declarations (for the admin's column table and sample
    # files), and existing codes by lookup table that a sample's references may name.
    schema: Callable[[], object] | None = None
    sample_codes: Callable[[], dict[str, str]] | None = None


def _is_admin(user) -> bool:
    from .permissions import is_administrator

    return is_administrator(user)


REGISTRY: dict[str, Importer] = {}


def register(
    kind: str,
    label,
    run: ImporterFn,
    *,
    reads_table: bool = True,
    allowed: Callable[[object], bool] | None = None,
    schema: Callable[[], object] | None = None,
    sample_codes: Callable[[], dict[str, str]] | None = None,
) -> None:
    """Make an importer available on the admin's import page (call from AppConfig.ready)."""
    REGISTRY[kind] = Importer(
        kind=kind,
        label=label,
        run=run,
        reads_table=reads_table,
        allowed=allowed or _is_admin,
        schema=schema,
        sample_codes=sample_codes,
    )


class _DryRunRollback(Exception):
    pass


@dataclass(frozen=True)
class AuditSource:
    """Where an import came from, for its audit record."""

    kind: str
    file_name: str
    data: bytes
    via: str
    user: object | None = None

    def record(self, summary: ImportSummary) -> None:
        from .models import ImportAudit

        user = self.user if getattr(self.user, "pk", None) else None
        ImportAudit.objects.create(
            kind=self.kind,
            file_name=self.file_name[-255:],
            sha256=hashlib.sha256(self.data).hexdigest(),
            user=user,
            user_name=(user.get_username() if user else "")[:150],
            via=self.via,
            summary=summary.as_dict(),
            changes=summary.changes,
        )


# The share of the progress bar (per mille) for checking the file; writing fills
# the rest. Checking and planning 100,000 rows takes about as long as writing them.
CHECKING_SHARE = 400


def _phased(progress: Callable[[int, int], None]):
    """(checking, writing): ``progress`` split between the two phases of an import,
    each reporting (done, total) of its own."""

    def checking(done: int, total: int) -> None:
        progress(CHECKING_SHARE * done // max(total, 1), 1000)

    def writing(done: int, total: int) -> None:
        share = (1000 - CHECKING_SHARE) * done // max(total, 1)
        progress(CHECKING_SHARE + share, 1000)

    return checking, writing


def run_import(
    fn: ImporterFn,
    *,
    table: Table,
    dry_run: bool = False,
    audit: AuditSource | None = None,
    **options,
) -> ImportSummary:
    """Run an importer atomically; on a dry run everything is validated, then rolled back.

    An applied import with an ``audit`` source is recorded in the same transaction.
    A ``progress`` callback hears of the rows checked first, then of those written.
    """
    summary: ImportSummary | None = None
    token = None
    if options.get("progress") is not None:
        checking, options["progress"] = _phased(options["progress"])
        token = checking_progress.set(checking)
    try:
        with transaction.atomic():
            summary = fn(table=table, dry_run=dry_run, **options)
            if dry_run:
                raise _DryRunRollback
            if audit is not None:
                audit.record(summary)
    except _DryRunRollback:
        pass
    finally:
        if token is not None:
            checking_progress.reset(token)
    assert summary is not None
    summary.dry_run = dry_run
    return summary


class ImportCommand(BaseCommand):
    """Adapter for ``import_*`` commands: FILE, --dry-run, --json, a one-line summary.

    Exits 1 with every error (row and column named) when the file is refused.
    """

    importer: ImporterFn

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )
        parser.add_argument(
            "--json", action="store_true", help="print the summary as one JSON object"
        )

    def importer_options(self, options: dict) -> dict:
        return {}

    def audit_kind(self) -> str:
        # import_staff → staff, import_indicator_values → indicator_values
        return type(self).__module__.rsplit(".", 1)[-1].removeprefix("import_")

    def load_table(self, path: str, options: dict) -> Table:
        return read_table(path)

    def handle(self, *args, **options):
        try:
            table = self.load_table(options["file"], options)
            path = Path(options["file"])
            audit = AuditSource(
                kind=self.audit_kind(),
                file_name=path.name,
                data=path.read_bytes(),
                via="command",
            )
            summary = run_import(
                type(self).importer,
                table=table,
                dry_run=options["dry_run"],
                audit=audit,
                **self.importer_options(options),
            )
        except ImportRejected as rejected:
            self.report_errors(rejected.errors, options)
            sys.exit(1)
        except FileNotFoundError:
            self.report_errors(
                [RowError(0, "", _("file not found: %s") % options["file"])], options
            )
            sys.exit(1)
        if options["json"]:
            # The same per-row diff the admin previews: new, changed (old → new),
            # deactivated.
            self.stdout.write(
                json.dumps(summary.as_dict(changes=True), ensure_ascii=False)
            )
        else:
            self.stdout.write(str(summary))

    def report_errors(self, errors: list[RowError], options: dict) -> None:
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "created": 0,
                        "updated": 0,
                        "unchanged": 0,
                        "error_count": len(errors),
                        "errors": [e.as_dict() for e in errors],
                    },
                    ensure_ascii=False,
                )
            )
        for error in errors:
            self.stderr.write(str(error))
        self.stderr.write(
            _("Import refused: %(n)s error(s), nothing written.") % {"n": len(errors)}
        )
