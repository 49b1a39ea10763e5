from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning")

    def ready(self):
        from wagtail.signals import page_published

        from . import signals
        from .models import CoursePage

        page_published.connect(
            signals.course_published,
            sender=CoursePage,
            dispatch_uid="learning.course_published",
        )
        from assessments.signals import attempt_finished
        from organisation.admin_people import register_person_panel

        from .admin_panels import person_learning_panel

        register_person_panel(person_learning_panel)

        attempt_finished.connect(
            signals.attempt_finished, dispatch_uid="learning.attempt_finished"
        )
        self._connect_lesson_body_signals()

    def _connect_lesson_body_signals(self) -> None:
        """What drops the lesson bodies kept by learning.serving."""
        from django.db.models.signals import post_delete, post_save
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction
        from wagtail.signals import page_unpublished, post_page_move

        from assessments.models import Quiz
        from organisation.models import Indicator

        from . import signals
        from .models import LessonPage

        for signal in (post_save, post_delete):
            name = signal is post_save and "save" or "delete"
            signal.connect(
                signals.lesson_saved_or_deleted,
                sender=LessonPage,
                dispatch_uid=f"learning.body.lesson_{name}",
            )
            signal.connect(
                signals.view_restriction_changed,
                sender=PageViewRestriction,
                dispatch_uid=f"learning.body.restriction_{name}",
            )
            for model in (Quiz, Indicator, get_image_model(), get_document_model()):
                signal.connect(
                    signals.body_source_changed,
                    sender=model,
                    dispatch_uid=f"learning.body.{model._meta.label_lower}_{name}",
                )
        page_unpublished.connect(
            signals.page_unpublished_or_moved, dispatch_uid="learning.body.unpublished"
        )
        post_page_move.connect(
            signals.page_unpublished_or_moved, dispatch_uid="learning.body.moved"
        )
