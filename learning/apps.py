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
