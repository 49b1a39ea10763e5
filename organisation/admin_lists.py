"""The admin's people and role lists: names, units by their full path, roles and scope.

Each list shows a unit as its path from the province, filters by a unit's whole
subtree, and works out paths, sub-unit counts and roles once per page, so the
number of queries does not grow with the page.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import IndexView

from .models import RoleAssignment, StaffProfile
from .permissions import PROVINCE_WIDE_ROLES, is_administrator
from .selectors import (
    staff_visible_to,
    unit_path_labels,
    unit_subunit_counts,
    units_visible_to,
    words_filter,
)

Role = RoleAssignment.Role


# Filters ----------------------------------------------------------------------------


class _SubtreeFilterSet(WagtailFilterSet):
    """A "within unit" filter over the units the user may see, labelled by path."""

    unit_field = "unit__path"
    within = django_filters.ChoiceFilter(
        label=_("Within unit"), method="filter_within", empty_label=_("All units")
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        units = list(units_visible_to(request.user).order_by("path")) if request else []
        labels = unit_path_labels(units)
        self._paths = {u.code: u.path for u in units}
        self.filters["within"].extra["choices"] = [
            (u.code, labels[u.pk]) for u in units
        ]

    def filter_within(self, queryset, name, value):
        path = self._paths.get(value)
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{self.unit_field}__startswith": path})


class RoleFilterSet(_SubtreeFilterSet):
    role = django_filters.ChoiceFilter(
        label=pgettext_lazy("role grant", "Role"),
        choices=Role.choices,
        empty_label=_("All roles"),
    )
    in_force = django_filters.BooleanFilter(
        label=_("In force today"),
        method="filter_in_force",
        widget=forms.Select(
            choices=[
                ("", _("All")),
                ("true", _("In force")),
                ("false", _("Ended or not begun")),
            ]
        ),
    )

    class Meta:
        model = RoleAssignment
        fields = []

    def filter_in_force(self, queryset, name, value):
        current = RoleAssignment.objects.in_force().values("pk")
        if value:
            return queryset.filter(pk__in=current)
        return queryset.exclude(pk__in=current)


class StaffFilterSet(_SubtreeFilterSet):
    role = django_filters.ChoiceFilter(
        label=pgettext_lazy("role grant", "Role"),
        choices=Role.choices,
        empty_label=_("All roles"),
        method="filter_role",
    )

    class Meta:
        model = StaffProfile
        fields = ["is_leader", "active"]

    def filter_role(self, queryset, name, value):
        holders = RoleAssignment.objects.in_force().filter(role=value)
        return queryset.filter(user__in=holders.values("user_id"))


# Scope in words ---------------------------------------------------------------------


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def scope_text(grant: RoleAssignment, subunits: int | None) -> str:
    """What a grant lets its holder see, as a sentence: 可查看 东平市院 及其下属 12 个单位."""
    if grant.unit_id is None or grant.role in PROVINCE_WIDE_ROLES:
        return str(_("The whole province"))
    unit = grant.unit.name
    if not subunits:
        return str(_("Sees %(unit)s") % {"unit": unit})
    return ngettext(
        "Sees %(unit)s and its %(n)s sub-unit",
        "Sees %(unit)s and its %(n)s sub-units",
        subunits,
    ) % {"unit": unit, "n": subunits}


def period_text(grant: RoleAssignment) -> str:
    today = timezone.localdate()
    if grant.valid_to and grant.valid_to < today:
        return str(_("Ended on %(day)s") % {"day": _day(grant.valid_to)})
    if grant.valid_from and grant.valid_from > today:
        return str(_("Begins on %(day)s") % {"day": _day(grant.valid_from)})
    if grant.valid_to:
        return str(_("Until %(day)s") % {"day": _day(grant.valid_to)})
    return str(_("No end date"))


# Index views ------------------------------------------------------------------------


class _WordsSearch:
    """Search every word in any of the search fields (name, 工号) or the unit's path."""

    path_field = "unit__path"

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(
            words_filter(
                self.search_query, self.search_fields, path_field=self.path_field
            )
        )


class RoleIndexView(_WordsSearch, IndexView):
    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, other = super().paginate_queryset(queryset, page_size)
        rows = list(rows)
        units = [g.unit for g in rows if g.unit_id]
        labels = unit_path_labels(units)
        counts = unit_subunit_counts(units)
        for grant in rows:
            grant.path_label = labels.get(grant.unit_id, "")
            grant.scope = scope_text(grant, counts.get(grant.unit_id))
            grant.period = period_text(grant)
        page.object_list = rows
        return paginator, page, rows, other


class StaffIndexView(_WordsSearch, IndexView):
    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, other = super().paginate_queryset(queryset, page_size)
        rows = list(rows)
        labels = unit_path_labels([p.unit for p in rows])
        for profile in rows:
            profile.path_label = labels.get(profile.unit_id, "")
            profile.role_names = "、".join(
                str(g.get_role_display()) for g in profile.user.current_roles
            )
        page.object_list = rows
        return paginator, page, rows, other


def staff_list_queryset(request):
    """The roster the user may see, leavers included, with each person's grants."""
    visible = staff_visible_to(request.user, include_inactive=True)
    return visible.prefetch_related(
        Prefetch(
            "user__roles",
            queryset=RoleAssignment.objects.in_force(),
            to_attr="current_roles",
        )
    )


def role_list_queryset(request):
    """Every grant for administrators; otherwise the grants of people in scope."""
    grants = RoleAssignment.objects.select_related("user__profile", "unit")
    if is_administrator(request.user):
        return grants
    return grants.filter(
        user__profile__in=staff_visible_to(request.user, include_inactive=True)
    )


ROLE_COLUMNS = [
    "person",
    Column(
        "role",
        label=pgettext_lazy("role grant", "Role"),
        accessor="get_role_display",
        sort_key="role",
    ),
    Column("unit", label=_("Unit"), accessor="path_label", sort_key="unit__path"),
    Column("scope", label=pgettext_lazy("role grant", "Scope"), accessor="scope"),
    Column(
        "period",
        label=pgettext_lazy("role grant", "Period"),
        accessor="period",
        sort_key="valid_to",
    ),
]
