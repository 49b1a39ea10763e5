"""Background work of the organisation app: imports started from the admin."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .importing import REGISTRY, AuditSource, run_import
from .models import ImportJob
from .tabular import ImportRejected, read_table

logger = logging.getLogger(__name__)


def progress_key(job_id: int) -> str:
    return f"import-job-progress:{job_id}"


def progress_report(job_id: int, percent: int) -> None:
    cache.set(progress_key(job_id), percent, timeout=24 * 3600)


def progress_read(job: ImportJob) -> int:
    """The job's progress: the cache while it runs, the job row once it has ended."""
    if job.status != ImportJob.Status.RUNNING:
        return job.progress
    try:
        return max(job.progress, int(cache.get(progress_key(job.pk)) or 0))
    except Exception:  # an unreachable cache only costs the moving bar
        return job.progress


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def import_job_run(self, job_id: int, language: str = "zh-hans") -> str:
    """Run one admin import. Safe to run twice: a finished job is left alone."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.REJECTED):
            return job.status
        job.status = ImportJob.Status.RUNNING
        job.progress = 0
        job.save(update_fields=["status", "progress"])

    importer = REGISTRY[job.kind]
    last = {"percent": 0}

    def progress(done: int, total: int) -> None:
        # The import runs in one transaction, so a progress row written through
        # the database would stay invisible until the end; the cache is seen at once.
        percent = int(done * 100 / max(total, 1))
        if percent >= last["percent"] + 2:
            last["percent"] = percent
            progress_report(job_id, min(percent, 99))

    with translation.override(language):
        try:
            if not job.file:
                raise FileNotFoundError(job_id)
            with job.file.open("rb") as handle:
                data = handle.read()
            options = dict(job.options)
            if importer.reads_table:
                table = read_table(data, filename=job.filename or job.file.name)
            else:
                table = None
                options["data"] = data
                options["filename"] = job.filename or job.file.name
            summary = run_import(
                importer.run,
                table=table,
                dry_run=job.dry_run,
                progress=progress,
                audit=AuditSource(
                    kind=job.kind,
                    file_name=job.file.name.rsplit("/", 1)[-1],
                    data=data,
                    via="admin",
                    user=job.created_by,
                ),
                **options,
            )
        except ImportRejected as rejected:
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.Status.REJECTED,
                errors=[e.as_dict() for e in rejected.errors[:500]],
                summary={"error_count": len(rejected.errors)},
                progress=100,
                finished_at=timezone.now(),
            )
            return ImportJob.Status.REJECTED
        except FileNotFoundError:
            # The upload is gone (the retention sweep, or a restore without the
            # private files): say so rather than "failed".
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.Status.FAILED,
                failure=_(
                    "The uploaded file is no longer kept on the server. Nothing was "
                    "written. Please upload it again."
                ),
                finished_at=timezone.now(),
            )
            return ImportJob.Status.FAILED
        except Exception:
            logger.exception("import job %s failed", job_id)
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.Status.FAILED,
                failure=_(
                    "An unexpected error stopped the import (job %(id)s). Nothing was "
                    "written. Please tell the platform administrator, who can find "
                    "the details in the server log under this job number."
                )
                % {"id": job_id},
                finished_at=timezone.now(),
            )
            raise
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE,
        # A preview keeps its per-row changes for the page; an applied import's
        # changes are in its audit record.
        summary=summary.as_dict(changes=job.dry_run),
        progress=100,
        finished_at=timezone.now(),
    )
    return ImportJob.Status.DONE


@shared_task
def expire_import_uploads() -> int:
    """Delete uploaded import files past their retention period (jobs stay, marked)."""
    from .jobs import import_uploads_expire

    return import_uploads_expire()


@shared_task
def requeue_stale_imports() -> dict:
    """Send again imports left queued (broker down when they were uploaded)."""
    from .jobs import import_jobs_requeue_stale

    return import_jobs_requeue_stale()


@shared_task
def role_groups_expire() -> int:
    """Take away the admin groups of grants that ended, add those of grants that began."""
    from config.batch import run_isolated

    from .models import RoleAssignment
    from .services import role_groups_sync

    users = RoleAssignment.objects.values_list("user_id", flat=True).distinct()
    # One account whose groups cannot be written must not keep the others' rights.
    outcome = run_isolated(
        list(users),
        lambda user_id: role_groups_sync(user_ids=[user_id]),
        what="syncing role groups",
    )
    return outcome.done
