"""Celery tasks for report files."""

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=2)
def build_export(self, export_id: int) -> int | None:
    """Build one report file; safe to run twice (a finished export is left alone)."""
    export = services.export_build(export_id=export_id)
    return export.rows if export else None


@shared_task
def expire_exports() -> int:
    """Delete report files past their retention period (the rows stay, marked expired)."""
    return services.exports_expire()


@shared_task
def requeue_stale_exports() -> dict:
    """Send again report files left queued (broker down when they were requested)."""
    return services.exports_requeue_stale()
