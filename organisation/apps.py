from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from .importing import register
        from .services import indicators_import, staff_import, units_import

        register("units", _("Unit tree"), units_import)
        register("staff", _("Staff roster"), staff_import)
        register("indicators", _("Indicator catalogue"), indicators_import)
