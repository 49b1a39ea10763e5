"""The unit tree, roster, roles and reference data in the Wagtail admin, plus the import page."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .admin_forms import StaffProfileAdminForm, UnitAdminForm
from .models import BusinessLine, Indicator, RoleAssignment, StaffProfile, Unit

Unit.base_form_class = UnitAdminForm
StaffProfile.base_form_class = StaffProfileAdminForm


def _yes_no(model, name):
    """A boolean field as a tick or cross under its translated heading, never True/False."""
    field = model._meta.get_field(name)
    return BooleanColumn(name, label=field.verbose_name, sort_key=name)


class UnitViewSet(SnippetViewSet):
    model = Unit
    icon = "site"
    menu_label = _("Units")
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    search_backend_name = None
    ordering = ["path"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("level"),
        FieldPanel("parent"),
        FieldPanel("business_line"),
    ]


class StaffViewSet(SnippetViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("Staff roster")
    list_display = [
        "staff_no",
        "name",
        "unit",
        "position",
        _yes_no(StaffProfile, "is_leader"),
        _yes_no(StaffProfile, "active"),
    ]
    list_filter = ["active", "is_leader", "unit__level"]
    search_fields = ["staff_no", "name", "position"]
    search_backend_name = None
    list_per_page = 50
    panels = [
        FieldPanel("staff_no"),
        FieldPanel("name"),
        FieldPanel("unit"),
        FieldPanel("position"),
        FieldPanel("business_lines"),
        FieldPanel("is_leader"),
        FieldPanel("email"),
        FieldPanel("hired_on"),
        FieldPanel("active"),
        FieldPanel("rank_category"),
        FieldPanel("rank_changed_on"),
    ]

    def get_queryset(self, request):
        return StaffProfile.objects.select_related("unit")


class RoleViewSet(SnippetViewSet):
    model = RoleAssignment
    icon = "key"
    menu_label = _("Roles")
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    panels = [FieldPanel("user"), FieldPanel("role"), FieldPanel("unit")]


class IndicatorViewSet(SnippetViewSet):
    model = Indicator
    icon = "table"
    menu_label = _("Indicator catalogue")
    list_display = [
        "name",
        "code",
        "direction",
        "business_line",
        _yes_no(Indicator, "active"),
    ]
    list_filter = ["direction", "active"]
    search_fields = ["name", "code", "name_en"]
    search_backend_name = None
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("business_line"),
        FieldPanel("business_line_group"),
        FieldPanel("formula"),
        FieldPanel("direction"),
        FieldPanel("target_low"),
        FieldPanel("target_high"),
        FieldPanel("provenance"),
        FieldPanel("gaming_caution"),
        FieldPanel("active"),
    ]


class BusinessLineViewSet(SnippetViewSet):
    model = BusinessLine
    icon = "list-ul"
    menu_label = _("Business lines")
    list_display = ["name", "code", "parent_group"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("parent_group"),
        FieldPanel("sort_order"),
    ]


class OrganisationGroup(SnippetViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 250
    items = (
        UnitViewSet,
        StaffViewSet,
        RoleViewSet,
        IndicatorViewSet,
        BusinessLineViewSet,
    )


register_snippet(OrganisationGroup)


@hooks.register("register_admin_urls")
def import_urls():
    return [
        path(
            "imports/",
            admin_views.ImportUploadView.as_view(),
            name="organisation_imports",
        ),
        path(
            "imports/<int:pk>/",
            admin_views.ImportJobView.as_view(),
            name="organisation_import_job",
        ),
        path(
            "imports/<int:pk>/file/",
            admin_views.import_job_file,
            name="organisation_import_job_file",
        ),
        path(
            "imports/<int:pk>/apply/",
            admin_views.ImportApplyView.as_view(),
            name="organisation_import_apply",
        ),
        path(
            "imports/records/",
            admin_views.ImportAuditListView.as_view(),
            name="organisation_import_audit",
        ),
        path(
            "imports/records/<int:pk>/",
            admin_views.ImportAuditListView.as_view(),
            name="organisation_import_record",
        ),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(admin_views.importable_kinds(request.user))


@hooks.register("register_admin_menu_item")
def import_menu_item():
    return ImportMenuItem(
        _("Data import"), reverse("organisation_imports"), icon_name="upload", order=260
    )
