"""Import jobs' files and lifecycle: queue an upload, serve it back, expire it, revive
jobs the broker never delivered.

The uploaded file is kept in the private storage under a random name (the name it was
uploaded as is kept in ``filename``); only its uploader or an administrator may fetch
it again, and the nightly sweep deletes it after IMPORT_UPLOAD_RETENTION_DAYS.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.jobs import requeue_stale
from config.storage import delete_quietly
from config.tasks import send_on_commit

from . import permissions
from .models import ImportJob


@transaction.atomic
def import_job_create(
    *,
    user,
    kind: str,
    upload,
    dry_run: bool = False,
    options: dict | None = None,
    language: str = "zh-hans",
) -> ImportJob:
    """Store the upload privately and queue its import once the transaction commits.

    A broker that refuses the message leaves the job queued (the stale sweep sends it
    again); it never fails the request.
    """
    from .tasks import import_job_run

    job = ImportJob.objects.create(
        kind=kind,
        file=upload,
        filename=(upload.name or "")[-255:],
        options=options or {},
        dry_run=dry_run,
        created_by=user,
    )
    send_on_commit(import_job_run, job.pk, language)
    return job


def import_job_get_for_download(*, user, pk: int) -> ImportJob:
    """A job whose uploaded file ``user`` may fetch: their own, or any for an
    administrator; 404 otherwise (and when the file is gone)."""
    job = ImportJob.objects.filter(pk=pk).first()
    if (
        job is None
        or not job.file
        or job.file_expired_at is not None
        or not (job.created_by_id == user.pk or permissions.is_administrator(user))
    ):
        raise Http404
    return job


def import_uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Delete uploads older than IMPORT_UPLOAD_RETENTION_DAYS; the jobs stay, marked."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.IMPORT_UPLOAD_RETENTION_DAYS)
    old = ImportJob.objects.filter(
        created_at__lt=cutoff, file_expired_at__isnull=True
    ).exclude(file="")
    expired = 0
    for job in old.iterator():
        delete_quietly(job.file)
        expired += ImportJob.objects.filter(pk=job.pk).update(
            file="", file_expired_at=now
        )
    return expired


def import_jobs_requeue_stale(*, now: dt.datetime | None = None) -> dict:
    """Send again the imports still queued (see config.jobs.requeue_stale)."""
    from .tasks import import_job_run

    def fail(stale) -> int:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _(
                "The import waited too long for the background service and did not "
                "run. Nothing was written. Please upload the file again later; if it "
                "happens again, tell the platform administrator."
            )
        return ImportJob.objects.filter(
            pk__in=list(stale.values_list("pk", flat=True)),
            status=ImportJob.Status.QUEUED,
        ).update(
            status=ImportJob.Status.FAILED,
            failure=reason,
            finished_at=timezone.now(),
        )

    return requeue_stale(
        ImportJob.objects.filter(status=ImportJob.Status.QUEUED),
        task=import_job_run,
        args=lambda job: (job.pk, settings.LANGUAGE_CODE),
        fail=fail,
        now=now,
    )
