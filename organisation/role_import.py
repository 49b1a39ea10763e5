"""The roles importer: who may see what, granted from a file.

One row grants one role to one person over one unit's subtree, keyed by
(staff number, role, unit). Rows upsert; a grant not in the file is left alone
(end it with ``valid_to``). Leadership, administrators and heads of the training
office are province-wide: their row names the province (a unit without a parent)
and the grant is stored without a unit, as the admin stores it.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from .columns import CLEAR, Choice, Column, Ref, Row, Schema, diff_fields
from .columns import Date as DateType
from .models import RoleAssignment, StaffProfile, Unit
from .permissions import PROVINCE_WIDE_ROLES
from .services import role_groups_sync
from .tabular import ImportSummary, RowError

Role = RoleAssignment.Role
LEARNER = "learner"
PROVINCE_WIDE = PROVINCE_WIDE_ROLES

ROLE_WORDS = {
    LEARNER: LEARNER,
    "学员": LEARNER,
    "学习者": LEARNER,
    "trainer": Role.TRAINER,
    "培训管理员": Role.TRAINER,
    "教员": Role.TRAINER,
    "training_head": Role.TRAINING_HEAD,
    "教育培训部门负责人": Role.TRAINING_HEAD,
    "培训部门负责人": Role.TRAINING_HEAD,
    "unit_leader": Role.UNIT_LEADER,
    "单位负责人": Role.UNIT_LEADER,
    "单位领导": Role.UNIT_LEADER,
    "部门负责人": Role.UNIT_LEADER,
    "leadership": Role.LEADERSHIP,
    "领导": Role.LEADERSHIP,
    "院领导": Role.LEADERSHIP,
    "领导层": Role.LEADERSHIP,
    "administrator": Role.ADMINISTRATOR,
    "系统管理员": Role.ADMINISTRATOR,
    "管理员": Role.ADMINISTRATOR,
}

ROLE_SCHEMA = Schema(
    Column(
        "staff_no",
        Ref("staff", _('unknown staff number "%(code)s"')),
        "工号",
        ("人员编号",),
        required=True,
    ),
    Column("role", Choice(ROLE_WORDS), "角色", ("权限",), required=True),
    Column(
        "unit_code",
        Ref("units", _('unknown unit "%(code)s"')),
        "单位代码",
        ("单位", "授权单位", "管辖单位"),
        required=True,
    ),
    Column("valid_from", DateType(), "生效日期", ("起始日期",), on_empty=CLEAR),
    Column(
        "valid_to", DateType(), "截止日期", ("失效日期", "到期日期"), on_empty=CLEAR
    ),
    key=["staff_no", "role", "unit_code"],
    duplicate=_('the grant "%(key)s" appears twice (also on row %(row)s)'),
    kind="roles",
)


def _row_errors(row: Row, stored: RoleAssignment | None) -> list[RowError]:
    errors = []
    profile, role, unit = row["staff_no"], row["role"], row["unit_code"]
    if not profile.active:
        errors.append(
            RowError(
                row.number,
                "staff_no",
                _("%(name)s has left; a leaver is given no role") % {"name": profile},
            )
        )
    if role in PROVINCE_WIDE and unit.parent_id is not None:
        errors.append(
            RowError(
                row.number,
                "unit_code",
                _("this role covers the whole province: give the province's code"),
            )
        )
    start = row.get("valid_from", stored.valid_from if stored else None)
    end = row.get("valid_to", stored.valid_to if stored else None)
    if start and end and end < start:
        errors.append(
            RowError(row.number, "valid_to", _("the grant ends before it begins"))
        )
    return errors


def _period(assignment: RoleAssignment | None) -> dict[str, dt.date | None]:
    if assignment is None:
        return {}
    return {"valid_from": assignment.valid_from, "valid_to": assignment.valid_to}


def roles_import(
    *, table, dry_run: bool = False, progress=None, **options
) -> ImportSummary:
    """Upsert role grants by (staff number, role, unit); see the module docstring.

    ``learner`` rows are accepted and store nothing: everyone on the roster learns.
    A leaver, a province-wide role over a sub-unit, or a period that ends before it
    begins refuses the file.
    """
    staff = {
        p.staff_no: p
        for p in StaffProfile.objects.only(
            "id", "user_id", "staff_no", "name", "active"
        )
    }
    units = {u.code: u for u in Unit.objects.only("id", "code", "parent_id")}
    parsed = ROLE_SCHEMA.parse(table, {"staff": staff, "units": units})
    existing = {(a.user_id, a.role, a.unit_id): a for a in RoleAssignment.objects.all()}
    plans = []
    for row in parsed.rows:
        if row["role"] == LEARNER:
            plans.append((row, None, None))
            continue
        unit = None if row["role"] in PROVINCE_WIDE else row["unit_code"]
        key = (row["staff_no"].user_id, row["role"], unit.id if unit else None)
        stored = existing.get(key)
        parsed.errors += _row_errors(row, stored)
        plans.append((row, unit, stored))
    parsed.raise_errors()

    summary = ImportSummary()
    touched: set[int] = set()
    for row, unit, stored in plans:
        _role_write(row, unit, stored, summary, touched)
    if touched:
        role_groups_sync(user_ids=touched)
    return summary


def _role_write(row: Row, unit, stored, summary: ImportSummary, touched) -> None:
    profile = row["staff_no"]
    key = f"{profile.staff_no} · {row['role']} · {row['unit_code'].code}"
    if row["role"] == LEARNER:
        summary.record("unchanged", row=row.number, key=key)
        summary.extra.setdefault("warnings", []).append(
            {
                "line": row.number,
                "message": str(
                    _("everyone on the roster is a learner; nothing to grant")
                ),
            }
        )
        return
    wanted = {k: row.values[k] for k in ("valid_from", "valid_to") if k in row}
    changes = diff_fields(_period(stored), wanted)
    if stored is not None and not changes:
        summary.record("unchanged", row=row.number, key=key)
        return
    assignment = stored or RoleAssignment(
        user_id=profile.user_id, role=row["role"], unit=unit
    )
    for name, value in wanted.items():
        setattr(assignment, name, value)
    assignment.save()
    touched.add(profile.user_id)
    action = "updated" if stored else "created"
    summary.record(action, row=row.number, key=key, fields=changes)
