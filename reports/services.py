"""Generated report files: requested from a page, built by a Celery task."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from typing import TYPE_CHECKING

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.jobs import requeue_stale
from config.storage import delete_quietly
from config.tasks import send_on_commit
from learning.campaigns.models import Campaign
from organisation.models import Unit

from . import selectors
from .exports import csv_stream, file_name, write_pdf, write_people_xlsx
from .models import ReportExport

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

STATUS_FILTERS = {
    "not_done": selectors.NOT_DONE,
    "overdue": ("overdue",),
    "not_started": ("not_started",),
    "in_progress": ("in_progress",),
    "exempt": ("exempt",),
    "completed": ("completed",),
    "all": None,
}


@transaction.atomic
def export_request(
    *,
    user: User,
    campaign: Campaign,
    unit: Unit,
    as_of: dt.date,
    fmt: str,
    show: str = "not_done",
    language: str = "zh-hans",
) -> ReportExport:
    """Queue a report file. ``unit`` must come from unit_get_visible(user, …)."""
    from .tasks import build_export

    export = ReportExport.objects.create(
        requested_by=user,
        campaign=campaign,
        unit=unit,
        as_of=as_of,
        format=fmt,
        language=language if language in ("zh-hans", "en") else "zh-hans",
        show=show if show in STATUS_FILTERS else "not_done",
    )
    send_on_commit(build_export, export.pk)
    return export


def export_build(*, export_id: int) -> ReportExport | None:
    """Write the file of one export (idempotent: a finished export is left alone)."""
    export = (
        ReportExport.objects.select_related("campaign", "unit", "requested_by__profile")
        .filter(pk=export_id)
        .first()
    )
    if export is None or export.status == ReportExport.Status.DONE:
        return export
    ReportExport.objects.filter(pk=export.pk).update(
        status=ReportExport.Status.RUNNING, progress=5
    )
    try:
        with translation.override(export.language):
            report = selectors.campaign_report(
                export.campaign, unit=export.unit, as_of=export.as_of
            )
            people = selectors.campaign_people(
                report, statuses=STATUS_FILTERS.get(export.show)
            )
            total = max(1, people.count())

            def progress(done: int) -> None:
                ReportExport.objects.filter(pk=export.pk).update(
                    progress=min(95, 5 + int(90 * done / total))
                )

            # The name people see; the stored name is random (config.storage).
            shown = file_name(report, export.unit, export.show, export.format)
            with tempfile.TemporaryFile() as handle:
                count = _write(export, report, people, handle, progress)
                handle.seek(0)
                export.file.save(shown, File(handle), save=False)
    except Exception:
        logger.exception("report export %s failed", export.pk)
        with translation.override(export.language):
            reason = _(
                "An unexpected error stopped the file from being built. Please try "
                "again; if it fails again, tell the platform administrator."
            )
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED,
            error=reason,
            finished_at=timezone.now(),
        )
        raise
    export.filename = shown
    export.rows = count
    export.status = ReportExport.Status.DONE
    export.error = ""
    export.progress = 100
    export.finished_at = timezone.now()
    export.save()
    return export


def _counting(people, progress):
    for count, person in enumerate(people, start=1):
        if count % 1000 == 0:
            progress(count)
        yield person


def _write(export, report, people, handle, progress) -> int:
    if export.format == ReportExport.Format.CSV:
        count = 0
        for line in csv_stream(report, _counting(people, progress)):
            handle.write(line.encode("utf-8"))
            count += 1
        return max(0, count - 1)
    if export.format == ReportExport.Format.XLSX:
        counted = _counting(people, progress)
        write_people_xlsx(
            handle,
            report,
            counted,
            unit=export.unit,
            show=export.show,
            user=export.requested_by,
        )
        return people.count()
    return write_pdf(
        handle,
        report,
        unit=export.unit,
        show=export.show,
        people=people,
        user=export.requested_by,
        progress=progress,
    )


def exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete report files older than EXPORT_RETENTION_DAYS and mark their rows expired.

    The row stays (its page says the file has expired and can be generated again).
    """
    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.EXPORT_RETENTION_DAYS)
    expired = 0
    old = ReportExport.objects.filter(
        created_at__lt=cutoff, expired_at__isnull=True
    ).exclude(file="")
    for export in old.iterator():
        delete_quietly(export.file)
        expired += ReportExport.objects.filter(pk=export.pk).update(
            file="", expired_at=now
        )
    return expired


def exports_requeue_stale(*, now: dt.datetime | None = None) -> dict:
    """Send again the report files still queued (see config.jobs.requeue_stale)."""
    from .tasks import build_export

    def fail(stale) -> int:
        failed = 0
        for export in stale:
            with translation.override(export.language):
                reason = _(
                    "The file waited too long for the background service and was not "
                    "built. Please try again later; if it happens again, tell the "
                    "platform administrator."
                )
            failed += ReportExport.objects.filter(
                pk=export.pk, status=ReportExport.Status.QUEUED
            ).update(
                status=ReportExport.Status.FAILED,
                error=reason,
                finished_at=timezone.now(),
            )
        return failed

    return requeue_stale(
        ReportExport.objects.filter(status=ReportExport.Status.QUEUED),
        task=build_export,
        args=lambda export: (export.pk,),
        fail=fail,
        now=now,
    )
