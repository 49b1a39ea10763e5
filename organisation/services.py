"""Services that write the unit tree, the roster and roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import BusinessLine, RoleAssignment, StaffProfile, Unit
from .signals import roster_changed
from .tabular import (
    ImportRejected,
    ImportSummary,
    RowError,
    Table,
    parse_bool,
    parse_date,
    split_codes,
)

Progress = Callable[[int, int], None] | None

ROLE_GROUPS = {
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
            node = by_id.get(node.parent_id) if node.parent_id else None
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
        Unit.objects.bulk_update(changed, ["path", "depth"], batch_size=500)


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


def units_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None
) -> ImportSummary:
    """Upsert units by code. Refuses the whole file on any error (see DESIGN: import_units)."""
    table.require_columns(["code", "name", "parent_code", "level"], ["business_line"])
    existing = {u.code: u for u in Unit.objects.all()}
    lines = {b.code: b for b in BusinessLine.objects.all()}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    parsed: list[dict] = []
    for number, row in table.rows:
        code, name = row["code"], row["name"]
        parent_code, level = row["parent_code"], row["level"].lower()
        line_code = row.get("business_line", "")
        if not code:
            errors.append(RowError(number, "code", _("code is empty")))
            continue
        if code in seen:
            errors.append(
                RowError(
                    number,
                    "code",
                    _('duplicate code "%(code)s" (also on row %(row)s)')
                    % {"code": code, "row": seen[code]},
                )
            )
            continue
        seen[code] = number
        if not name:
            errors.append(RowError(number, "name", _("name is empty")))
        if len(name) > 100:
            errors.append(
                RowError(number, "name", _("name is longer than 100 characters"))
            )
        if level not in UNIT_LEVELS:
            errors.append(
                RowError(
                    number,
                    "level",
                    _('unknown level "%(value)s"; expected one of %(choices)s')
                    % {
                        "value": row["level"],
                        "choices": ", ".join(sorted(UNIT_LEVELS)),
                    },
                )
            )
        if parent_code and parent_code not in seen and parent_code not in existing:
            errors.append(
                RowError(
                    number,
                    "parent_code",
                    _('unknown unit "%(code)s"') % {"code": parent_code},
                )
            )
        if parent_code == code:
            errors.append(
                RowError(number, "parent_code", _("a unit cannot be its own parent"))
            )
        if line_code and line_code not in lines:
            errors.append(
                RowError(
                    number,
                    "business_line",
                    _('unknown business line "%(code)s"') % {"code": line_code},
                )
            )
        parsed.append(
            {
                "row": number,
                "code": code,
                "name": name,
                "parent_code": parent_code,
                "level": level,
                "business_line": lines.get(line_code),
            }
        )

    # A cycle: follow parents through the tree as it would be after the import.
    by_id = {u.id: u.code for u in existing.values()}
    parent_of = {u.code: by_id.get(u.parent_id, "") for u in existing.values()}
    parent_of.update({p["code"]: p["parent_code"] for p in parsed})
    for item in parsed:
        node, steps = item["parent_code"], 0
        while node and steps <= len(parent_of):
            if node == item["code"]:
                errors.append(
                    RowError(
                        item["row"],
                        "parent_code",
                        _("this parent would make a cycle in the unit tree"),
                    )
                )
                break
            node, steps = parent_of.get(node, ""), steps + 1
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))

    summary = ImportSummary()
    total = len(parsed)
    for index, item in enumerate(parsed, start=1):
        unit = existing.get(item["code"])
        parent = existing.get(item["parent_code"]) if item["parent_code"] else None
        fields = {
            "name": item["name"],
            "level": item["level"],
            "parent": parent,
            "business_line": item["business_line"],
        }
        if unit is None:
            unit = Unit.objects.create(code=item["code"], path="", **fields)
            existing[unit.code] = unit
            summary.created += 1
        elif any(getattr(unit, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(unit, key, value)
            unit.save()
            summary.updated += 1
        else:
            summary.unchanged += 1
        if progress and index % 200 == 0:
            progress(index, total)
    if summary.created or summary.updated:
        _recompute_paths()
    return summary


# Staff ------------------------------------------------------------------------------

STAFF_COLUMNS = ["staff_no", "name", "unit_code", "position"]
STAFF_OPTIONAL = ["business_lines", "is_leader", "email", "hired_on", "active"]


def _validate_staff_rows(
    table: Table, units: dict[str, int], lines: dict[str, BusinessLine]
):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    errors: list[RowError] = []
    seen: dict[str, int] = {}
    parsed = []
    for number, row in table.rows:
        staff_no = row["staff_no"]
        if not staff_no:
            errors.append(RowError(number, "staff_no", _("staff number is empty")))
            continue
        if len(staff_no) > 40:
            errors.append(
                RowError(
                    number, "staff_no", _("staff number is longer than 40 characters")
                )
            )
            continue
        if staff_no in seen:
            errors.append(
                RowError(
                    number,
                    "staff_no",
                    _('duplicate staff number "%(code)s" (also on row %(row)s)')
                    % {"code": staff_no, "row": seen[staff_no]},
                )
            )
            continue
        seen[staff_no] = number
        item = {
            "row": number,
            "staff_no": staff_no,
            "name": row["name"],
            "position": row["position"],
        }
        if not row["name"]:
            errors.append(RowError(number, "name", _("name is empty")))
        elif len(row["name"]) > 60:
            errors.append(
                RowError(number, "name", _("name is longer than 60 characters"))
            )
        if not row["position"]:
            errors.append(RowError(number, "position", _("position is empty")))
        elif len(row["position"]) > 60:
            errors.append(
                RowError(number, "position", _("position is longer than 60 characters"))
            )
        unit_id = units.get(row["unit_code"])
        if unit_id is None:
            errors.append(
                RowError(
                    number,
                    "unit_code",
                    _('unknown unit "%(code)s"') % {"code": row["unit_code"]},
                )
            )
        item["unit_id"] = unit_id
        codes = split_codes(row.get("business_lines", ""))
        unknown = [c for c in codes if c not in lines]
        if unknown:
            errors.append(
                RowError(
                    number,
                    "business_lines",
                    _('unknown business line "%(code)s"') % {"code": unknown[0]},
                )
            )
        item["lines"] = sorted({lines[c].id for c in codes if c in lines})
        for column, default in (("is_leader", False), ("active", True)):
            raw = row.get(column, "")
            try:
                item[column] = parse_bool(raw) if raw != "" else default
            except ValueError as exc:
                errors.append(RowError(number, column, str(exc)))
        email = row.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    RowError(
                        number,
                        "email",
                        _('not an email address: "%(value)s"') % {"value": email},
                    )
                )
        item["email"] = email
        hired = row.get("hired_on", "")
        item["hired_on"] = None
        if hired:
            try:
                item["hired_on"] = parse_date(hired)
            except ValueError as exc:
                errors.append(RowError(number, "hired_on", str(exc)))
        parsed.append(item)
    return parsed, errors


def staff_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None
) -> ImportSummary:
    """Upsert the roster by staff number, with bulk writes (10,000 rows in seconds).

    New people get a user account that cannot sign in until a password is set.
    Setting ``active`` to 0 marks a leaver: their account is disabled, their records stay.
    """
    table.require_columns(STAFF_COLUMNS, STAFF_OPTIONAL)
    units = dict(Unit.objects.values_list("code", "id"))
    lines = {b.code: b for b in BusinessLine.objects.all()}
    parsed, errors = _validate_staff_rows(table, units, lines)
    if errors:
        raise ImportRejected(errors)

    User = get_user_model()
    numbers = [item["staff_no"] for item in parsed]
    existing = {}
    for chunk in range(0, len(numbers), 2000):
        existing.update(
            {
                p.staff_no: p
                for p in StaffProfile.objects.filter(
                    staff_no__in=numbers[chunk : chunk + 2000]
                ).select_related("user")
            }
        )
    current_lines: dict[int, list[int]] = {}
    through = StaffProfile.business_lines.through
    ids = [p.id for p in existing.values()]
    for chunk in range(0, len(ids), 2000):
        for staff_id, line_id in through.objects.filter(
            staffprofile_id__in=ids[chunk : chunk + 2000]
        ).values_list("staffprofile_id", "businessline_id"):
            current_lines.setdefault(staff_id, []).append(line_id)

    summary = ImportSummary()
    new_items = [i for i in parsed if i["staff_no"] not in existing]
    taken = set(
        User.objects.filter(
            username__in=[i["staff_no"] for i in new_items]
        ).values_list("username", flat=True)
    )
    users = [
        User(
            username=i["staff_no"],
            first_name=i["name"][:150],
            email=i["email"],
            is_active=i["active"],
            password=make_password(None),
        )
        for i in new_items
        if i["staff_no"] not in taken
    ]
    User.objects.bulk_create(users, batch_size=1000)
    user_ids = dict(
        User.objects.filter(
            username__in=[i["staff_no"] for i in new_items]
        ).values_list("username", "id")
    )
    profiles = [
        StaffProfile(
            user_id=user_ids[i["staff_no"]],
            staff_no=i["staff_no"],
            name=i["name"],
            unit_id=i["unit_id"],
            position=i["position"],
            is_leader=i["is_leader"],
            email=i["email"],
            hired_on=i["hired_on"],
            active=i["active"],
        )
        for i in new_items
    ]
    StaffProfile.objects.bulk_create(profiles, batch_size=1000)
    summary.created = len(profiles)
    new_ids = dict(
        StaffProfile.objects.filter(
            staff_no__in=[i["staff_no"] for i in new_items]
        ).values_list("staff_no", "id")
    )
    links = [
        through(staffprofile_id=new_ids[i["staff_no"]], businessline_id=line)
        for i in new_items
        for line in i["lines"]
    ]

    fields = ["name", "unit_id", "position", "is_leader", "email", "hired_on", "active"]
    changed_profiles, changed_users, drop_links, changed_ids = [], [], [], []
    for index, item in enumerate(parsed, start=1):
        profile = existing.get(item["staff_no"])
        if profile is None:
            continue
        differs = any(getattr(profile, f) != item[f] for f in fields)
        lines_differ = sorted(current_lines.get(profile.id, [])) != item["lines"]
        if not differs and not lines_differ:
            summary.unchanged += 1
            continue
        summary.updated += 1
        changed_ids.append(profile.id)
        for f in fields:
            setattr(profile, f, item[f])
        changed_profiles.append(profile)
        user = profile.user
        if (user.is_active, user.first_name, user.email) != (
            item["active"],
            item["name"][:150],
            item["email"],
        ):
            user.is_active, user.first_name, user.email = (
                item["active"],
                item["name"][:150],
                item["email"],
            )
            changed_users.append(user)
        if lines_differ:
            drop_links.append(profile.id)
            links += [
                through(staffprofile_id=profile.id, businessline_id=line)
                for line in item["lines"]
            ]
        if progress and index % 1000 == 0:
            progress(index, len(parsed))
    StaffProfile.objects.bulk_update(changed_profiles, fields, batch_size=1000)
    User.objects.bulk_update(
        changed_users, ["is_active", "first_name", "email"], batch_size=1000
    )
    for chunk in range(0, len(drop_links), 2000):
        through.objects.filter(
            staffprofile_id__in=drop_links[chunk : chunk + 2000]
        ).delete()
    through.objects.bulk_create(links, batch_size=2000)

    if not dry_run:
        changed = list(new_ids.values()) + changed_ids
        transaction.on_commit(
            lambda: roster_changed.send(sender=StaffProfile, staff_ids=changed)
        )
    return summary


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
    business_lines: list[BusinessLine] = (),
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
def role_assign(*, user, role: str, unit: Unit | None = None) -> RoleAssignment:
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

INDICATOR_COLUMNS = [
    "code",
    "name_zh",
    "name_en",
    "business_line",
    "direction",
    "target_low",
    "target_high",
]
INDICATOR_OPTIONAL = [
    "gaming_caution_zh",
    "business_line_zh",
    "business_line_en",
    "formula_zh",
    "provenance",
]
BRANCH_CODES = {
    "criminal"
}  # cross-line groups written in the catalogue instead of a line


def indicators_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None
) -> ImportSummary:
    """Upsert the indicator catalogue by code (the columns of the shipped indicators.csv)."""
    from .models import Indicator
    from .tabular import parse_decimal

    table.require_columns(INDICATOR_COLUMNS, INDICATOR_OPTIONAL)
    lines = {b.code: b for b in BusinessLine.objects.all()}
    directions = {d.value for d in Indicator.Direction}
    errors: list[RowError] = []
    parsed, seen = [], {}
    for number, row in table.rows:
        code = row["code"]
        if not code:
            errors.append(RowError(number, "code", _("code is empty")))
            continue
        if code in seen:
            errors.append(
                RowError(
                    number,
                    "code",
                    _('duplicate code "%(code)s" (also on row %(row)s)')
                    % {"code": code, "row": seen[code]},
                )
            )
            continue
        seen[code] = number
        if not row["name_zh"]:
            errors.append(RowError(number, "name_zh", _("name is empty")))
        line_code = row["business_line"]
        if line_code and line_code not in lines and line_code not in BRANCH_CODES:
            errors.append(
                RowError(
                    number,
                    "business_line",
                    _('unknown business line "%(code)s"') % {"code": line_code},
                )
            )
        if row["direction"] not in directions:
            errors.append(
                RowError(
                    number,
                    "direction",
                    _('unknown direction "%(value)s"; expected one of %(choices)s')
                    % {
                        "value": row["direction"],
                        "choices": ", ".join(sorted(directions)),
                    },
                )
            )
        bounds = {}
        for column in ("target_low", "target_high"):
            bounds[column] = None
            if row[column]:
                try:
                    bounds[column] = parse_decimal(row[column])
                except ValueError as exc:
                    errors.append(RowError(number, column, str(exc)))
        if row["direction"] == "range" and (
            bounds["target_low"] is None or bounds["target_high"] is None
        ):
            errors.append(
                RowError(
                    number,
                    "target_low",
                    _("a range indicator needs target_low and target_high"),
                )
            )
        parsed.append(
            {
                "code": code,
                "name": row["name_zh"],
                "name_en": row["name_en"],
                "business_line": lines.get(line_code),
                "business_line_group": row.get("business_line_zh", ""),
                "formula": row.get("formula_zh", ""),
                "direction": row["direction"],
                "provenance": row.get("provenance", ""),
                **bounds,
                # Edited by administrators too: a file without the column leaves
                # the cautions as they are.
                **(
                    {"gaming_caution": row.get("gaming_caution_zh") or ""}
                    if "gaming_caution_zh" in table.headers
                    else {}
                ),
            }
        )
    if errors:
        raise ImportRejected(errors)
    existing = {i.code: i for i in Indicator.objects.all()}
    summary = ImportSummary()
    for item in parsed:
        current = existing.get(item["code"])
        values = {k: v for k, v in item.items() if k != "code"}
        if current is None:
            Indicator.objects.create(code=item["code"], **values)
            summary.created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
            summary.updated += 1
        else:
            summary.unchanged += 1
    return summary


def indicators_load_shipped() -> ImportSummary:
    """Load the catalogue shipped with the platform (organisation/data/indicators.csv)."""
    from pathlib import Path

    from .importing import run_import
    from .tabular import read_table

    return run_import(
        indicators_import,
        table=read_table(Path(__file__).parent / "data" / "indicators.csv"),
    )
