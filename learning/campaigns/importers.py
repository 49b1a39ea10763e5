"""The campaign and offline-completion importers, declared column by column.

A column absent from the file leaves the stored value as it is; see
:mod:`organisation.columns` for the rules every importer shares.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.sql import bulk_update, insert_rows
from learning.models import CourseCompletion, CoursePage
from learning.signals import completions_imported
from organisation.columns import (
    CLEAR,
    Bool,
    CellError,
    CellType,
    Choice,
    Code,
    Column,
    Date,
    Number,
    Ref,
    RefList,
    Row,
    Schema,
    Text,
    Words,
    chunks,
    diff_fields,
)
from organisation.models import BusinessLine, StaffProfile, Unit
from organisation.tabular import (
    ImportSummary,
    RowError,
    Table,
    parse_date,
)

from .models import Campaign
from .selectors import Rules
from .services import campaigns_sync_audiences

Progress = Callable[[int, int], None] | None


class Due(CellType):
    """A due date, or a number of days after joining the audience (``30``)."""

    sample = "30"

    @property
    def description(self) -> str:
        return _("date, or days after joining")

    def clean(self, text, lookups):
        if text.isdigit():
            days = int(text)
            if not 0 < days <= 3650:
                raise CellError(_("days must be between 1 and 3650"))
            return {"due_on": None, "due_days": days}
        try:
            return {"due_on": parse_date(text), "due_days": None}
        except ValueError as exc:
            raise CellError(str(exc)) from None


RECURRENCE_WORDS = {
    "none": "none",
    "annual": "annual",
    "不重复": "none",
    "一次": "none",
    "每年": "annual",
    "年度": "annual",
}

CAMPAIGN_SCHEMA = Schema(
    Column("code", Code(40), "任务代码", ("代码", "编号"), required=True),
    Column("title", Text(200), "任务名称", ("名称", "标题"), required=True),
    Column(
        "courses",
        RefList("courses", gettext_lazy("unknown course %(code)s")),
        "课程代码",
        ("课程",),
        required=True,
    ),
    Column(
        "units",
        RefList("units", gettext_lazy("unknown unit %(code)s")),
        "适用单位",
        ("单位", "单位代码"),
        on_empty=CLEAR,
        cleared=[],
    ),
    Column(
        "business_lines",
        RefList("lines", gettext_lazy("unknown business line %(code)s")),
        "业务条线",
        ("条线",),
        on_empty=CLEAR,
        cleared=[],
    ),
    Column("positions", Words(), "职务", ("适用职务",), on_empty=CLEAR, cleared=[]),
    Column(
        "leaders_only",
        Bool(),
        "仅限领导干部",
        ("仅领导干部",),
        on_empty=CLEAR,
        cleared=False,
    ),
    Column("starts_on", Date(), "开始日期"),
    Column("due_on", Due(), "截止日期", ("完成期限",)),
    Column(
        "recurrence",
        Choice(RECURRENCE_WORDS),
        "重复方式",
        ("周期",),
        on_empty=CLEAR,
        cleared="none",
    ),
    key=["code"],
    duplicate=gettext_lazy("the same code is already on row %(row)s"),
    kind="campaigns",
)


def sample_codes() -> dict[str, str]:
    """An existing course code, for the data-import page's sample files."""
    code = CoursePage.objects.live().values_list("code", flat=True).first()
    return {"courses": code} if code else {}


CAMPAIGN_SCALARS = ["title", "positions", "leaders_only", "starts_on", "recurrence"]
CAMPAIGN_SETS = ["courses", "units", "business_lines"]


def _campaign_view(campaign: Campaign) -> dict:
    return {
        "title": campaign.title,
        "positions": list(campaign.positions),
        "leaders_only": campaign.leaders_only,
        "starts_on": campaign.starts_on,
        "recurrence": campaign.recurrence,
        "due_on": {"due_on": campaign.due_on, "due_days": campaign.due_days},
        "courses": {c.code for c in campaign.courses.all()},
        "units": {u.code for u in campaign.units.all()},
        "business_lines": {b.code for b in campaign.business_lines.all()},
    }


def _campaign_wanted(row: Row) -> dict:
    wanted = {k: row[k] for k in CAMPAIGN_SCALARS + ["due_on"] if k in row}
    for name in CAMPAIGN_SETS:
        if name in row:
            wanted[name] = {item.code for item in row[name]}
    return wanted


def _due_text(value) -> str:
    if isinstance(value, dict):
        return str(value["due_on"] or value["due_days"] or "")
    return str(value)


def _campaign_check(row: Row, campaign: Campaign | None) -> list[RowError]:
    if campaign is None and "due_on" not in row:
        return [RowError(row.number, "due_on", _("required"))]
    if "courses" in row and not row["courses"]:
        return [RowError(row.number, "courses", _("required"))]
    starts = row.get("starts_on") or (
        campaign.starts_on if campaign else timezone.localdate()
    )
    due = row["due_on"]["due_on"] if "due_on" in row else campaign.due_on
    if due is not None and due < starts:
        return [
            RowError(row.number, "due_on", _("the due date is before the start date"))
        ]
    return []


def campaigns_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None, created_by=None
) -> ImportSummary:
    """Upsert campaigns by code (a year's training plan). All-or-nothing.

    ``starts_on`` defaults to today for a new campaign; ``due_on`` may be a date or
    a number of days after joining the audience (e.g. ``30``).
    """
    lookups = {
        "courses": {c.code: c for c in CoursePage.objects.all()},
        "units": {u.code: u for u in Unit.objects.all()},
        "lines": {b.code: b for b in BusinessLine.objects.all()},
    }
    parsed = CAMPAIGN_SCHEMA.parse(table, lookups)
    existing = {}
    for part in chunks([r["code"] for r in parsed.rows if "code" in r]):
        existing |= {
            c.code: c
            for c in Campaign.objects.filter(code__in=part).prefetch_related(
                "courses", "units", "business_lines"
            )
        }
    for row in parsed.rows:
        if "code" in row:
            parsed.errors += _campaign_check(row, existing.get(row["code"]))
    parsed.raise_errors()

    summary = ImportSummary()
    planned = [
        (row, existing.get(row["code"]))
        for row in parsed.rows
        if _campaign_plan(row, existing.get(row["code"]), summary)
    ]
    written = _campaigns_write(planned, created_by, progress)
    campaigns_sync_audiences(campaigns=written)
    return summary


def _campaign_plan(row: Row, campaign, summary: ImportSummary) -> bool:
    """Record what the row changes; True when it has something to write."""
    wanted = _campaign_wanted(row)
    current = _campaign_view(campaign) if campaign else {}
    changes = diff_fields(current, wanted, show=_due_text)
    if campaign is not None and not changes:
        summary.unchanged += 1
        return False
    action = "updated" if campaign else "created"
    summary.record(action, row=row.number, key=row["code"], fields=changes)
    return True


CAMPAIGN_FIELDS = [*CAMPAIGN_SCALARS, "due_on", "due_days", "updated_at"]


def _campaign_fields(row: Row, campaign: Campaign) -> Campaign:
    for name in CAMPAIGN_SCALARS:
        if name in row:
            setattr(campaign, name, row[name])
    if "due_on" in row:
        campaign.due_on, campaign.due_days = (
            row["due_on"]["due_on"],
            row["due_on"]["due_days"],
        )
    if campaign.due_on is not None:
        campaign.due_days = None
    campaign.updated_at = timezone.now()
    return campaign


def _campaigns_write(planned, created_by, progress: Progress) -> list:
    """Campaigns and their rule links in bulk; (campaign, rules) for each written."""
    today = timezone.localdate()
    new = [
        _campaign_fields(
            row,
            Campaign(
                code=row["code"],
                created_by=created_by,
                starts_on=today,
                recurrence="none",
            ),
        )
        for row, campaign in planned
        if campaign is None
    ]
    changed = [_campaign_fields(row, c) for row, c in planned if c is not None]
    for part in chunks(new, 1000):
        Campaign.objects.bulk_create(part)
    if any(c.pk is None for c in new):
        ids = dict(
            Campaign.objects.filter(code__in=[c.code for c in new]).values_list(
                "code", "id"
            )
        )
        for campaign in new:
            campaign.pk = ids[campaign.code]
    for part in chunks(changed, 500):
        bulk_update(part, CAMPAIGN_FIELDS)
    if progress:
        progress(len(planned), len(planned) * 2)
    by_code = {c.code: c for c in [*new, *changed]}
    links = _campaign_links(planned, by_code)
    if progress:
        progress(len(planned) * 2, len(planned) * 2)
    return [(by_code[row["code"]], links[row["code"]]) for row, _c in planned]


def _campaign_links(planned, by_code: dict) -> dict:
    """Write the courses, units and lines the rows carry; the rules of each campaign."""
    for name in CAMPAIGN_SETS:
        through = getattr(Campaign, name).through
        field = Campaign._meta.get_field(name)
        own, other = (
            field.m2m_field_name() + "_id",
            field.m2m_reverse_field_name() + "_id",
        )
        rows = [row for row, _c in planned if name in row]
        ids = [by_code[row["code"]].pk for row in rows]
        for part in chunks(ids):
            through.objects.filter(**{own + "__in": part}).delete()
        insert_rows(
            through,
            [own, other],
            [(by_code[row["code"]].pk, item.pk) for row in rows for item in row[name]],
        )
    return {
        row["code"]: _rules(row, by_code[row["code"]], stored=stored is not None)
        for row, stored in planned
    }


def _rules(row: Row, campaign: Campaign, *, stored: bool) -> Rules:
    """The audience rules once the row is written (stored rules for absent columns)."""

    def linked(name: str, attribute: str) -> tuple:
        if name in row:
            items = row[name]
        else:
            # Prefetched with the stored campaigns: no query.
            items = getattr(campaign, name).all() if stored else []
        return tuple(sorted(getattr(item, attribute) for item in items))

    return Rules(
        unit_paths=linked("units", "path"),
        line_ids=linked("business_lines", "pk"),
        positions=tuple(campaign.positions or ()),
        leaders_only=campaign.leaders_only,
        course_ids=(),
    )


# Offline completions ----------------------------------------------------------------

KIND_WORDS = {
    "offline": CourseCompletion.Source.OFFLINE,
    "线下": CourseCompletion.Source.OFFLINE,
    "集中": CourseCompletion.Source.OFFLINE,
    "面授": CourseCompletion.Source.OFFLINE,
    "online": CourseCompletion.Source.ONLINE,
    "线上": CourseCompletion.Source.ONLINE,
    "网络": CourseCompletion.Source.ONLINE,
}
# Words in a free-text source that tell its kind; the first one written wins.
ONLINE_WORDS = ("线上", "网络", "网上", "在线", "网课", "online", "e-learning")
OFFLINE_WORDS = ("线下", "集中", "面授", "现场", "脱产", "offline", "classroom")


@lru_cache(maxsize=512)
def infer_kind(source: str) -> str:
    """Offline or online from a source as written (线下集中培训, 网络学院…).

    Cached: a file repeats a handful of sources on every row.
    """
    text = source.lower()
    found = [
        (text.find(word), kind)
        for words, kind in (
            (ONLINE_WORDS, CourseCompletion.Source.ONLINE),
            (OFFLINE_WORDS, CourseCompletion.Source.OFFLINE),
        )
        for word in words
        if word in text
    ]
    # Imported completions are training done elsewhere: offline unless told.
    return min(found)[1] if found else CourseCompletion.Source.OFFLINE


class PastDate(Date):
    def clean(self, text, lookups):
        day = super().clean(text, lookups)
        if day > timezone.localdate():
            raise CellError(_("the date is in the future"))
        return day


COMPLETION_SCHEMA = Schema(
    Column(
        "staff_no",
        Ref("staff", gettext_lazy("no such person on the roster")),
        "工号",
        ("人员编号",),
        required=True,
    ),
    Column(
        "course_code",
        Ref("courses", gettext_lazy("no such course")),
        "课程代码",
        ("课程",),
        required=True,
    ),
    Column("completed_on", PastDate(), "完成日期", required=True),
    Column(
        "score", Number(Decimal(0), Decimal(100)), "成绩", ("分数",), on_empty=CLEAR
    ),
    Column("source", Text(100), "培训形式", ("来源",), on_empty=CLEAR, cleared=""),
    Column("kind", Choice(KIND_WORDS), "线上线下", ("形式类别",)),
    Column("hours", Number(Decimal(0), Decimal(1000)), "学时", on_empty=CLEAR),
    kind="completions",
)
COMPLETION_FIELDS = ["completed_on", "score", "source_text", "source", "hours"]


def _completion_values(row: Row) -> dict:
    values = {"completed_on": row["completed_on"]}
    for column, field in (
        ("score", "score"),
        ("hours", "hours"),
        ("source", "source_text"),
    ):
        if column in row:
            values[field] = row[column]
    if "kind" in row:
        values["source"] = row["kind"]
    elif "source" in row:
        values["source"] = infer_kind(row["source"])
    return values


def completions_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None, **options
) -> ImportSummary:
    """Record training completed elsewhere as completions of the course's version.

    One completion per (person, course, version): a later row for the same version
    updates it. The source is kept as written; its kind (offline/online) comes from
    ``kind`` or is inferred from the source's words. All-or-nothing.
    """
    lookups = {
        "staff": dict(StaffProfile.objects.values_list("staff_no", "user_id")),
        "courses": {
            c["code"]: c
            for c in CoursePage.objects.values("id", "code", "content_version")
        },
    }
    parsed = COMPLETION_SCHEMA.parse(table, lookups)
    parsed.raise_errors()
    planned: dict[tuple[int, int, int], tuple[Row, dict]] = {}
    for row in parsed.rows:
        course = row["course_code"]
        key = (row["staff_no"], course["id"], course["content_version"])
        planned[key] = (row, _completion_values(row))

    numbers = {user_id: no for no, user_id in lookups["staff"].items()}
    existing = _completions_existing(list({k[0] for k in planned}))
    summary = ImportSummary()
    new, changed = [], []
    for key, (row, values) in planned.items():
        current = existing.get(key)
        label = f"{numbers[key[0]]} · {row['course_code']['code']}"
        if current is None:
            new.append(
                (
                    *key,
                    values["completed_on"],
                    values.get("score"),
                    values.get("hours"),
                    values.get("source_text", ""),
                    values.get("source", CourseCompletion.Source.OFFLINE),
                )
            )
            summary.record("created", row=row.number, key=label)
            continue
        changes = diff_fields(
            {k: getattr(current, k) for k in values}, values, show=_number_text
        )
        if not changes:
            summary.unchanged += 1
            continue
        for name, value in values.items():
            setattr(current, name, value)
        changed.append(current)
        summary.record("updated", row=row.number, key=label, fields=changes)
    _completions_write(new, changed, progress)
    if not dry_run and (new or changed):
        ids = [c.pk for c in changed]
        keys = [item[:3] for item in new]
        transaction.on_commit(lambda: _announce_imported(ids, keys))
    return summary


def _announce_imported(ids: list[int], keys: list[tuple[int, int, int]]) -> None:
    for part in chunks(keys, 1000):
        users = {k[0] for k in part}
        wanted = set(part)
        ids += [
            pk
            for pk, *key in CourseCompletion.objects.filter(
                user_id__in=users
            ).values_list("pk", "user_id", "course_id", "version")
            if tuple(key) in wanted
        ]
    completions_imported.send(sender=CourseCompletion, completion_ids=ids)


def _number_text(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _completions_existing(user_ids: list[int]) -> dict:
    existing = {}
    for part in chunks(user_ids):
        for completion in CourseCompletion.objects.filter(user_id__in=part):
            key = (completion.user_id, completion.course_id, completion.version)
            existing[key] = completion
    return existing


NEW_COMPLETION_FIELDS = [
    "user_id",
    "course_id",
    "version",
    "completed_on",
    "score",
    "hours",
    "source_text",
    "source",
]


def _completions_write(new: list, changed: list, progress: Progress) -> None:
    total, done = len(new) + len(changed), 0
    for part in chunks(new, 10000):
        insert_rows(CourseCompletion, NEW_COMPLETION_FIELDS, part)
        done += len(part)
        if progress:
            progress(done, total)
    for part in chunks(changed, 1000):
        bulk_update(part, COMPLETION_FIELDS)
        done += len(part)
        if progress:
            progress(done, total)
