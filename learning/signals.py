"""Receivers that hand Wagtail and assessment events to the services."""

from __future__ import annotations


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
