"""The unit tree, roster, roles and reference data in the Wagtail admin, plus the import page."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .admin_forms import RoleAssignmentAdminForm, StaffProfileAdminForm, UnitAdminForm
from .admin_lists import (
    ROLE_COLUMNS,
    RoleFilterSet,
    RoleIndexView,
    StaffFilterSet,
    StaffIndexView,
    role_list_queryset,
    staff_list_queryset,
)
from .admin_people import PersonInspectView
from .choosers import (
    PersonChooserWidget,
    UnitChooserWidget,
    person_chooser_viewset,
    unit_chooser_viewset,
)
from .models import BusinessLine, Indicator, RoleAssignment, StaffProfile, Unit

Unit.base_form_class = UnitAdminForm
StaffProfile.base_form_class = StaffProfileAdminForm
RoleAssignment.base_form_class = RoleAssignmentAdminForm


@hooks.register("register_admin_viewset")
def register_choosers():
    return [person_chooser_viewset, unit_chooser_viewset]


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
        FieldPanel("parent", widget=UnitChooserWidget),
        FieldPanel("business_line"),
    ]


class StaffViewSet(SnippetViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("Staff roster")
    index_view_class = StaffIndexView
    filterset_class = StaffFilterSet
    list_display = [
        "name",
        "staff_no",
        Column("unit", label=_("Unit"), accessor="path_label", sort_key="unit__path"),
        "position",
        _yes_no(StaffProfile, "is_leader"),
        Column("roles", label=_("Roles"), accessor="role_names"),
        _yes_no(StaffProfile, "active"),
    ]
    search_fields = ["staff_no", "name", "position", "unit__name", "unit__code"]
    search_backend_name = None
    list_per_page = 50
    inspect_view_enabled = True
    inspect_view_class = PersonInspectView
    panels = [
        FieldPanel("staff_no"),
        FieldPanel("name"),
        FieldPanel("unit", widget=UnitChooserWidget),
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
        return staff_list_queryset(request)


class RoleViewSet(SnippetViewSet):
    model = RoleAssignment
    icon = "key"
    menu_label = _("Roles")
    index_view_class = RoleIndexView
    filterset_class = RoleFilterSet
    list_display = ROLE_COLUMNS
    search_fields = [
        "user__profile__name",
        "user__profile__staff_no",
        "user__username",
        "unit__name",
        "unit__code",
    ]
    search_backend_name = None
    list_per_page = 50
    panels = [
        FieldPanel("user", widget=PersonChooserWidget),
        FieldPanel("role"),
        FieldPanel("unit", widget=UnitChooserWidget),
        FieldPanel("valid_from"),
        FieldPanel("valid_to"),
    ]

    def get_queryset(self, request):
        return role_list_queryset(request)


@hooks.register("after_delete_snippet")
def role_groups_after_delete(request, instances):
    from .services import role_groups_sync

    removed = [(g.user_id, g.role) for g in instances if isinstance(g, RoleAssignment)]
    if removed:
        role_groups_sync(user_ids=[u for u, _r in removed], removed=removed)


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
            "imports/sample/<slug:kind>.<slug:fmt>",
            admin_views.import_sample,
            name="organisation_import_sample",
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
