"""Importers of the unit tree and the roster (the indicator catalogue's is in
:mod:`organisation.indicator_import`).

Each declares its columns once (see :mod:`organisation.columns`), validates and plans
the whole file before it writes anything, and writes in batches. A column absent
from the file is never written; every planned change is kept in the summary for
the preview and the audit record.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.sql import Columns, among, bulk_update, fetch, insert_rows

from .columns import (
    CLEAR,
    Bool,
    Choice,
    Code,
    Column,
    Email,
    Ref,
    RefList,
    Row,
    Schema,
    Text,
    chunks,
    diff_fields,
)
from .columns import (
    Date as DateType,
)
from .models import BusinessLine, StaffProfile, Unit
from .signals import roster_changed
from .tabular import ImportRejected, ImportSummary, RowError, Table

Progress = Callable[[int, int], None] | None
BATCH = 2000


def _tick(progress: Progress, done: int, total: int) -> None:
    if progress:
        progress(done, total)


# Units ------------------------------------------------------------------------------

LEVEL_WORDS = {
    "province": "province",
    "省级": "province",
    "省院": "province",
    "city": "city",
    "市级": "city",
    "市院": "city",
    "grassroots": "grassroots",
    "基层": "grassroots",
    "基层院": "grassroots",
    "县级": "grassroots",
    "department": "department",
    "部门": "department",
    "内设机构": "department",
}

UNIT_SCHEMA = Schema(
    Column("code", Code(40), "单位代码", ("代码", "单位编码"), required=True),
    Column("name", Text(100), "单位名称", ("名称",), required=True),
    Column(
        "parent_code",
        Code(40),
        "上级单位代码",
        ("上级代码", "上级单位"),
        required=True,
        on_empty=CLEAR,
        cleared="",
        example=lambda codes: codes.get("units", ""),
    ),
    Column(
        "level",
        Choice(LEVEL_WORDS),
        "层级",
        ("级别",),
        required=True,
        example="department",
    ),
    Column(
        "business_line",
        Ref("lines", _('unknown business line "%(code)s"')),
        "业务条线",
        ("条线",),
        on_empty=CLEAR,
    ),
    key=["code"],
    duplicate=_('duplicate code "%(key)s" (also on row %(row)s)'),
    kind="units",
)


def _unit_cycles(parent_of: dict[str, str], codes: list[str]) -> dict[str, list[str]]:
    """For each code on a cycle of the tree as it would be, the cycle as a code list."""
    cycles: dict[str, list[str]] = {}
    for start in codes:
        if start in cycles:
            continue
        chain, node = [], start
        while node and node not in chain and node not in cycles:
            chain.append(node)
            node = parent_of.get(node, "")
        if node in chain:
            loop = chain[chain.index(node) :]
            for code in loop:
                cycles[code] = loop
    return cycles


def _units_order(rows: list[Row], parent_of: dict[str, str]) -> list[Row]:
    """Rows ordered so that a parent in the file comes before its children."""
    in_file = {row["code"]: row for row in rows}
    ordered, placed = [], set()

    def place(code: str) -> None:
        stack = []
        while code in in_file and code not in placed and code not in stack:
            stack.append(code)
            code = parent_of.get(code, "")
        for item in reversed(stack):
            placed.add(item)
            ordered.append(in_file[item])

    for row in rows:
        place(row["code"])
    return ordered


def _units_validate(rows: list[Row], existing: dict[str, Unit]) -> list[RowError]:
    errors = []
    codes_by_id = {u.id: u.code for u in existing.values()}
    parent_of = {u.code: codes_by_id.get(u.parent_id, "") for u in existing.values()}
    for row in rows:
        if "parent_code" in row:
            parent_of[row["code"]] = row["parent_code"]
    for row in rows:
        parent = row.get("parent_code", "")
        if parent and parent not in parent_of:
            errors.append(
                RowError(
                    row.number,
                    "parent_code",
                    _('unknown unit "%(code)s"') % {"code": parent},
                )
            )
    cycles = _unit_cycles(parent_of, [row["code"] for row in rows])
    for row in rows:
        if row["code"] in cycles:
            loop = cycles[row["code"]]
            errors.append(
                RowError(
                    row.number,
                    "parent_code",
                    _("these units would form a cycle: %(cycle)s")
                    % {"cycle": " → ".join([*loop, loop[0]])},
                )
            )
    return errors


def units_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None, **options
) -> ImportSummary:
    """Upsert units by code, rows in any order; a cycle is refused and named."""
    from .services import _recompute_paths

    lines = {b.code: b for b in BusinessLine.objects.all()}
    parsed = UNIT_SCHEMA.parse(table, {"lines": lines})
    existing = {u.code: u for u in Unit.objects.select_related("business_line")}
    parsed.errors += _units_validate(parsed.rows, existing)
    parsed.raise_errors()
    parent_of = {u.code: "" for u in existing.values()}
    parent_of.update({r["code"]: r.get("parent_code", "") for r in parsed.rows})

    summary = ImportSummary()
    codes_by_id = {u.id: u.code for u in existing.values()}
    rows = [
        row
        for row in _units_order(parsed.rows, parent_of)
        if _unit_plan(row, existing.get(row["code"]), codes_by_id, summary)
    ]
    _units_write(rows, existing, progress)
    if summary.created or summary.updated:
        _recompute_paths()
    return summary


def _unit_view(unit: Unit, codes_by_id: dict[int, str]) -> dict:
    return {
        "name": unit.name,
        "parent_code": codes_by_id.get(unit.parent_id, ""),
        "level": unit.level,
        "business_line": unit.business_line,
    }


def _unit_plan(
    row: Row, unit: Unit | None, codes_by_id: dict[int, str], summary: ImportSummary
) -> bool:
    """Record what the row changes; True when it has something to write."""
    wanted = {k: v for k, v in row.values.items() if k != "code"}
    current = _unit_view(unit, codes_by_id) if unit else {}
    changes = diff_fields(current, wanted)
    if unit is not None and not changes:
        summary.record("unchanged", row=row.number, key=row["code"])
        return False
    action = "updated" if unit else "created"
    summary.record(action, row=row.number, key=row["code"], fields=changes)
    return True


def _units_write(rows: list[Row], existing: dict[str, Unit], progress) -> None:
    """Bulk writes, a constant number of statements per batch in any row order.

    ``rows`` come parents first. New units are created a generation at a time (a
    unit whose parent is new waits for the generation that creates the parent), so
    each is created with its parent's key and path: as many statements as the tree
    is deep, not as it is wide. Stored units are then updated in bulk.
    """
    generations: dict[str, int] = {}
    for row in rows:
        if row["code"] not in existing:
            parent = row.get("parent_code", "")
            generations[row["code"]] = generations.get(parent, -1) + 1
    changed = [r for r in rows if r["code"] not in generations]
    total, done = len(rows), 0
    for generation in range(max(generations.values(), default=-1) + 1):
        new = [
            _unit_new(row, existing)
            for row in rows
            if generations.get(row["code"]) == generation
        ]
        for part in chunks(new, BATCH):
            Unit.objects.bulk_create(part)
            done += len(part)
            _tick(progress, done, total)
        if any(u.pk is None for u in new):
            ids = dict(Unit.objects.values_list("code", "id"))
            for unit in new:
                unit.pk = ids[unit.code]
        existing.update({u.code: u for u in new})
    for row in changed:
        unit = existing[row["code"]]
        for name, value in _unit_fields(row).items():
            setattr(unit, name, value)
        if "parent_code" in row:
            parent = row["parent_code"]
            unit.parent_id = existing[parent].pk if parent else None
    fields = ["business_line", "level", "name", "parent"]
    for part in chunks(changed, BATCH):
        bulk_update([existing[r["code"]] for r in part], fields)
        done += len(part)
        _tick(progress, done, total)


def _unit_new(row: Row, existing: dict[str, Unit]) -> Unit:
    """A new unit under its parent, with the path and depth the tree will give it."""
    parent = existing.get(row.get("parent_code", ""))
    unit = Unit(code=row["code"], **_unit_fields(row))
    unit.parent_id = parent.pk if parent else None
    unit.path = (parent.path if parent else "") + row["code"] + "/"
    unit.depth = unit.path.count("/")
    return unit


def _unit_fields(row: Row) -> dict:
    return {k: row[k] for k in ("name", "level", "business_line") if k in row}


# Staff ------------------------------------------------------------------------------

RANK_WORDS = {
    "general": "general",
    "leading": "leading",
    "乡科级": "general",
    "乡科级及以下": "general",
    "一级检察官及以下": "general",
    "县处级": "leading",
    "县处级以上": "leading",
    "县处级及以上": "leading",
    "四级高级检察官及以上": "leading",
}

STAFF_SCHEMA = Schema(
    Column(
        "staff_no",
        Text(40),
        "工号",
        ("人员编号", "编号"),
        required=True,
        example="SAMPLE-0001",
    ),
    Column("name", Text(60), "姓名", required=True),
    Column(
        "unit_code",
        Ref("units", _('unknown unit "%(code)s"')),
        "单位代码",
        ("单位", "单位编码", "所在单位"),
        required=True,
    ),
    Column("position", Text(60), "职务", ("岗位",)),
    Column(
        "business_lines",
        RefList("lines", _('unknown business line "%(code)s"')),
        "业务条线",
        ("条线",),
        on_empty=CLEAR,
        cleared=[],
    ),
    Column("is_leader", Bool(), "是否领导干部", ("领导干部",)),
    Column(
        "email", Email(), "电子邮箱", ("邮箱", "电子邮件"), on_empty=CLEAR, cleared=""
    ),
    Column("hired_on", DateType(), "入职日期", on_empty=CLEAR),
    Column("active", Bool(), "是否在职", ("在职",)),
    Column(
        "rank_category",
        Choice(RANK_WORDS),
        "职级类别",
        on_empty=CLEAR,
        cleared="",
    ),
    key=["staff_no"],
    duplicate=_('duplicate staff number "%(key)s" (also on row %(row)s)'),
    kind="staff",
)
STAFF_FIELDS = [
    "name",
    "unit_code",
    "position",
    "business_lines",
    "is_leader",
    "email",
    "hired_on",
    "active",
    "rank_category",
]
NEW_STAFF_DEFAULTS = {
    "position": "",
    "business_lines": [],
    "is_leader": False,
    "email": "",
    "hired_on": None,
    "active": True,
    "rank_category": "",
}
# A change this large (share of the active roster) needs a second confirmation.
LARGE_CHANGE_SHARE = 0.10
# ...and touches at least this many people (one leaver of a small office is routine).
LARGE_CHANGE_MIN = 5


# Staff numbers looked up per statement.
LOOKUP_BATCH = 5000


def _staff_current(numbers: list[str]) -> dict[str, dict]:
    """The stored roster for these staff numbers, in the file's terms."""
    profile = Columns(
        StaffProfile,
        "p",
        ["id", "user", "staff_no", "rank_changed_on", *PROFILE_COLUMNS],
    )
    unit = Columns(Unit, "u", ["code"])
    names = [*profile.attnames, "unit_code"]
    through = StaffProfile.business_lines.through
    current: dict[str, dict] = {}
    for part in chunks(numbers, LOOKUP_BATCH):
        where, params = among("p.staff_no", part)
        found = fetch(
            f"SELECT {profile.select()}, {unit.select()} FROM {profile.table} "
            f"JOIN {unit.table} ON u.id = p.unit_id WHERE {where}",
            params,
            [profile, unit],
        )
        by_id = {}
        for values in found:
            person = dict(zip(names, values, strict=True))
            person["business_lines"] = []
            current[person["staff_no"]] = by_id[person["id"]] = person
        if not by_id:
            continue
        where, params = among("t.staffprofile_id", list(by_id))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.staffprofile_id, b.code FROM {through._meta.db_table} t "
                f"JOIN {BusinessLine._meta.db_table} b ON b.id = t.businessline_id "
                f"WHERE {where}",
                params,
            )
            for staff_id, code in cursor.fetchall():
                by_id[staff_id]["business_lines"].append(code)
    return current


def _account_errors(
    new_numbers: dict[str, int], bind_accounts: bool
) -> tuple[dict[str, int], list[RowError]]:
    """Accounts already named like a new person's staff number.

    Binding a roster row to an existing account would hand that account (perhaps an
    administrator's) to the roster; it is refused unless explicitly confirmed.
    """
    User = get_user_model()
    bound, errors = {}, []
    found = []
    for part in chunks(list(new_numbers), LOOKUP_BATCH):
        where, params = among("a.username", part)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT a.id, a.username, p.id FROM {User._meta.db_table} a "
                f"LEFT JOIN {StaffProfile._meta.db_table} p ON p.user_id = a.id "
                f"WHERE {where}",
                params,
            )
            found += cursor.fetchall()
    for user_id, username, has_profile in found:
        row = new_numbers[username]
        if has_profile:
            errors.append(
                RowError(
                    row,
                    "staff_no",
                    _('the account "%(name)s" already belongs to another person')
                    % {"name": username},
                )
            )
        elif not bind_accounts:
            errors.append(
                RowError(
                    row,
                    "staff_no",
                    _(
                        'an account named "%(name)s" already exists without a '
                        "staff profile; it is not linked to this person unless "
                        "you confirm it (--bind-existing-accounts)"
                    )
                    % {"name": username},
                )
            )
        else:
            bound[username] = user_id
    return bound, errors


def _staff_plan(
    rows: list[Row], current: dict[str, dict], summary: ImportSummary
) -> tuple[list[Row], list[tuple[Row, dict]]]:
    new_rows, changed = [], []
    for row in rows:
        stored = current.get(row["staff_no"])
        wanted = {k: row.values[k] for k in STAFF_FIELDS if k in row.values}
        if "business_lines" in wanted:
            wanted["business_lines"] = sorted(b.code for b in wanted["business_lines"])
        if stored is None:
            new_rows.append(row)
            summary.record("created", row=row.number, key=row["staff_no"])
            continue
        stored_view = {k: stored[k] for k in wanted}
        if "business_lines" in stored_view:
            stored_view["business_lines"] = sorted(stored_view["business_lines"])
        changes = diff_fields(stored_view, wanted)
        if changes:
            summary.record(
                "updated", row=row.number, key=row["staff_no"], fields=changes
            )
            changed.append((row, changes))
        else:
            summary.unchanged += 1
    return new_rows, changed


def _staff_missing(numbers: set[str], summary: ImportSummary) -> list[int]:
    """Active people not in a full roster: they are deactivated (previewed first)."""
    missing = []
    for staff_id, staff_no in (
        StaffProfile.objects.filter(active=True)
        .values_list("id", "staff_no")
        .iterator(chunk_size=BATCH)
    ):
        if staff_no not in numbers:
            missing.append(staff_id)
            summary.record(
                "deactivated", row=0, key=staff_no, fields={"active": [1, 0]}
            )
    return missing


def _staff_large_change(summary: ImportSummary) -> bool:
    """More than a tenth of the active roster leaving, or of its leaders losing the flag."""
    leavers = summary.deactivated + sum(
        1
        for c in summary.changes
        if c["action"] == "updated" and c["fields"].get("active") == [1, 0]
    )
    lost_leaders = sum(
        1 for c in summary.changes if c["fields"].get("is_leader") == [1, 0]
    )
    if max(leavers, lost_leaders) < LARGE_CHANGE_MIN:
        return False
    active = StaffProfile.objects.filter(active=True)
    return (
        leavers > active.count() * LARGE_CHANGE_SHARE
        or lost_leaders > active.filter(is_leader=True).count() * LARGE_CHANGE_SHARE
    )


def staff_import(
    *,
    table: Table,
    dry_run: bool = False,
    progress: Progress = None,
    deactivate_missing: bool = False,
    bind_accounts: bool = False,
    confirm_large: bool = False,
    **options,
) -> ImportSummary:
    """Upsert the roster by staff number, only the columns the file carries.

    New people get an account that cannot sign in until a password is set; a staff
    number that names an existing account without a profile is refused unless
    ``bind_accounts``. Leavers leave only through ``active`` or
    ``deactivate_missing``. A change to more than a tenth of the active roster
    (leavers, lost leader flags) is refused unless ``confirm_large`` (a dry run
    reports it as ``needs_confirmation``).
    """
    units = {u.code: u for u in Unit.objects.only("id", "code")}
    lines = {b.code: b for b in BusinessLine.objects.all()}
    parsed = STAFF_SCHEMA.parse(table, {"units": units, "lines": lines})
    parsed.raise_errors()
    for row in parsed.rows:
        row.values["unit_code"] = row.values["unit_code"].code
    current = _staff_current([r["staff_no"] for r in parsed.rows])
    summary = ImportSummary()
    new_rows, changed = _staff_plan(parsed.rows, current, summary)
    bound, errors = _account_errors(
        {r["staff_no"]: r.number for r in new_rows}, bind_accounts
    )
    if errors:
        raise ImportRejected(errors)
    if bound:
        # Named in the preview and the audit record: a link is never made unseen.
        summary.extra["bound_accounts"] = sorted(bound)
    missing = []
    if deactivate_missing:
        missing = _staff_missing({r["staff_no"] for r in parsed.rows}, summary)
    large = _staff_large_change(summary)
    if large:
        summary.extra["needs_confirmation"] = True
    if large and not confirm_large and not dry_run:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "",
                    _(
                        "this import would deactivate or remove the leader flag of "
                        "more than a tenth of the active roster; confirm it to go on"
                    ),
                )
            ]
        )
    ids = _staff_write(new_rows, changed, current, bound, units, lines, progress)
    ids += _staff_deactivate(missing)
    if not dry_run and ids:
        transaction.on_commit(
            lambda: roster_changed.send(sender=StaffProfile, staff_ids=ids)
        )
    return summary


def _staff_write(new_rows, changed, current, bound, units, lines, progress) -> list:
    total = len(new_rows) + len(changed)
    done = 0
    ids = []
    for part in chunks(new_rows, 5000):
        ids += _staff_create(part, bound, units)
        done += len(part)
        _tick(progress, done, total)
    for part in chunks(changed, 1000):
        ids += _staff_update(part, current, units, lines)
        done += len(part)
        _tick(progress, done, total)
    return ids


def _unusable_password() -> str:
    # What make_password(None) stores (an unusable marker and random text), at a
    # fraction of its cost: it draws 40 characters one by one, a third of the
    # import's time for a large roster.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _staff_create(rows: list[Row], bound: dict[str, int], units) -> list[int]:
    """Accounts (unless bound), profiles and line links of new people, in bulk."""
    User = get_user_model()
    values = [NEW_STAFF_DEFAULTS | r.values for r in rows]
    accounts = [v for v in values if v["staff_no"] not in bound]
    new_users = insert_rows(
        User,
        ["username", "first_name", "email", "is_active", "password"],
        [
            (
                v["staff_no"],
                v["name"][:150],
                v["email"],
                v["active"],
                _unusable_password(),
            )
            for v in accounts
        ],
        ids=True,
    )
    user_ids = {v["staff_no"]: pk for v, pk in zip(accounts, new_users, strict=True)}
    user_ids |= bound
    profile_ids = insert_rows(
        StaffProfile,
        ["user_id", "unit_id", "staff_no", *PROFILE_FIELDS],
        [
            (
                user_ids[v["staff_no"]],
                units[v["unit_code"]].id,
                v["staff_no"],
                *(v[k] for k in PROFILE_FIELDS),
            )
            for v in values
        ],
        ids=True,
    )
    through = StaffProfile.business_lines.through
    insert_rows(
        through,
        ["staffprofile_id", "businessline_id"],
        [
            (pk, line.id)
            for v, pk in zip(values, profile_ids, strict=True)
            for line in v["business_lines"]
        ],
    )
    return profile_ids


# The profile's own columns a new person takes from the row (or the defaults).
PROFILE_FIELDS = [k for k in STAFF_FIELDS if k not in ("unit_code", "business_lines")]


PROFILE_COLUMNS = [
    "name",
    "position",
    "is_leader",
    "email",
    "hired_on",
    "active",
    "rank_category",
]


def _staff_update(pairs, current, units, lines) -> list[int]:
    User = get_user_model()
    through = StaffProfile.business_lines.through
    profiles, users, relink, links = [], [], [], []
    for row, changes in pairs:
        stored = current[row["staff_no"]]
        values = row.values
        profile = StaffProfile(id=stored["id"], user_id=stored["user_id"])
        for name in PROFILE_COLUMNS:
            setattr(profile, name, values.get(name, stored[name]))
        profile.unit_id = units[values.get("unit_code", stored["unit_code"])].id
        # The hours rules of a new rank category count from the day it changed.
        profile.rank_changed_on = (
            timezone.localdate()
            if "rank_category" in changes
            else stored["rank_changed_on"]
        )
        profiles.append(profile)
        if {"name", "email", "active"} & set(changes):
            users.append(
                User(
                    id=stored["user_id"],
                    first_name=profile.name[:150],
                    email=profile.email,
                    is_active=profile.active,
                )
            )
        if "business_lines" in changes:
            relink.append(stored["id"])
            links += [
                through(staffprofile_id=stored["id"], businessline_id=line.id)
                for line in values["business_lines"]
            ]
    bulk_update(profiles, [*PROFILE_COLUMNS, "unit", "rank_changed_on"])
    bulk_update(users, ["first_name", "email", "is_active"])
    for part in chunks(relink, BATCH):
        through.objects.filter(staffprofile_id__in=part).delete()
    through.objects.bulk_create(links, batch_size=BATCH)
    return [p.id for p in profiles]


def _staff_deactivate(staff_ids: list[int]) -> list[int]:
    User = get_user_model()
    for part in chunks(staff_ids, BATCH):
        StaffProfile.objects.filter(id__in=part).update(active=False)
        User.objects.filter(profile__id__in=part).update(is_active=False)
    return staff_ids
