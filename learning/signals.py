"""Receivers that hand Wagtail and assessment events to the services."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after an import of completions has been committed, with ``completion_ids`` of
# the rows it created or changed (bulk writes send no model signals).
completions_imported = Signal()


def course_published(sender, instance, revision=None, **kwargs) -> None:
    if getattr(instance, "material_change", False):
        from .services import course_apply_material_change

        course_apply_material_change(course=instance, revision=revision)


def attempt_finished(sender, attempt=None, **kwargs) -> None:
    # Sent after the attempt's transaction commits, so the grade is final here.
    if attempt is None:
        return
    from .services import attempt_finished_handle

    attempt_finished_handle(attempt=attempt)
