from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from .importers import staff_import, units_import
        from .importing import register
        from .indicator_import import indicators_import
        from .role_import import roles_import

        register("units", _("Unit tree"), units_import)
        register("staff", _("Staff roster"), staff_import)
        register("indicators", _("Indicator catalogue"), indicators_import)
        register("roles", _("Role grants"), roles_import)
