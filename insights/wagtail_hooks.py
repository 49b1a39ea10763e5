"""Admin: indicator editions (which indicators a period is read against) and values."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import IndicatorEdition, IndicatorValue


class IndicatorEditionViewSet(SnippetViewSet):
    model = IndicatorEdition
    icon = "list-ol"
    menu_label = _("Indicator editions")
    list_display = ["name", "code", "valid_from", "valid_to"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("valid_from"),
        FieldPanel("valid_to"),
        FieldPanel("indicators"),
    ]


class IndicatorValueViewSet(SnippetViewSet):
    model = IndicatorValue
    icon = "table"
    menu_label = _("Indicator values")
    list_display = ["unit", "indicator", "period", "value"]
    list_filter = ["kind", "period"]
    list_per_page = 50
    panels = [
        FieldPanel("unit"),
        FieldPanel("indicator"),
        FieldPanel("period"),
        FieldPanel("value"),
        FieldPanel("numerator"),
        FieldPanel("denominator"),
    ]


class InsightsGroup(SnippetViewSetGroup):
    menu_label = _("Indicator data")
    menu_icon = "table"
    menu_order = 260
    items = (IndicatorEditionViewSet, IndicatorValueViewSet)


register_snippet(InsightsGroup)
