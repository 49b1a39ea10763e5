"""Services that write the unit tree, the roster and roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from config.sql import bulk_update

from .models import (
    BusinessLine,
    LanguagePreference,
    RoleAssignment,
    StaffProfile,
    Unit,
)
from .tabular import (
    ImportSummary,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Progress = Callable[[int, int], None] | None

ROLE_GROUPS: dict[str, str] = {
    RoleAssignment.Role.TRAINER: "Trainers",
    RoleAssignment.Role.TRAINING_HEAD: "Training office heads",
    RoleAssignment.Role.UNIT_LEADER: "Unit leaders",
    RoleAssignment.Role.LEADERSHIP: "Leadership",
    RoleAssignment.Role.ADMINISTRATOR: "Administrators",
}


class OrganisationError(Exception):
    pass


# Units ------------------------------------------------------------------------------

UNIT_LEVELS = {choice.value for choice in Unit.Level}


def _recompute_paths(*, roots: list[Unit] | None = None) -> None:
    """Recompute ``path`` and ``depth`` for the whole tree (a few thousand rows at most)."""
    units = list(Unit.objects.only("id", "code", "parent_id", "path", "depth"))
    by_id = {u.id: u for u in units}
    cache: dict[int, tuple[str, int]] = {}

    def resolve(unit: Unit) -> tuple[str, int]:
        if unit.id in cache:
            return cache[unit.id]
        chain = []
        node = unit
        while node is not None and node.id not in cache:
            chain.append(node)
            node = by_id.get(node.parent_id) if node.parent_id else None  # type: ignore[assignment]
        base_path, base_depth = cache[node.id] if node is not None else ("", 0)
        for item in reversed(chain):
            base_path, base_depth = f"{base_path}{item.code}/", base_depth + 1
            cache[item.id] = (base_path, base_depth)
        return cache[unit.id]

    changed = []
    for unit in units:
        path, depth = resolve(unit)
        if unit.path != path or unit.depth != depth:
            unit.path, unit.depth = path, depth
            changed.append(unit)
    if changed:
        bulk_update(changed, ["path", "depth"])


@transaction.atomic
def unit_upsert(
    *,
    code: str,
    name: str,
    level: str,
    parent: Unit | None = None,
    business_line: BusinessLine | None = None,
) -> Unit:
    """Create or update one unit and keep the paths of its subtree right."""
    if parent is not None and (
        parent.code == code or parent.path.split("/").count(code)
    ):
        raise OrganisationError(
            _("a unit cannot be placed under itself or its own sub-unit")
        )
    unit, _created = Unit.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent": parent,
            "business_line": business_line,
        },
    )
    _recompute_paths()
    unit.refresh_from_db()
    return unit


# Staff ------------------------------------------------------------------------------


@transaction.atomic
def staff_create(
    *,
    staff_no: str,
    name: str,
    unit: Unit,
    position: str,
    username: str | None = None,
    password: str | None = None,
    is_leader: bool = False,
    email: str = "",
    hired_on: dt.date | None = None,
    business_lines: Iterable[BusinessLine] = (),
) -> StaffProfile:
    User = get_user_model()
    user = User.objects.create_user(
        username=username or staff_no,
        password=password,
        first_name=name[:150],
        email=email,
    )
    profile = StaffProfile.objects.create(
        user=user,
        staff_no=staff_no,
        name=name,
        unit=unit,
        position=position,
        is_leader=is_leader,
        email=email,
        hired_on=hired_on,
    )
    if business_lines:
        profile.business_lines.set(business_lines)
    return profile


# Roles ------------------------------------------------------------------------------


@transaction.atomic
def role_assign(*, user: User, role: str, unit: Unit | None = None) -> RoleAssignment:
    """Give a user a role (and the matching admin group) over a unit subtree or the province."""
    if role == RoleAssignment.Role.UNIT_LEADER and unit is None:
        raise OrganisationError(_("a unit leader must be given a unit"))
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, unit=unit
    )
    group = Group.objects.filter(name=ROLE_GROUPS[RoleAssignment.Role(role)]).first()
    if group is not None:
        user.groups.add(group)
    return assignment


def role_groups_sync(
    *,
    user_ids: Iterable[int] | None = None,
    on: dt.date | None = None,
    removed: Iterable[tuple[int, str]] = (),
) -> int:
    """Match each user's admin groups to their grants in force; return the changes.

    A grant's group is added while it is in force and taken away once no grant of
    that role is (it expired, has not begun, or is in ``removed``: grants just
    deleted, as (user id, role)). A group given by hand to someone with no grant of
    that role at all is left as it is.
    """
    removed = set(removed)
    if user_ids is not None:
        user_ids = set(user_ids) | {u for u, _r in removed}
    grants = RoleAssignment.objects.all()
    if user_ids is not None:
        grants = grants.filter(user_id__in=list(user_ids))
    in_force = set(grants.in_force(on).values_list("user_id", "role"))
    recorded = set(grants.values_list("user_id", "role")) | removed
    groups = {g.name: g.pk for g in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    Membership = get_user_model().groups.through
    wanted, unwanted = set(), set()
    for user_id, role in recorded:
        group_id = groups.get(ROLE_GROUPS.get(role, ""))
        if group_id is None:
            continue
        if (user_id, role) in in_force:
            wanted.add((user_id, group_id))
        else:
            unwanted.add((user_id, group_id))
    # Two roles may share a group: one in force keeps it.
    unwanted -= wanted
    have = set(
        Membership.objects.filter(
            user_id__in={u for u, _g in recorded}, group_id__in=groups.values()
        ).values_list("user_id", "group_id")
    )
    to_add = wanted - have
    to_remove = unwanted & have
    Membership.objects.bulk_create(
        [Membership(user_id=u, group_id=g) for u, g in to_add]
    )
    for user_id, group_id in to_remove:
        Membership.objects.filter(user_id=user_id, group_id=group_id).delete()
    return len(to_add) + len(to_remove)


def business_lines_load() -> int:
    """Load the ten business lines shipped with the platform (idempotent)."""
    import csv
    from pathlib import Path

    path = Path(__file__).parent / "data" / "business_lines.csv"
    count = 0
    with path.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle), start=1):
            BusinessLine.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name_zh"],
                    "name_en": row["name_en"],
                    "parent_group": row["parent_group_zh"],
                    "sort_order": order,
                },
            )
            count += 1
    return count


# Indicator catalogue ----------------------------------------------------------------


def indicators_load_shipped() -> ImportSummary:
    """Load the catalogue shipped with the platform (organisation/data/indicators.csv)."""
    from pathlib import Path

    from .importing import run_import
    from .indicator_import import indicators_import
    from .tabular import read_table

    return run_import(
        indicators_import,
        table=read_table(Path(__file__).parent / "data" / "indicators.csv"),
    )


def language_preference_set(*, user: AbstractBaseUser, language: str) -> None:
    """Store the language a person chose with the language switch."""
    LanguagePreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )


def language_preference_default(*, user: AbstractBaseUser, language: str) -> None:
    """Store ``language`` for a person who never chose one; a choice made with the
    language switch is never overwritten."""
    LanguagePreference.objects.get_or_create(user=user, defaults={"language": language})
