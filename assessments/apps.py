from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from organisation.importing import register

        from .services.transfer import (
            questions_import_file,
            results_import,
            sample_codes,
        )

        register(
            "questions",
            _("Questions (GIFT/Aiken/CSV/XLSX)"),
            questions_import_file,
            reads_table=False,
        )
        # Trainers import questions from the question bank's own page (which checks
        # their bank rights); the general data-import page stays administrators'.
        register(
            "results",
            _("External exam results"),
            results_import,
            sample_codes=sample_codes,
        )

        from .signals import attempt_finished
        from .tasks import on_attempt_finished

        attempt_finished.connect(
            on_attempt_finished, dispatch_uid="assessments.statistics_refresh_soon"
        )
