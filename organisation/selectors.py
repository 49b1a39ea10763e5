"""Selectors: every read of units and people goes through the scope of the reader.

``units_visible_to`` is the one place that decides which units a user may see; every
view, export and generated file that shows people's data starts from it or from
``staff_visible_to``. Leadership and administrators see the province; a unit leader
sees the subtrees of the units they lead; everyone else sees no unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import and_, or_
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import RoleAssignment, StaffProfile, Unit
from .permissions import ALL, user_scope_paths

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _path_filter(paths: list[str], field: str = "path") -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths), Q(pk__in=[]))


def units_visible_to(user: User) -> QuerySet[Unit]:
    paths = user_scope_paths(user)
    units = Unit.objects.select_related("parent", "business_line")
    if paths is ALL:
        return units
    if not paths:
        return units.none()
    return units.filter(_path_filter(paths))


def unit_get_visible(user: User, *, code: str) -> Unit:
    """The unit with this code if the user may see it; 404 otherwise (never 403: no probing)."""
    unit = units_visible_to(user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def staff_visible_to(
    user: User, *, include_inactive: bool = False
) -> QuerySet[StaffProfile]:
    paths = user_scope_paths(user)
    staff = StaffProfile.objects.select_related("unit", "user")
    if not include_inactive:
        staff = staff.filter(active=True)
    if paths is ALL:
        return staff
    if not paths:
        return staff.none()
    return staff.filter(_path_filter(paths, "unit__path"))


def staff_in_unit(
    unit: Unit, *, include_inactive: bool = False
) -> QuerySet[StaffProfile]:
    """Everyone in a unit's subtree. Callers must have obtained ``unit`` through a scoped selector."""
    staff = StaffProfile.objects.select_related("unit", "user").filter(
        unit__path__startswith=unit.path
    )
    return staff if include_inactive else staff.filter(active=True)


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path)


def unit_ancestors(unit: Unit) -> list[Unit]:
    codes = [c for c in unit.path.split("/") if c][:-1]
    order = {c: i for i, c in enumerate(codes)}
    return sorted(Unit.objects.filter(code__in=codes), key=lambda u: order[u.code])


def roles_of(user: User) -> QuerySet[RoleAssignment]:
    """The grants in force today."""
    return RoleAssignment.objects.in_force().filter(user=user).select_related("unit")


# A word naming more units than this is too vague to search their subtrees by.
TREE_WORD_UNITS = 300


def words_filter(query: str, fields: Iterable[str], *, path_field: str = "") -> Q:
    """Every word of ``query`` found in one of ``fields``.

    With ``path_field`` (the unit path of the row), a word may also name any unit
    above the row: "城关区院 第一检察部" finds the 第一检察部 of 城关区院 and its people.
    """
    fields = list(fields)
    parts = []
    for word in query.split():
        found = reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields))
        if path_field:
            paths = list(
                Unit.objects.filter(
                    Q(name__icontains=word) | Q(code__icontains=word)
                ).values_list("path", flat=True)[: TREE_WORD_UNITS + 1]
            )
            if len(paths) <= TREE_WORD_UNITS:
                found |= _path_filter(paths, path_field)
        parts.append(found)
    return reduce(and_, parts, Q())


def unit_path_labels(units: Iterable[Unit]) -> dict[int, str]:
    """Each unit's chain of names from the province: 华西省院 › 东平市院 › 平安区院."""
    units = [u for u in units if u is not None]
    codes = {c for u in units for c in u.path.split("/") if c}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        u.pk: " › ".join(names.get(c, c) for c in u.path.split("/") if c) for u in units
    }


def unit_subunit_counts(units: Iterable[Unit]) -> dict[int, int]:
    """How many units lie below each unit (its subtree without itself)."""
    units = [u for u in units if u is not None]
    if not units:
        return {}
    paths = list(Unit.objects.values_list("path", flat=True))
    return {u.pk: sum(1 for p in paths if p.startswith(u.path)) - 1 for u in units}
