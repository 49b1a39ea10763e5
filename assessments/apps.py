from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from organisation.importing import register

        from .services.transfer import questions_import, results_import

        register("questions", _("Questions (CSV/XLSX)"), questions_import)
        register("results", _("External exam results"), results_import)
