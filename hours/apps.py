from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hours"
    verbose_name = _("Training hours")

    def ready(self) -> None:
        from organisation.importing import register

        from . import importers, receivers

        receivers.connect()
        register(
            "attendance",
            _("Class sign-in sheets"),
            importers.attendance_import,
            sample_codes=importers.sample_codes,
        )
