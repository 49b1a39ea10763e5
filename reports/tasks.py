"""Celery tasks for report files."""

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=2)
def build_export(self, export_id: int) -> int | None:
    """Build one report file; safe to run twice (a finished export is left alone)."""
    export = services.export_build(export_id=export_id)
    return export.rows if export else None
