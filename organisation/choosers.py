"""Admin choosers that find people and units the way an administrator thinks of them.

The person chooser searches 姓名, 工号 and unit and shows all three; the unit chooser
searches name or code and shows each unit's full path, so that the many 第一检察部 of
a province can be told apart. Both list only what the signed-in user may see.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.chooser import (
    ChooseResultsView,
    ChooseView,
    ChosenView,
)
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets import BaseChooser

from .models import Unit
from .selectors import (
    staff_visible_to,
    unit_path_labels,
    units_visible_to,
    words_filter,
)

PERSON_SEARCH = ("name", "staff_no", "unit__name", "unit__code", "position")
UNIT_SEARCH = ("name", "code")


class _WordsFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=pgettext_lazy("chooser", "Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )
    search_fields: tuple[str, ...] = ()
    prefix_path = ""
    path_field = ""

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            fields = [self.prefix_path + f for f in self.search_fields]
            objects = objects.filter(
                words_filter(query, fields, path_field=self.path_field)
            )
            self.is_searching = True
            self.search_query = query
        return objects


class PersonFilterForm(_WordsFilterForm):
    search_fields = PERSON_SEARCH
    prefix_path = "profile__"
    path_field = "profile__unit__path"


class UnitFilterForm(_WordsFilterForm):
    search_fields = UNIT_SEARCH
    path_field = "path"


def person_label(user) -> str:
    profile = getattr(user, "profile", None)
    if profile is None:
        return user.get_username()
    label = unit_path_labels([profile.unit]).get(profile.unit_id, "")
    return f"{profile.name}（{profile.staff_no}）· {label}"


def unit_label(unit: Unit) -> str:
    return unit_path_labels([unit]).get(unit.pk, unit.name)


class _LabelledPage:
    """Sets ``path_label`` on the page's rows with one query for the whole page."""

    def get_results_page(self, request):
        page = super().get_results_page(request)
        page.object_list = list(page.object_list)
        units = [self.unit_of(obj) for obj in page.object_list]
        labels = unit_path_labels(units)
        for obj, unit in zip(page.object_list, units, strict=True):
            obj.path_label = labels.get(unit.pk, "") if unit else ""
        return page


class _PersonViewMixin(_LabelledPage):
    filter_form_class = PersonFilterForm

    def get_object_list(self):
        # Only people the user may see, and only those still on the roster.
        return (
            get_user_model()
            .objects.filter(profile__in=staff_visible_to(self.request.user))
            .select_related("profile__unit")
            .order_by("profile__unit__path", "profile__staff_no")
        )

    @staticmethod
    def unit_of(user):
        return user.profile.unit

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("Name"),
                accessor=lambda u: u.profile.name,
                get_url=self._chosen_url,
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("staff_no", label=_("Staff number"), accessor="profile.staff_no"),
            Column("unit", label=_("Unit"), accessor="path_label"),
        ]

    def _chosen_url(self, obj):
        from django.urls import reverse

        return self.append_preserved_url_parameters(
            reverse(self.chosen_url_name, args=(obj.pk,))
        )


class PersonChooseView(_PersonViewMixin, ChooseView):
    pass


class PersonChooseResultsView(_PersonViewMixin, ChooseResultsView):
    pass


class PersonChosenView(ChosenView):
    def get_display_title(self, instance):
        return person_label(instance)


class _PersonChooserWidget(BaseChooser):
    def get_display_title(self, instance):
        return person_label(instance)


class PersonChooserViewSet(ChooserViewSet):
    model = settings.AUTH_USER_MODEL
    icon = "user"
    choose_one_text = _("Choose a person")
    choose_another_text = _("Choose another person")
    choose_view_class = PersonChooseView
    choose_results_view_class = PersonChooseResultsView
    base_widget_class = _PersonChooserWidget
    # Only the role form uses it; other account fields keep Wagtail's own widget.
    register_widget = False
    per_page = 20
    chosen_view_class = PersonChosenView


class _UnitViewMixin(_LabelledPage):
    filter_form_class = UnitFilterForm

    def get_object_list(self):
        return units_visible_to(self.request.user).order_by("path")

    @staticmethod
    def unit_of(unit):
        return unit

    @property
    def columns(self):
        return [
            TitleColumn(
                "path",
                label=_("Unit"),
                accessor="path_label",
                get_url=self._chosen_url,
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("code", label=_("Code"), accessor="code"),
            Column(
                "level",
                label=pgettext_lazy("unit", "Level"),
                accessor="get_level_display",
            ),
        ]

    _chosen_url = _PersonViewMixin._chosen_url


class UnitChooseView(_UnitViewMixin, ChooseView):
    pass


class UnitChooseResultsView(_UnitViewMixin, ChooseResultsView):
    pass


class UnitChosenView(ChosenView):
    def get_display_title(self, instance):
        return unit_label(instance)


class _UnitChooserWidget(BaseChooser):
    def get_display_title(self, instance):
        return unit_label(instance)


class UnitChooserViewSet(ChooserViewSet):
    model = Unit
    icon = "site"
    choose_one_text = _("Choose a unit")
    choose_another_text = _("Choose another unit")
    choose_view_class = UnitChooseView
    choose_results_view_class = UnitChooseResultsView
    base_widget_class = _UnitChooserWidget
    register_widget = False
    per_page = 20
    chosen_view_class = UnitChosenView


person_chooser_viewset = PersonChooserViewSet("person_chooser")
unit_chooser_viewset = UnitChooserViewSet("unit_chooser")
# The form widgets (the viewsets give them their modal's address).
PersonChooserWidget = person_chooser_viewset.widget_class
UnitChooserWidget = unit_chooser_viewset.widget_class
