from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from organisation.importing import register

        from .services import indicator_values_import

        register(
            "indicator_values",
            _("Indicator values"),
            indicator_values_import,
        )
