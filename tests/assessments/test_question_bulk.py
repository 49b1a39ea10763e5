"""Question tables are written in bulk: the same stored questions, options, links,
versions, search entries and references as the one-question-at-a-time service, one
new version only where an answered version changed, and as many queries for 200
rows as for 10."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from assessments.formats import gift
from assessments.models import Category, Question, QuestionVersion
from assessments.services import attempt_start
from assessments.services.question_bulk import _same_content
from assessments.services.questions import _strip_keys, category_ensure, question_upsert
from assessments.services.transfer import (
    _record_fields,
    questions_import,
)
from organisation.importing import run_import
from organisation.models import BusinessLine, Indicator
from tests.assessments.factories import make_quiz
from tests.organisation.helpers import queries_of, table_of
from tests.organisation.test_import_queries import whole_batches  # noqa: F401

pytestmark = pytest.mark.django_db

HEADERS = [
    "code", "category", "type", "text", "option_a", "option_b", "option_c",
    "answer", "tolerance", "explanation", "points", "fractions", "option_feedback",
    "indicators", "business_lines",
]  # fmt: skip


def _rows(count: int, *, text: str = "题干", offset: int = 0) -> list[list[str]]:
    """``count`` questions cycling through every type, with links and extras."""
    indicator = Indicator.objects.order_by("code").values_list("code", flat=True)[0]
    lines = list(BusinessLine.objects.order_by("code").values_list("code", flat=True))
    kinds = [
        ("single", ["甲", "乙", "丙"], "B", "", "", ""),
        ("multiple", ["甲", "乙", "丙"], "A,C", "", "50;-100;50", "对|错|对"),
        ("true_false", ["", "", ""], "对", "", "", ""),
        ("numeric", ["", "", ""], "1.31", "0.01", "", ""),
        ("short", ["", "", ""], "案件比|案-件比", "", "", ""),
        ("essay", ["", "", ""], "", "", "", ""),
    ]
    rows = []
    for n in range(offset, offset + count):
        kind, options, answer, tolerance, fractions, feedback = kinds[n % len(kinds)]
        rows.append(
            [
                f"BULK-{n:04d}", f"批量/第{n % 3}组", kind, f"{text} {n} 案件比",
                *options, answer, tolerance, f"解析 {n}", str(1 + n % 4),
                fractions, feedback, indicator if n % 2 else "",
                ";".join(lines[: 1 + n % 3]),
            ]
        )  # fmt: skip
    return rows


def _one_at_a_time(*, table, **options):
    """The importer as it wrote before: ``question_upsert`` per record."""
    from assessments.formats.tabular import records_from_table
    from organisation.tabular import ImportSummary

    from_table = not isinstance(table, list)
    records, errors = records_from_table(table) if from_table else (table, [])
    assert not errors
    indicators = {i.code: i for i in Indicator.objects.all()}
    lines = {b.code: b for b in BusinessLine.objects.all()}
    categories = {r.category: category_ensure(path=r.category) for r in records}
    summary = ImportSummary()
    for rec in records:
        outcome = question_upsert(
            code=rec.code,
            fields=_record_fields(rec, categories, from_table=from_table),
            options=rec.options if rec.type in ("single", "multiple") else [],
            indicators=None
            if rec.indicators is None
            else [indicators[c] for c in rec.indicators],
            business_lines=None
            if rec.business_lines is None
            else [lines[c] for c in rec.business_lines],
        )
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    return summary


def _stored() -> dict:
    """Everything stored about the bank's questions, by code, free of ids and of
    the random option keys."""
    paths = dict(Category.objects.values_list("id", "path"))
    codes = dict(Question.objects.values_list("id", "code"))
    own = ContentType.objects.get_for_model(Question)
    result = {}
    for question in Question.objects.prefetch_related(
        "options", "indicators", "business_lines", "versions"
    ):
        fields = {
            f.attname: getattr(question, f.attname)
            for f in Question._meta.concrete_fields
            if f.attname not in ("id", "updated_at", "category_id")
        }
        versions = []
        for version in sorted(question.versions.all(), key=lambda v: v.number):
            data = dict(version.data)
            data["category_id"] = paths[data["category_id"]]
            data["options"] = [
                {k: v for k, v in o.items() if k != "key"} for o in data["options"]
            ]
            versions.append((version.number, data))
        result[question.code] = {
            **fields,
            "category": paths[question.category_id],
            "options": [
                (o.text, o.fraction, o.feedback, o.sort_order)
                for o in question.options.all()
            ],
            "indicators": sorted(i.code for i in question.indicators.all()),
            "business_lines": sorted(b.code for b in question.business_lines.all()),
            "versions": versions,
        }
    for entry in IndexEntry.objects.filter(content_type=own):
        result[codes[int(entry.object_id)]]["search"] = (
            entry.title_text if hasattr(entry, "title_text") else "",
            entry.body_text if hasattr(entry, "body_text") else "",
            str(entry.autocomplete),
            str(entry.body),
            str(entry.title),
        )
    for ref in ReferenceIndex.objects.filter(base_content_type=own):
        result[codes[int(ref.object_id)]].setdefault("references", []).append(
            (ref.model_path, paths[int(ref.to_object_id)])
        )
    return result


def _show(codes: list[str], learner) -> None:
    """Let an attempt show the current version of these questions."""
    quiz = make_quiz(
        f"bulk-{len(codes)}", list(Question.objects.filter(code__in=codes))
    )
    attempt_start(user=learner, quiz=quiz)


def _scenario(importer, learner) -> tuple[dict, list[dict]]:
    """New questions, some shown to a learner, then a file that changes some of
    them (text, options, links, category), leaves others and adds new ones."""
    summaries = [run_import(importer, table=table_of(HEADERS, _rows(12)))]
    _show([f"BULK-{n:04d}" for n in range(0, 12, 2)], learner)
    rows = _rows(12) + _rows(3, offset=12)
    rows[1][3] = "改过的题干"  # a multiple-choice question, not shown
    rows[2][3] = "改过的判断题"  # shown
    rows[4][9] = "新的解析"  # short answer, shown: the explanation
    rows[6][5] = "乙改"  # single choice, shown: options change
    rows[7][14] = ""  # links only: no new content
    rows[8][1] = "批量/新分类"  # category, shown
    rows[9][10] = "3"  # points, not shown
    summaries.append(run_import(importer, table=table_of(HEADERS, rows)))
    return _stored(), [s.as_dict() for s in summaries]


def test_bulk_import_stores_what_the_one_at_a_time_service_stored(
    reference_data, learner
):
    with transaction.atomic():
        expected, expected_summaries = _scenario(_one_at_a_time, learner)
        transaction.set_rollback(True)
    stored, summaries = _scenario(questions_import, learner)

    assert stored == expected
    counts = [{k: s[k] for k in ("created", "updated", "unchanged")} for s in summaries]
    assert counts == [
        {k: s[k] for k in ("created", "updated", "unchanged")}
        for s in expected_summaries
    ]
    assert counts[1] == {"created": 3, "updated": 7, "unchanged": 5}
    assert {t for q in stored.values() for t in [q["type"]]} == {
        "single", "multiple", "true_false", "numeric", "short", "essay",
    }  # fmt: skip


def test_a_changed_import_adds_one_version_where_an_attempt_showed_the_last(
    reference_data, learner
):
    run_import(questions_import, table=table_of(HEADERS, _rows(6)))
    _show(["BULK-0000", "BULK-0001"], learner)
    keys_before = {
        v.question.code: v.data
        for v in QuestionVersion.objects.select_related("question")
    }
    rows = _rows(6)
    for row in rows[:4]:
        row[3] = "新的题干"
    summary = run_import(questions_import, table=table_of(HEADERS, rows))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 4, 2)
    versions = {
        code: sorted(
            QuestionVersion.objects.filter(question__code=code).values_list(
                "number", flat=True
            )
        )
        for code in (f"BULK-{n:04d}" for n in range(6))
    }
    # Shown and changed: a second version; changed but never shown: rewritten.
    assert versions == {
        "BULK-0000": [1, 2],
        "BULK-0001": [1, 2],
        "BULK-0002": [1],
        "BULK-0003": [1],
        "BULK-0004": [1],
        "BULK-0005": [1],
    }
    first = QuestionVersion.objects.get(question__code="BULK-0000", number=1)
    assert first.data == keys_before["BULK-0000"]
    second = QuestionVersion.objects.get(question__code="BULK-0000", number=2)
    assert second.data["text"] == "新的题干"
    # Unchanged options keep their keys, so an open attempt still matches them.
    assert [o["key"] for o in second.data["options"]] == [
        o["key"] for o in first.data["options"]
    ]
    unchanged = QuestionVersion.objects.get(question__code="BULK-0004")
    assert unchanged.data == keys_before["BULK-0004"]
    change = next(c for c in summary.changes if c["key"] == "BULK-0002")
    assert change["fields"]["text"] == ["题干 2 案件比", "新的题干"]


def test_a_preview_plans_what_the_import_applies(reference_data):
    run_import(questions_import, table=table_of(HEADERS, _rows(6)))
    rows = _rows(6) + _rows(2, offset=6)
    rows[0][3], rows[1][1] = "改", "批量/预览新分类"
    table = table_of(HEADERS, rows)
    before = _stored()
    preview = run_import(questions_import, table=table, dry_run=True)
    assert _stored() == before
    assert not Category.objects.filter(path="批量/预览新分类").exists()
    applied = run_import(questions_import, table=table)
    assert preview.as_dict(changes=True) == {
        **applied.as_dict(changes=True),
        "dry_run": True,
    }
    assert (applied.created, applied.updated, applied.unchanged) == (2, 2, 4)


def test_question_import_queries_do_not_grow_with_rows(
    reference_data, django_assert_max_num_queries
):
    small = queries_of(questions_import, table_of(HEADERS, _rows(12)))
    with django_assert_max_num_queries(small):
        run_import(questions_import, table=table_of(HEADERS, _rows(200, offset=12)))
    changed = [[*row[:3], "新" + row[3], *row[4:]] for row in _rows(12)]
    small = queries_of(questions_import, table_of(HEADERS, changed))
    changed = [[*row[:3], "新" + row[3], *row[4:]] for row in _rows(200, offset=12)]
    with django_assert_max_num_queries(small):
        summary = run_import(questions_import, table=table_of(HEADERS, changed))
    assert summary.updated == 200
    assert QuestionVersion.objects.filter(data__text__startswith="新").count() == 212


def test_imported_questions_are_found_by_the_bank_search(
    reference_data, client, trainer
):
    rows = _rows(6)
    rows[3][0], rows[3][3] = "JYBC7", "诉前 羁押 必要性 审查"
    run_import(questions_import, table=table_of(HEADERS, rows))

    client.force_login(trainer)
    page = client.get("/admin/snippets/assessments/question/", {"q": "羁押"})
    assert "JYBC7" in page.content.decode()
    # The quiz editor's question chooser searches the search index.
    backend = get_search_backend()
    found = backend.autocomplete("JYBC", Question.objects.all())
    assert [q.code for q in found] == ["JYBC7"]
    found = backend.search("羁押", Question.objects.all())
    assert [q.code for q in found] == ["JYBC7"]


def test_gift_files_are_written_in_bulk_like_tables(reference_data):
    text = (
        "$CATEGORY: 批量/GIFT\n\n"
        "::G1::[html]<p>案件比</p>的理想值？{=1:1#对 ~2:1#错}\n\n"
        "::G2::认罪认罚从宽适用率{#=0.8:0.05 =%50%0.7:0.1}\n\n"
        "::G3::写出检察官的职责{=依法履职#好 =%50%履职}\n\n"
        "::G4::诉前羁押率越低越好{T#对#错}\n"
    )
    with transaction.atomic():
        _one_at_a_time(table=gift.parse(text))
        expected = _stored()
        transaction.set_rollback(True)
    summary = questions_import(table=gift.parse(text))

    assert summary.created == 4
    stored = _stored()
    assert stored == expected
    assert stored["G1"]["text_format"] == "html"
    assert stored["G2"]["answers"] and stored["G3"]["answers"]
    assert questions_import(table=gift.parse(text)).unchanged == 4


def test_a_changed_difficulty_is_stored_and_an_absent_column_keeps_it(reference_data):
    headers = [*HEADERS, "difficulty"]
    rows = [[*row, "3"] for row in _rows(2)]
    run_import(questions_import, table=table_of(headers, rows))
    assert set(Question.objects.values_list("difficulty", flat=True)) == {3}
    rows = [[*row[:-1], "1"] for row in rows]
    summary = run_import(questions_import, table=table_of(headers, rows))
    assert summary.updated == 2
    assert set(Question.objects.values_list("difficulty", flat=True)) == {1}
    summary = run_import(questions_import, table=table_of(HEADERS, _rows(2)))
    assert summary.updated == 0
    assert set(Question.objects.values_list("difficulty", flat=True)) == {1}


@pytest.mark.parametrize(
    "data",
    [
        {"text": "甲", "options": [{"text": "A", "fraction": 1, "key": "k1"}]},
        {"text": "乙", "options": [{"text": "A", "fraction": 1, "key": "k1"}]},
        {"text": "甲", "options": [{"text": "A", "fraction": 0.5, "key": "k1"}]},
        {"text": "甲", "options": [{"text": "A", "fraction": 1}]},
        {"text": "甲", "options": [{"text": "A", "fraction": 1, "x": 1, "key": "k"}]},
        {"text": "甲", "options": []},
        {"text": "甲"},
        {"text": "甲", "extra": 1, "options": [{"text": "A", "fraction": 1}]},
        {"options": [{"text": "A", "fraction": 1}]},
    ],
)
@pytest.mark.parametrize(
    "content",
    [
        {"text": "甲", "options": [{"text": "A", "fraction": 1}]},
        {"text": "甲", "options": []},
    ],
)
def test_a_stored_version_is_compared_without_its_option_keys(data, content):
    assert _same_content(data, content) == (_strip_keys(data) == content)
