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


# The stored lesson bodies (learning.serving) ----------------------------------------


def _lesson_ids_under(page) -> list[int]:
    from .models import LessonPage

    return list(
        LessonPage.objects.descendant_of(page, inclusive=True).values_list(
            "pk", flat=True
        )
    )


def lesson_saved_or_deleted(sender, instance, **kwargs) -> None:
    from .serving import lesson_bodies_forget

    lesson_bodies_forget(page_ids=[instance.pk])


def page_unpublished_or_moved(sender, instance, **kwargs) -> None:
    from .serving import lesson_bodies_forget

    lesson_bodies_forget(page_ids=_lesson_ids_under(instance))


def view_restriction_changed(sender, instance, **kwargs) -> None:
    from wagtail.models import Page

    from .serving import lesson_bodies_forget

    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        lesson_bodies_forget(page_ids=_lesson_ids_under(page))


def body_source_changed(sender, instance, **kwargs) -> None:
    # A quiz, indicator, image or document may appear in any lesson's body.
    from .serving import lesson_bodies_forget_all

    lesson_bodies_forget_all()
