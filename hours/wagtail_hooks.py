"""Hours rules, classes, exemptions and manual credits in the Wagtail admin.

Every create, edit and delete made here is kept in the object's history (Wagtail's
log), which is the audit trail of rule changes and manual credits.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_forms import ManualEntryForm
from .models import (
    CentralisedClass,
    ClassSession,
    Enrolment,
    HoursExemption,
    LedgerEntry,
    PostChange,
    Requirement,
)


class RequirementViewSet(SnippetViewSet):
    model = Requirement
    icon = "list-ol"
    menu_label = _("Hours requirements")
    list_display = [
        "kind",
        "rank_category",
        "trigger",
        "hours",
        "days",
        "window_years",
        "valid_from",
        "active",
    ]
    list_filter = ["kind", "trigger", "active"]
    panels = [
        FieldPanel("kind"),
        FieldPanel("rank_category"),
        FieldPanel("trigger"),
        FieldPanel("hours"),
        FieldPanel("days"),
        FieldPanel("day_rate"),
        FieldPanel("window_years"),
        FieldPanel("within_months"),
        FieldPanel("valid_from"),
        FieldPanel("active"),
        FieldPanel("basis"),
    ]


class PostChangeViewSet(SnippetViewSet):
    model = PostChange
    icon = "user"
    menu_label = _("Promotions and appointments")
    list_display = ["staff", "trigger", "on"]
    list_filter = ["trigger"]
    search_fields = ["staff__name", "staff__staff_no"]
    search_backend_name = None
    panels = [
        FieldPanel("staff"),
        FieldPanel("trigger"),
        FieldPanel("on"),
        FieldPanel("note"),
    ]


class ExemptionViewSet(SnippetViewSet):
    model = HoursExemption
    icon = "pick"
    menu_label = _("Hours exemptions")
    list_display = ["staff", "kind", "starts_on", "ends_on", "reason"]
    search_fields = ["staff__name", "staff__staff_no"]
    search_backend_name = None
    panels = [
        FieldPanel("staff"),
        FieldPanel("kind"),
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
        FieldPanel("reason"),
    ]


class ClassViewSet(SnippetViewSet):
    model = CentralisedClass
    icon = "group"
    menu_label = _("Centralised classes")
    list_display = ["code", "title", "organiser", "starts_on", "ends_on"]
    search_fields = ["code", "title"]
    search_backend_name = None
    panels = [
        FieldPanel("code"),
        FieldPanel("title"),
        FieldPanel("organiser"),
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
        FieldPanel("hours_per_day"),
        FieldPanel("rule_units"),
        FieldPanel("rule_rank_category"),
    ]


class SessionViewSet(SnippetViewSet):
    model = ClassSession
    icon = "date"
    menu_label = _("Class sessions")
    list_display = ["klass", "on", "title", "hours"]
    panels = [
        FieldPanel("klass"),
        FieldPanel("on"),
        FieldPanel("title"),
        FieldPanel("hours"),
    ]


class EnrolmentViewSet(SnippetViewSet):
    model = Enrolment
    icon = "user"
    menu_label = _("Class enrolments")
    list_display = ["klass", "staff"]
    panels = [FieldPanel("klass"), FieldPanel("staff")]


class ManualEntryViewSet(SnippetViewSet):
    """Manual credits only: rows from completions and classes follow their source."""

    model = LedgerEntry
    icon = "edit"
    menu_label = _("Manual hours entries")
    list_display = ["staff", "on", "hours", "kind", "title", "reason"]
    list_filter = ["kind"]
    search_fields = ["staff__name", "staff__staff_no", "title"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("staff"),
            FieldPanel("on"),
            FieldPanel("hours"),
            FieldPanel("kind"),
            FieldPanel("title"),
            FieldPanel("reason"),
        ],
        base_form_class=ManualEntryForm,
    )

    def get_queryset(self, request):
        return LedgerEntry.objects.filter(source=LedgerEntry.Source.MANUAL)


class HoursGroup(SnippetViewSetGroup):
    menu_label = _("Training hours")
    menu_icon = "time"
    menu_order = 255
    items = (
        RequirementViewSet,
        ClassViewSet,
        SessionViewSet,
        EnrolmentViewSet,
        PostChangeViewSet,
        ExemptionViewSet,
        ManualEntryViewSet,
    )


register_snippet(HoursGroup)
