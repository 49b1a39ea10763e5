from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from organisation.importing import register

        register(
            "indicator_values",
            _("Indicator values"),
            _import_values,
            schema=_value_schema,
        )


def _import_values(**options):
    # Imported on use: the analytics behind the services load pandas and scipy, which
    # no process should pay for at start-up.
    from .services import indicator_values_import

    return indicator_values_import(**options)


def _value_schema():
    from .services import VALUE_SCHEMA

    return VALUE_SCHEMA
