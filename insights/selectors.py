"""Selectors: reads for the gap analysis and for the pages.

Two kinds of reads live here. The analysis gathers plain records (tuples, no pandas)
province-wide, because standing compares every unit of a level; the task that calls
them is not a user. The pages read stored snapshots, and every such read is cut to
the reader's scope (``organisation.selectors.units_visible_to``) before anything is
shown or exported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db.models import QuerySet
from django.http import Http404

from organisation.models import Indicator, StaffProfile, Unit
from organisation.permissions import ALL, user_scope_paths
from organisation.selectors import units_visible_to

from .cells import CELL_MEASURES
from .models import GapCell, GapSnapshot, IndicatorEdition, IndicatorValue
from .periods import Period, period_parse

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

    from insights.models import AnalysisRun


def is_ratio_indicator(code: str) -> bool:
    """The 案-件比 family (written 1:x) takes the ratio band; every other one is a rate."""
    return code.startswith("case_ratio")


# Records for the analysis ----------------------------------------------------------


def indicators_for(year: int) -> QuerySet[Indicator]:
    """Active indicators of the edition in force in ``year`` (all active ones if none)."""
    indicators = Indicator.objects.filter(active=True)
    editions = [e for e in IndicatorEdition.objects.all() if e.covers(year)]
    if editions:
        indicators = indicators.filter(editions__in=editions).distinct()
    return indicators.order_by("code")


def indicator_records(year: int) -> list[tuple]:
    """(indicator_code, direction, target_low, target_high, is_ratio)."""
    return [
        (
            i.code,
            i.direction,
            float(i.target_low) if i.target_low is not None else float("nan"),
            float(i.target_high) if i.target_high is not None else float("nan"),
            is_ratio_indicator(i.code),
        )
        for i in indicators_for(year)
    ]


def value_records(*, kind: str, until: dt.date) -> list[tuple]:
    """(unit_code, level, indicator_code, period, period_order, value) of one period kind."""
    rows = IndicatorValue.objects.filter(kind=kind, period_end__lte=until).values_list(
        "unit__code",
        "unit__level",
        "indicator__code",
        "period",
        "period_start",
        "value",
    )
    return [
        (u, lv, i, p, start.toordinal(), float(v)) for u, lv, i, p, start, v in rows
    ]


def procuratorate_of() -> dict[int, str]:
    """unit id → code of the procuratorate it belongs to (departments → their parent)."""
    units = list(Unit.objects.values_list("id", "code", "level", "path"))
    level_of = {code: level for _id, code, level, _path in units}
    out = {}
    for unit_id, code, _level, path in units:
        chain = [c for c in path.split("/") if c] or [code]
        owner = next(
            (c for c in reversed(chain) if level_of.get(c) != Unit.Level.DEPARTMENT),
            code,
        )
        out[unit_id] = owner
    return out


def staff_records() -> list[tuple]:
    """(user_id, staff_no, procuratorate code) of every active person on the roster."""
    owner = procuratorate_of()
    return [
        (user_id, staff_no, owner[unit_id])
        for user_id, staff_no, unit_id in StaffProfile.objects.filter(
            active=True
        ).values_list("user_id", "staff_no", "unit_id")
    ]


def completion_records(*, until: dt.date) -> list[tuple]:
    """(user_id, course_code) of current completions up to a date."""
    from learning.models import CourseCompletion

    return list(
        CourseCompletion.objects.filter(
            superseded=False, completed_on__lte=until
        ).values_list("user_id", "course__code")
    )


def course_indicator_records() -> list[tuple]:
    """(course_code, indicator_code) for live courses."""
    from learning.models import CoursePage

    through = CoursePage.indicators.through
    return list(
        through.objects.filter(coursepage__live=True).values_list(
            "coursepage__code", "indicator__code"
        )
    )


def course_titles(codes: Iterable[str]) -> dict[str, str]:
    from learning.models import CoursePage

    return dict(
        CoursePage.objects.filter(code__in=list(codes)).values_list("code", "title")
    )


def response_records(*, until: dt.date) -> list[tuple]:
    """(user_id, question_id, score, points) from the assessment engine, up to a date."""
    from assessments.selectors import scored_response_records

    out = []
    for r in scored_response_records():
        answered = r.get("answered_on")
        if isinstance(answered, dt.datetime):
            answered = answered.date()
        if answered is not None and answered > until:
            continue
        out.append(
            (
                int(r["user_id"]),
                int(r["question_id"]),
                float(r["score"]),
                float(r.get("points") or 1),
            )
        )
    return out


def _answer_querysets(until: dt.date):
    """The answers that count for mastery up to ``until``, one row per answer, as
    two querysets: the platform's finished attempts ``(uid, qid, score, points)``
    (points of the item as shown) and imported results ``(uid, qid, score)``
    (points of the question, added later). Scores as stored, not yet clipped:
    :func:`_answer_batches` clips them and spreads each answer over its question's
    indicators."""
    from django.db.models import F, Q

    from assessments.models import Attempt, ExternalResult, Response

    platform = (
        Response.objects.filter(
            item__attempt__status=Attempt.Status.FINISHED,
            item__attempt__preview=False,
            fraction__isnull=False,
        )
        .filter(
            Q(item__attempt__finished_at__isnull=True)
            | Q(item__attempt__finished_at__date__lte=until)
        )
        .annotate(
            uid=F("item__attempt__user_id"),
            qid=F("item__question_id"),
            answer_score=F("fraction"),
            answer_points=F("item__points"),
        )
        .values_list("uid", "qid", "answer_score", "answer_points")
        .order_by()
    )
    imported = (
        ExternalResult.objects.filter(answered_on__lte=until)
        .annotate(uid=F("user_id"), qid=F("question_id"), answer_score=F("score"))
        .values_list("uid", "qid", "answer_score")
        .order_by()
    )
    return platform, imported


# Rows of COPY … (FORMAT BINARY): a field count, then each field's length and value,
# all big-endian. The answers' streams have int4 person and question, then float8s.
def _copy_row(floats: int) -> np.dtype:
    fields = [("fields", ">i2"), ("uid_len", ">i4"), ("uid", ">i4")]
    fields += [("qid_len", ">i4"), ("qid", ">i4")]
    for n in range(floats):
        fields += [(f"f{n}_len", ">i4"), (f"f{n}", ">f8")]
    return np.dtype(fields)


_COPY_HEADER = 19  # signature (11), flags (4), extension area length (4)
_ANSWER_BATCH = 1 << 20


def _copy_arrays(data: bytes, row: np.dtype) -> list[np.ndarray]:
    """Whole binary COPY rows of the given layout as arrays, one per field."""
    if len(data) % row.itemsize:
        raise ValueError("unexpected row layout in the answers' binary copy")
    rows = np.frombuffer(data, dtype=row)
    values = [name for name in row.names if not name.endswith("_len")][1:]  # type: ignore[union-attr]
    if not (rows["fields"] == len(values)).all() or not all(
        (rows[f"{name}_len"] == row[name].itemsize).all() for name in values
    ):
        raise ValueError("unexpected row layout in the answers' binary copy")
    return [
        rows[name].astype("float64" if name[0] == "f" else "int64") for name in values
    ]


def _copy_batches(cursor, select: str, floats: int):
    """Stream ``select`` (int4, int4, then ``floats`` float8 columns) out of
    PostgreSQL as binary COPY and yield its columns as arrays, a million rows or so
    at a time."""
    row = _copy_row(floats)
    for data in _copy_out(cursor, select, batch=_ANSWER_BATCH, size=row.itemsize):
        yield _copy_arrays(data, row)


def _copy_header(data: bytearray) -> int:
    # The header ends with the length of an extension area (0 today).
    return _COPY_HEADER + int.from_bytes(data[15:19], "big")


def _copy_out(cursor, select: str, *, batch: int, size: int):
    """The rows of ``COPY (select) TO STDOUT (FORMAT BINARY)`` as bytes, ``batch``
    rows of ``size`` bytes at a time (the last batch may be shorter), without the
    header and trailer.

    The rows are taken straight from libpq: the server sends one message per row,
    and ten million of them through psycopg's ``Copy`` iterator cost more Python time
    than the server spends producing them. A consumer that stops early cancels the
    copy, so that the connection can be used again.
    """
    from django.db import DatabaseError
    from psycopg import pq

    pgconn = cursor.connection.pgconn
    started = pgconn.exec_(f"COPY ({select}) TO STDOUT (FORMAT BINARY)".encode())
    if started.status != pq.ExecStatus.COPY_OUT:
        message = started.error_message.decode("utf-8", "replace")
        raise DatabaseError(message or "the copy did not start")
    read = pgconn.get_copy_data
    pending = bytearray()
    full = batch * size
    header = True
    ended = False
    try:
        while True:
            length, data = read(0)
            if length <= 0:
                break
            pending += data
            if len(pending) < full:
                continue
            if header:
                del pending[: _copy_header(pending)]
                header = False
            whole = len(pending) // size * size
            yield bytes(pending[:whole])
            del pending[:whole]
        ended = True
        result = pgconn.get_result()
        while pgconn.get_result() is not None:  # the end of the statement's results
            pass
        if length == -2 or result is None or result.status != pq.ExecStatus.COMMAND_OK:
            message = pgconn.error_message.decode("utf-8", "replace")
            raise DatabaseError(message or "the copy failed")
    finally:
        if not ended:
            pgconn.get_cancel().cancel()
            while read(0)[0] > 0:
                pass
            while pgconn.get_result() is not None:
                pass
    if header:
        del pending[: _copy_header(pending)]
    if pending[-2:] == b"\xff\xff":  # the trailer: a field count of -1
        del pending[-2:]
    if pending:
        yield bytes(pending)


def _answer_batches(until: dt.date):
    """The answers of :func:`_answer_querysets` as batches of numpy arrays
    ``(uid, iid, earned, possible)``, one row per answer and indicator of its
    question: points possible (a question worth 0 points counts as 1) and earned
    (score clipped to 0–1 × points).

    On PostgreSQL the rows stream as binary COPY, narrow (person, question, score
    and, for the platform's answers, points) and without the indicator join, into
    arrays: ten million answers cost no Python object each, and memory stays at one
    batch. The questions' indicators and points are spread over the answers here.
    """
    from django.db import connection

    from assessments.models import Question

    tags = np.array(
        Question.indicators.through.objects.order_by(
            "question_id", "indicator_id"
        ).values_list("question_id", "indicator_id"),
        dtype="int64",
    ).reshape(-1, 2)
    qids, first, count = np.unique(tags[:, 0], return_index=True, return_counts=True)
    points = dict(
        Question.objects.filter(pk__in=qids.tolist()).values_list("pk", "points")
    )
    qpoints = np.array([float(points[q]) for q in qids.tolist()], dtype="float64")

    def spread(uid, qid, score, shown):
        """One row per answer and indicator; ``shown`` are the item's points, or
        None for the question's own."""
        k = np.searchsorted(qids, qid)
        k[k == len(qids)] = 0
        tagged = (qids[k] == qid) if len(qids) else np.zeros(len(qid), dtype=bool)
        k, uid, score = k[tagged], uid[tagged], score[tagged]
        worth = qpoints[k] if shown is None else shown[tagged]
        worth = np.where(worth == 0, 1.0, worth)
        got = np.clip(score, 0.0, 1.0) * worth
        times = count[k]
        at = np.repeat(first[k] - np.cumsum(times) + times, times) + np.arange(
            times.sum()
        )
        return (
            np.repeat(uid, times),
            tags[at, 1],
            np.repeat(got, times),
            np.repeat(worth, times),
        )

    def columns(cursor, queryset, floats: int):
        """The queryset's rows as arrays ``uid, qid, score[, points]``, in batches."""
        sql, params = queryset.query.sql_with_params()
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(_ANSWER_BATCH):
                uid, qid, *values = zip(*batch, strict=True)
                yield [np.array(uid, dtype="int64"), np.array(qid, dtype="int64")] + [
                    np.array(v, dtype="float64") for v in values
                ]
            return
        names = ("answer_score", "answer_points")[:floats]
        casts = ", ".join(
            ["a.uid::int4", "a.qid::int4"] + [f"a.{n}::float8" for n in names]
        )
        select = connection.ops.compose_sql(f"SELECT {casts} FROM ({sql}) a", params)  # type: ignore[attr-defined]
        yield from _copy_batches(cursor.cursor, select, floats)

    platform, imported = _answer_querysets(until)
    with connection.cursor() as cursor:
        for queryset, floats in ((platform, 2), (imported, 1)):
            for uid, qid, score, *shown in columns(cursor, queryset, floats):
                yield spread(uid, qid, score, shown[0] if shown else None)


def score_sum_records(*, until: dt.date) -> list[tuple]:
    """The answers summed per procuratorate and indicator: (procuratorate code,
    indicator_code, people, earned, possible) over active staff (one person counts
    once per indicator they answered). No one's own score leaves this function.

    The answers arrive in batches of plain arrays (:func:`_answer_batches`) and are
    added into a people × indicators table with ``numpy.bincount``: the roster sets
    its size (300,000 × 40 cells at national scale), not the ten million answers.
    """
    codes = dict(Indicator.objects.values_list("pk", "code"))
    owner = procuratorate_of()
    roster = np.array(
        StaffProfile.objects.filter(active=True)
        .order_by("user_id")
        .values_list("user_id", "unit_id"),
        dtype="int64",
    ).reshape(-1, 2)
    user_ids = roster[:, 0]
    indicator_ids = np.array(sorted(codes), dtype="int64")
    width = len(indicator_ids)
    cells = len(user_ids) * width
    earned = np.zeros(cells)
    possible = np.zeros(cells)
    answered = np.zeros(cells, dtype="int64")
    if cells:
        for uid, iid, got, out_of in _answer_batches(until):
            row = np.searchsorted(user_ids, uid)
            row[row == len(user_ids)] = 0
            col = np.searchsorted(indicator_ids, iid)
            col[col == width] = 0
            known = (user_ids[row] == uid) & (indicator_ids[col] == iid)
            key = row[known] * width + col[known]
            earned += np.bincount(key, weights=got[known], minlength=cells)
            possible += np.bincount(key, weights=out_of[known], minlength=cells)
            answered += np.bincount(key, minlength=cells)
    # Per procuratorate (departments count for theirs) and indicator: one bincount
    # over the people per indicator column.
    unit_codes = [owner[u] for u in roster[:, 1].tolist()]
    procuratorates = sorted(set(unit_codes))
    position = {code: n for n, code in enumerate(procuratorates)}
    unit_of = np.array([position[c] for c in unit_codes], dtype="int64")
    took = answered > 0
    shape = (len(user_ids), width)
    columns = {
        name: np.stack(
            [
                np.bincount(
                    unit_of,
                    weights=table.reshape(shape)[:, j],
                    minlength=len(procuratorates),
                )
                for j in range(width)
            ],
            axis=1,
        )
        if len(procuratorates)
        else np.zeros((0, width))
        for name, table in (
            ("people", took),
            ("earned", earned),
            ("possible", possible),
        )
    }
    unit_sums = [
        (
            procuratorates[u],
            codes[int(indicator_ids[j])],
            int(columns["people"][u, j]),
            float(columns["earned"][u, j]),
            float(columns["possible"][u, j]),
        )
        for u, j in zip(*np.nonzero(columns["people"]), strict=True)
    ]
    return unit_sums


def question_indicator_records() -> list[tuple]:
    """(question_id, indicator_code)."""
    from assessments.selectors import question_indicator_pairs

    return [
        (int(r["question_id"]), r["indicator_code"]) for r in question_indicator_pairs()
    ]


def exposure_records(periods: list[Period]) -> list[tuple]:
    """(unit_code, indicator_code, first_period_order) for campaigns reaching units.

    A campaign reaches the procuratorates of the units in its audience (their whole
    subtrees, or every unit when it names none); it counts for the indicators its
    courses target, from the first period that began on or after its start.
    """
    from learning.campaigns.models import Campaign

    if not periods:
        return []
    ordered = sorted(periods, key=lambda p: p.start)
    units = list(
        Unit.objects.exclude(level=Unit.Level.DEPARTMENT).values_list("code", "path")
    )
    out = set()
    campaigns = Campaign.objects.prefetch_related("courses__indicators", "units")
    for campaign in campaigns:
        first = next((p for p in ordered if p.start >= campaign.starts_on), None)
        if first is None:
            continue
        codes = {i.code for c in campaign.courses.all() for i in c.indicators.all()}
        paths = [u.path for u in campaign.units.all()]
        reached = [
            c
            for c, path in units
            if not paths or any(path.startswith(p) for p in paths)
        ]
        for unit_code in reached:
            for code in codes:
                out.add((unit_code, code, first.order))
    # Keep the earliest exposure per unit and indicator.
    earliest: dict[tuple[str, str], int] = {}
    for unit_code, code, order in out:
        key = (unit_code, code)
        earliest[key] = min(order, earliest.get(key, order))
    return [(u, i, o) for (u, i), o in sorted(earliest.items())]


def value_periods() -> list[Period]:
    """Every period that has indicator values, oldest first."""
    texts = (
        IndicatorValue.objects.order_by().values_list("period", flat=True).distinct()
    )
    return sorted((period_parse(t) for t in texts), key=lambda p: (p.start, p.end))


# Snapshots for the pages -----------------------------------------------------------


def snapshot_periods() -> list[str]:
    return list(GapSnapshot.objects.values_list("period", flat=True))


def snapshot_get(period: str | None = None) -> GapSnapshot | None:
    """The snapshot of a period, or the latest one."""
    snapshots = GapSnapshot.objects.all()
    if period:
        return snapshots.filter(period=period).first()
    return snapshots.first()


@dataclass
class ScopedSnapshot:
    """A snapshot cut to what one reader may see."""

    snapshot: GapSnapshot
    units: dict  # code → {name, level, path}
    cells: list[dict]  # highest priority first
    indicators: dict

    @property
    def period(self) -> str:
        return self.snapshot.period


# What a page reads of a GapCell: its measures and the two lists (not the history).
CELL_FIELDS = CELL_MEASURES + ["recommended_courses", "staff_to_remediate"]


def _cells_visible_to(user, snapshot: GapSnapshot) -> QuerySet:
    """The snapshot's rows of the units the user may see (their subtree for a unit
    leader), through ``units_visible_to``."""
    cells = GapCell.objects.filter(snapshot=snapshot)
    if user_scope_paths(user) is ALL:
        return cells
    return cells.filter(unit__in=units_visible_to(user))


def snapshot_for(user: User, period: str | None = None) -> ScopedSnapshot | None:
    """The snapshot with only the units (and their rows) the user may see."""
    snapshot = snapshot_get(period)
    if snapshot is None:
        if period:
            raise Http404
        return None
    rows = (
        _cells_visible_to(user, snapshot)
        .filter(in_period=True)
        .order_by("rank")
        .values_list(
            "unit__code", "unit__name", "unit__level", "unit__path", *CELL_FIELDS
        )
    )
    units: dict[str, dict] = {}
    cells = []
    for code, name, level, path, *values in rows:
        if code not in units:
            units[code] = {"name": name, "level": level, "path": path}
        cells.append({"unit_code": code, **dict(zip(CELL_FIELDS, values, strict=True))})
    return ScopedSnapshot(
        snapshot=snapshot,
        units=units,
        cells=cells,
        indicators=snapshot.payload.get("indicators", {}),
    )


def unit_history_for(user: User, *, code: str, snapshot: GapSnapshot) -> dict:
    """indicator code → [[period, value, standing, tier], …] for a unit the user may see.

    Read through the reader's scope: a unit outside it has no history (the unit page
    has already answered 404 for it)."""
    rows = (
        _cells_visible_to(user, snapshot)
        .filter(unit__code=code)
        .order_by("indicator_code")
        .values_list("indicator_code", "history")
    )
    return {indicator: points for indicator, points in rows if points}


def staff_names_for(user: User, *, staff_nos: set[str]) -> dict[str, str]:
    """staff number → name of the people among ``staff_nos`` in the user's scope (a
    person outside it is left out, so a stale list never names them)."""
    if not staff_nos:
        return {}
    people = StaffProfile.objects.filter(staff_no__in=staff_nos)
    if user_scope_paths(user) is not ALL:
        people = people.filter(unit__in=units_visible_to(user))
    return dict(people.values_list("staff_no", "name"))


def latest_run() -> AnalysisRun | None:
    """The most recent recomputation (to show work in progress), or None."""
    from .models import AnalysisRun

    return AnalysisRun.objects.first()
