"""Import rates: rows per second of every importer, its preview, and a baseline.

Run against PostgreSQL for figures worth quoting:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python -m bench.import_bench --rows 100000

Each importer runs from an in-memory table through the same column layer the
commands use (validation, planning, batched writes): first as a preview
(``--dry-run``: everything but the commit), then applied. Beside it, in the same
run, a baseline writes the same rows with plain ``bulk_create`` (or reads them back,
for an unchanged file) and is rolled back: the machine is shared and noisy, so the
ratio importer/baseline says more than a rate alone.

``--rows`` sizes the roster, values, completions and results; the unit tree and
the campaigns are measured at their realistic maximum (``--units``, default 5,000;
``--campaigns``, default 2,000, each with the audience of one unit of a 2,000-person
roster). Question tables (versioned: each new question gets its options and first
version) are measured at ``--questions`` rows (default 1,000). ``--only NAME``
runs one importer (e.g. ``--only questions``). Everything runs in one transaction
that is rolled back, so the database is left as it was. Prints JSON; the target is
at least 5,000 rows/s for each importer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal

TARGET_ROWS_PER_S = 5000
STEPS = ("units", "campaigns", "staff", "indicators", "values", "completions")
STEPS += ("results", "questions")
UNITS = 20


def _table(headers: list[str], rows):
    from organisation.tabular import Table

    return Table(
        headers=headers,
        rows=[
            (n + 2, dict(zip(headers, row, strict=True))) for n, row in enumerate(rows)
        ],
    )


def _seconds(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _rolled_back(fn: Callable[[], object]) -> float:
    """Seconds ``fn`` takes inside a savepoint that is then rolled back."""
    from django.db import transaction

    with transaction.atomic():
        seconds, _result = _seconds(fn)
        transaction.set_rollback(True)
    return seconds


def _measure(
    name: str,
    importer,
    table,
    *,
    baseline: Callable[[], object],
    check: Callable[[object], bool],
    **options,
) -> dict:
    """Baseline, preview and apply of one importer on one table, as rows/s."""
    from organisation.importing import run_import

    rows = len(table.rows)
    base_s = _rolled_back(baseline)
    preview_s, _p = _seconds(
        lambda: run_import(importer, table=table, dry_run=True, **options)
    )
    apply_s, summary = _seconds(lambda: run_import(importer, table=table, **options))
    assert check(summary), (name, summary.as_dict())
    rate = rows / apply_s
    return {
        name: {
            "rows": rows,
            "rows_per_s": round(rate),
            "preview_rows_per_s": round(rows / preview_s),
            "baseline_rows_per_s": round(rows / base_s),
            "ratio_to_baseline": round(rate / (rows / base_s), 2),
        }
    }


# Set-up ----------------------------------------------------------------------------


def _setup_units() -> None:
    from organisation.models import Unit
    from organisation.services import _recompute_paths

    root, _ = Unit.objects.get_or_create(
        code="BENCH", defaults={"name": "基准测试院", "level": "province", "path": ""}
    )
    for i in range(UNITS):
        Unit.objects.get_or_create(
            code=f"BENCH-{i:02d}",
            defaults={
                "name": f"基准{i}",
                "level": "grassroots",
                "parent": root,
                "path": "",
            },
        )
    _recompute_paths()


def _setup_courses(count: int = 20) -> list[str]:
    from cms.services import site_ensure_home
    from learning.models import CourseIndexPage, CoursePage

    index = CourseIndexPage.objects.first()
    if index is None:
        index = site_ensure_home().add_child(
            instance=CourseIndexPage(title="基准课程", slug="bench-courses")
        )
    codes = [f"BENCH-C{n:02d}" for n in range(count)]
    for code in codes:
        if not CoursePage.objects.filter(code=code).exists():
            index.add_child(
                instance=CoursePage(
                    title=f"基准课程 {code}", slug=code.lower(), code=code
                )
            )
    return codes


def _setup_questions(count: int) -> list[str]:
    from assessments.services.questions import category_ensure, question_upsert

    category = category_ensure(path="基准测试")
    codes = [f"BENCH-Q{i:03d}" for i in range(count)]
    for code in codes:
        question_upsert(
            code=code,
            fields={"category": category, "type": "essay", "text": "论述"},
            options=[],
        )
    return codes


def _baseline_people(numbers: list[str], unit_codes: list[str]) -> None:
    """Accounts and profiles for these staff numbers in two plain bulk_creates."""
    from django.contrib.auth import get_user_model

    from organisation.models import StaffProfile, Unit

    User = get_user_model()
    units = dict(Unit.objects.filter(code__in=unit_codes).values_list("code", "id"))
    users = User.objects.bulk_create(
        [User(username=n, first_name=n, password="!") for n in numbers],
        batch_size=5000,
    )
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user_id=user.pk,
                staff_no=user.username,
                name=user.first_name,
                unit_id=units[unit_codes[n % len(unit_codes)]],
                position="检察官助理",
            )
            for n, user in enumerate(users)
        ],
        batch_size=5000,
    )


# The importers ---------------------------------------------------------------------


def _bench_units(count: int) -> dict:
    from organisation.importers import units_import
    from organisation.models import Unit

    rows = [["BU", "基准省院", "", "province"]]
    cities = max(count // 100, 1)
    rows += [[f"BU-{c}", f"市院{c}", "BU", "city"] for c in range(cities)]
    n = 0
    while len(rows) < count:
        grassroots = f"BU-{n % cities}-{n}"
        rows.append([grassroots, f"基层院{n}", f"BU-{n % cities}", "grassroots"])
        rows += [
            [f"{grassroots}-D{d}", f"部门{d}", grassroots, "department"]
            for d in range(3)
        ]
        n += 1
    rows = rows[:count]
    # Children before parents: the importer orders the tree itself.
    table = _table(["code", "name", "parent_code", "level"], reversed(rows))
    return _measure(
        "units",
        units_import,
        table,
        baseline=lambda: Unit.objects.bulk_create(
            [Unit(code=r[0], name=r[1], level=r[3], path="") for r in rows],
            batch_size=2000,
        ),
        check=lambda s: s.created == count,
    )


def _staff_rows(rows: int, position: str = "检察官助理"):
    return (
        (
            f"BENCH-{n:07d}",
            f"测试人员{n}",
            f"BENCH-{n % UNITS:02d}",
            position,
            "civil" if n % 3 else "ordinary_crime;civil",
            "1" if n % 50 == 0 else "0",
        )
        for n in range(rows)
    )


def _bench_staff(rows: int) -> dict:
    from organisation.importers import staff_import
    from organisation.models import StaffProfile

    headers = ["staff_no", "name", "unit_code", "position", "business_lines"]
    headers.append("is_leader")
    table = _table(headers, _staff_rows(rows))
    numbers = [f"BENCH-{n:07d}" for n in range(rows)]
    units = [f"BENCH-{n:02d}" for n in range(UNITS)]
    result = _measure(
        "staff_new",
        staff_import,
        table,
        baseline=lambda: _baseline_people(numbers, units),
        check=lambda s: s.created == rows,
    )

    def read_back():
        for start in range(0, rows, 5000):
            list(
                StaffProfile.objects.filter(
                    staff_no__in=numbers[start : start + 5000]
                ).values_list("staff_no", "name", "unit_id", "position", "is_leader")
            )

    result |= _measure(
        "staff_unchanged",
        staff_import,
        table,
        baseline=read_back,
        check=lambda s: s.unchanged == rows,
    )
    changed = _table(headers, _staff_rows(rows, position="检察官"))

    def update_all():
        people = list(StaffProfile.objects.filter(staff_no__startswith="BENCH-"))
        for person in people:
            person.position = "检察官"
        StaffProfile.objects.bulk_update(people, ["position"], batch_size=2000)

    result |= _measure(
        "staff_changed",
        staff_import,
        changed,
        baseline=update_all,
        check=lambda s: s.updated == rows,
    )
    return result


def _bench_indicators(rows: int) -> dict:
    from organisation.indicator_import import indicators_import
    from organisation.models import BusinessLine, Indicator

    line = BusinessLine.objects.order_by("code").first()
    headers = ["code", "name_zh", "name_en", "business_line", "direction"]
    table = _table(
        [*headers, "target_low", "target_high"],
        (
            (
                f"BENCH-I{n:06d}",
                f"指标{n}",
                f"Ind {n}",
                line.code,
                "越高越好",
                "0.5",
                "",
            )
            for n in range(rows)
        ),
    )
    return _measure(
        "indicators",
        indicators_import,
        table,
        baseline=lambda: Indicator.objects.bulk_create(
            [
                Indicator(
                    code=f"BENCH-I{n:06d}",
                    name=f"指标{n}",
                    name_en=f"Ind {n}",
                    business_line=line,
                    direction="higher_better",
                    target_low=Decimal("0.5"),
                )
                for n in range(rows)
            ],
            batch_size=2000,
        ),
        check=lambda s: s.created == rows,
    )


def _bench_values(rows: int) -> dict:
    from unittest import mock

    from insights.models import IndicatorValue
    from insights.selectors import period_parse
    from insights.services import indicator_values_import
    from organisation.models import Indicator, Unit
    from organisation.services import indicators_load_shipped

    if not Indicator.objects.exclude(code__startswith="BENCH-").exists():
        indicators_load_shipped()
    indicators = dict(
        Indicator.objects.exclude(code__startswith="BENCH-").values_list("code", "id")[
            :50
        ]
    )
    units = dict(
        Unit.objects.filter(code__startswith="BENCH-").values_list("code", "id")
    )
    periods = [f"{1990 + y}-{m:02d}" for y in range(110) for m in range(1, 13)]
    combos = list(
        itertools.islice(
            (
                (f"BENCH-{u:02d}", code, period)
                for period in periods
                for u in range(UNITS)
                for code in indicators
            ),
            rows,
        )
    )
    table = _table(
        ["unit_code", "indicator_code", "period", "value"],
        ((*combo, "0.35") for combo in combos),
    )

    def baseline():
        parsed = {p: period_parse(p) for p in periods}
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    unit_id=units[u],
                    indicator_id=indicators[c],
                    period=p,
                    kind=parsed[p].kind,
                    period_start=parsed[p].start,
                    period_end=parsed[p].end,
                    value=Decimal("0.35"),
                )
                for u, c, p in combos
            ],
            batch_size=2000,
        )

    # Snapshots are recomputed after commit by a task; the bench measures the import.
    with mock.patch("insights.services.snapshots_schedule"):
        return _measure(
            "indicator_values",
            indicator_values_import,
            table,
            baseline=baseline,
            check=lambda s: s.created == len(combos),
        )


def _bench_campaigns(count: int, courses: list[str]) -> dict:
    from learning.campaigns.importers import campaigns_import
    from learning.campaigns.models import Campaign, CampaignMember
    from learning.models import CoursePage
    from organisation.models import StaffProfile, Unit

    roster = [f"CAMP-{n:05d}" for n in range(2000)]
    _baseline_people(roster, [f"BENCH-{n:02d}" for n in range(UNITS)])
    rows = [
        (
            f"BENCH-T{n:05d}",
            f"培训任务{n}",
            courses[n % len(courses)],
            f"BENCH-{n % UNITS:02d}",
            "2026-01-01",
            "2026-12-31",
        )
        for n in range(count)
    ]
    table = _table(["code", "title", "courses", "units", "starts_on", "due_on"], rows)
    course_ids = dict(CoursePage.objects.values_list("code", "id"))
    unit_ids = dict(Unit.objects.values_list("code", "id"))
    staff_by_unit: dict[str, list[int]] = {}
    for staff_id, code in StaffProfile.objects.filter(
        unit__code__startswith="BENCH-", active=True
    ).values_list("id", "unit__code"):
        staff_by_unit.setdefault(code, []).append(staff_id)

    def baseline():
        campaigns = Campaign.objects.bulk_create(
            [
                Campaign(
                    code=r[0],
                    title=r[1],
                    starts_on=dt.date(2026, 1, 1),
                    due_on=dt.date(2026, 12, 31),
                )
                for r in rows
            ],
            batch_size=2000,
        )
        for name, column, ids in (("courses", 2, course_ids), ("units", 3, unit_ids)):
            through = getattr(Campaign, name).through
            other = Campaign._meta.get_field(name).m2m_reverse_name()
            through.objects.bulk_create(
                [
                    through(campaign_id=c.pk, **{other: ids[r[column]]})
                    for c, r in zip(campaigns, rows, strict=True)
                ],
                batch_size=2000,
            )
        CampaignMember.objects.bulk_create(
            [
                CampaignMember(campaign_id=c.pk, staff_id=s, joined_on=c.starts_on)
                for c, r in zip(campaigns, rows, strict=True)
                for s in staff_by_unit.get(r[3], ())
            ],
            batch_size=5000,
        )

    result = _measure(
        "campaigns",
        campaigns_import,
        table,
        baseline=baseline,
        check=lambda s: s.created == count,
    )
    result["campaigns"]["members"] = CampaignMember.objects.filter(
        campaign__code__startswith="BENCH-T"
    ).count()
    return result


def _bench_completions(rows: int, courses: list[str]) -> dict:
    from django.contrib.auth import get_user_model

    from learning.campaigns.importers import completions_import
    from learning.models import CourseCompletion, CoursePage

    people = max(rows // len(courses), 1)
    combos = [
        (f"BENCH-{n % people:07d}", courses[n // people % len(courses)])
        for n in range(min(rows, people * len(courses)))
    ]
    table = _table(
        ["staff_no", "course_code", "completed_on", "source"],
        ((no, course, "2026-03-01", "线下集中培训") for no, course in combos),
    )
    users = dict(
        get_user_model()
        .objects.filter(username__startswith="BENCH-")
        .values_list("username", "id")
    )
    course_ids = dict(CoursePage.objects.values_list("code", "id"))

    def baseline():
        CourseCompletion.objects.bulk_create(
            [
                CourseCompletion(
                    user_id=users[no],
                    course_id=course_ids[course],
                    completed_on=dt.date(2026, 3, 1),
                    source="offline",
                    source_text="线下集中培训",
                )
                for no, course in combos
            ],
            batch_size=2000,
        )

    return _measure(
        "completions",
        completions_import,
        table,
        baseline=baseline,
        check=lambda s: s.created == len(combos),
    )


def _bench_results(rows: int) -> dict:
    from django.contrib.auth import get_user_model

    from assessments.models import ExternalResult, Question
    from assessments.services.transfer import results_import

    codes = _setup_questions(50)
    people = max(rows // 50, 1)
    combos = [(f"BENCH-{n % people:07d}", codes[n // people % 50]) for n in range(rows)]
    table = _table(
        ["staff_no", "question_code", "score", "answered_on"],
        ((no, code, "0.5", "2026-03-01") for no, code in combos),
    )
    users = dict(
        get_user_model()
        .objects.filter(username__startswith="BENCH-")
        .values_list("username", "id")
    )
    questions = dict(Question.objects.filter(code__in=codes).values_list("code", "id"))

    def baseline():
        ExternalResult.objects.bulk_create(
            [
                ExternalResult(
                    user_id=users[no],
                    question_id=questions[code],
                    answered_on=dt.date(2026, 3, 1),
                    score=Decimal("0.5"),
                )
                for no, code in combos
            ],
            batch_size=5000,
        )

    return _measure(
        "results",
        results_import,
        table,
        baseline=baseline,
        check=lambda s: s.created == rows,
    )


def _question_rows(rows: int, text: str = "题干"):
    return (
        (f"BENCH-QT{n:06d}", "基准测试/表格", "single", f"{text}{n}", "甲", "乙", "A")
        for n in range(rows)
    )


def _bench_questions(rows: int) -> dict:
    from assessments.models import Question, QuestionVersion
    from assessments.services.questions import category_ensure
    from assessments.services.transfer import questions_import

    headers = ["code", "category", "type", "text", "option_a", "option_b", "answer"]
    table = _table(headers, _question_rows(rows))
    category = category_ensure(path="基准测试")
    result = _measure(
        "questions_table",
        questions_import,
        table,
        baseline=lambda: Question.objects.bulk_create(
            [
                Question(
                    code=f"BENCH-QT{n:06d}",
                    category=category,
                    type="single",
                    text=f"题干{n}",
                )
                for n in range(rows)
            ],
            batch_size=2000,
        ),
        check=lambda s: s.created == rows,
    )
    codes = [f"BENCH-QT{n:06d}" for n in range(rows)]

    def read_back():
        for start in range(0, rows, 5000):
            list(
                Question.objects.filter(code__in=codes[start : start + 5000])
                .prefetch_related("options")
                .values_list("code", "text", "options__text")
            )

    result |= _measure(
        "questions_table_unchanged",
        questions_import,
        table,
        baseline=read_back,
        check=lambda s: s.unchanged == rows,
    )

    def update_all():
        questions = list(Question.objects.filter(code__startswith="BENCH-QT"))
        for question in questions:
            question.text = "新" + question.text
        Question.objects.bulk_update(questions, ["text"], batch_size=2000)

    # Every question's text changes: each version is rewritten (none was shown).
    result |= _measure(
        "questions_table_changed",
        questions_import,
        _table(headers, _question_rows(rows, text="改过的题干")),
        baseline=update_all,
        check=lambda s: s.updated == rows,
    )
    assert (
        QuestionVersion.objects.filter(
            question__code__startswith="BENCH-QT", data__text__startswith="改过"
        ).count()
        == rows
    )
    return result


def measure(
    rows: int, *, units: int, campaigns: int, questions: int, only: str | None = None
) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # As in production: with DEBUG on, every statement is also formatted with its
    # parameters into the query log, which cost more than some imports' own work.
    os.environ.setdefault("DJANGO_DEBUG", "False")
    django.setup()
    from django.db import connection, transaction

    result = {"database": connection.vendor}
    with transaction.atomic():
        _setup_units()
        courses = _setup_courses()
        steps = {
            "units": lambda: _bench_units(units),
            "campaigns": lambda: _bench_campaigns(campaigns, courses),
            "staff": lambda: _bench_staff(rows),
            "indicators": lambda: _bench_indicators(rows),
            "values": lambda: _bench_values(rows),
            "completions": lambda: _bench_completions(rows, courses),
            "results": lambda: _bench_results(rows),
            "questions": lambda: _bench_questions(questions),
        }
        for name, step in steps.items():
            if only and name != only:
                continue
            figures = step()
            # Each importer's figures as soon as they are known: a long run on a
            # busy machine still says something if it is stopped.
            print(json.dumps(figures, ensure_ascii=False), file=sys.stderr)
            result |= figures
        transaction.set_rollback(True)
    result["below_target"] = sorted(
        name
        for name, figures in result.items()
        if isinstance(figures, dict) and figures["rows_per_s"] < TARGET_ROWS_PER_S
    )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--campaigns", type=int, default=2_000)
    parser.add_argument("--questions", type=int, default=1_000)
    parser.add_argument("--only", choices=STEPS, help="run one importer")
    args = parser.parse_args()
    print(
        json.dumps(
            measure(
                args.rows,
                units=args.units,
                campaigns=args.campaigns,
                questions=args.questions,
                only=args.only,
            ),
            ensure_ascii=False,
            indent=1,
        )
    )
