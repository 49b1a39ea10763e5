"""Exports that re-import to the same bank with no change: every construct the
GIFT reader supports, the texts that look like GIFT syntax, and Aiken's subset."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.formats import aiken, gift
from assessments.models import Category, Question
from assessments.services.questions import category_ensure, question_upsert
from assessments.services.transfer import question_records, questions_import

pytestmark = pytest.mark.django_db

MOODLE = r"""$CATEGORY: $course$/top/往返/构造

// [id:ID-1] [tag:案件比] [tag:质效\]]
::RT-MC::[html]<p>下列<b>正确</b>的是？</p>{
	=<i>甲</i>#对
	~%-50%乙#扣分
	~%25%丙
	####<p>见<a href="https://example.org/">说明</a></p>
}

::RT-MULTI::哪些会增加“件”？{~%50%退查 ~%50%延期 ~%-100%首次受理}

::RT-TF::[markdown]**案-件比**以案为分子。{T#答错了#答对了####看看天空}

::RT-TF2::不捕率越低越好。{FALSE#不对}

::RT-SA::该指标的规范名称？{=案-件比#对 =%75%案件比#少了连字符 =%0%*#再想想}

::RT-SA2::案件比的理想值？{=1:1 =1：1}

::RT-N1::1 到 5 之间的数？{#3:2~#完全错了}

::RT-N2::哪一年？{#=1979:0#对 =%50%1979:2#接近}

::RT-N3::范围 {#1.30..1.32####取中间值}

::RT-E::谈谈如何减少退回补充侦查。{####可从证据标准入手。}

::RT-ARROW::正确的流程是？{=申请 -> 批准 ~批准 -> 申请}

::RT-MISS::审查起诉期限一般为{~十日 =一个月 ~三个月}，可延长。
"""

EDGE_TEXTS = [
    "%10% 开头的题目",
    "[注] 方括号开头",
    "[html] 看似格式标记",
    "比例为 1:1.31，流程 A -> B，集合 {甲, 乙}",
    "反斜杠 \\ 与 #、=、~ 都在文字里",
    "第一行\n第二行",
]


def _edge_bank():
    category = category_ensure(path="往返/边界")
    for index, text in enumerate(EDGE_TEXTS):
        question_upsert(
            code=f"EDGE-{index}",
            fields={"category": category, "type": "single", "text": text},
            options=[
                {"text": text, "fraction": 1, "feedback": text},
                {"text": "%10%选项", "fraction": 0, "feedback": ""},
                {"text": "[plain]选项", "fraction": Decimal("0.5"), "feedback": ""},
            ],
        )
    question_upsert(
        code="EDGE-SHORT",
        fields={
            "category": category,
            "type": "short",
            "text": "[填空] 写出比例：",
            "accepted_answers": "%10%\n[a]\na -> b\n{x}:y",
        },
        options=[],
    )
    question_upsert(
        code="代码以冒号结尾:",
        fields={"category": category, "type": "true_false", "text": "题目", "correct_bool": True},
        options=[],
    )  # fmt: skip


def _snapshot(q):
    return (
        q.category.path,
        q.type,
        q.text,
        q.text_format,
        q.points,
        q.explanation,
        q.correct_bool,
        q.numeric_answer,
        q.tolerance,
        q.accepted_answers,
        q.answers,
        q.idnumber,
        q.tags,
        q.multiple_grading,
        q.option_order,
        q.difficulty,
        [(o.text, o.fraction, o.feedback) for o in q.options.all()],
    )


def _bank():
    return {q.code: _snapshot(q) for q in Question.objects.order_by("code")}


def _import(path, fmt, *extra):
    out = StringIO()
    call_command(
        "import_questions", str(path), "--format", fmt, "--json", *extra, stdout=out
    )
    return json.loads(out.getvalue())


def test_every_gift_construct_and_edge_text_survives_export_and_reimport(
    reference_data, tmp_path
):
    questions_import(table=gift.parse(MOODLE))
    _edge_bank()
    before = _bank()
    assert len(before) == 12 + len(EDGE_TEXTS) + 2
    target = tmp_path / "bank.gift"
    call_command("export_questions", "--format", "gift", "--output", str(target))

    # Onto the same bank: nothing changes.
    assert _import(target, "gift")["unchanged"] == len(before)
    # Into an empty bank: the same questions.
    Question.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    result = _import(target, "gift")
    assert result["created"] == len(before) and "warnings" not in result
    assert _bank() == before


def test_exported_gift_parses_to_the_same_records(reference_data):
    questions_import(table=gift.parse(MOODLE))
    _edge_bank()
    records = question_records()
    again = gift.parse(gift.write(records))
    for original, parsed in zip(records, again, strict=True):
        assert (parsed.code, parsed.type, parsed.text, parsed.text_format) == (
            original.code,
            original.type,
            original.text,
            original.text_format,
        )


def test_aiken_export_holds_the_plain_single_choice_questions_and_names_the_rest(
    reference_data, tmp_path
):
    category = category_ensure(path="往返/Aiken")
    for index, (text, right) in enumerate(
        [("哪一项是核心指标？", 0), ("比例 1:1.31 的含义？\n（选一项）", 1)]
    ):
        question_upsert(
            code=f"AK-{index}",
            fields={"category": category, "type": "single", "text": text},
            options=[
                {"text": t, "fraction": 1 if i == right else 0, "feedback": ""}
                for i, t in enumerate(["案-件比", "%10% 不捕率", "[注] 诉前羁押率"])
            ],
        )
    question_upsert(
        code="AK-TF",
        fields={"category": category, "type": "true_false", "text": "对吗", "correct_bool": True},
        options=[],
    )  # fmt: skip
    before = _bank()
    target = tmp_path / "bank.txt"
    err = StringIO()
    call_command(
        "export_questions", "--format", "aiken", "--category", "往返/Aiken",
        "--output", str(target), stderr=err,
    )  # fmt: skip
    assert "AK-TF" in err.getvalue()
    records = aiken.parse(
        target.read_text(encoding="utf-8"), default_category="往返/Aiken"
    )
    assert [r.text for r in records] == [
        "哪一项是核心指标？",
        "比例 1:1.31 的含义？\n（选一项）",
    ]

    # Onto the same bank: the same questions, unchanged.
    result = _import(target, "aiken", "--category", "往返/Aiken")
    assert (result["created"], result["unchanged"]) == (0, 2)
    assert _bank() == before


def test_aiken_export_needs_a_category_and_names_sub_category_questions(
    reference_data, tmp_path
):
    from django.core.management.base import CommandError

    for path, code in (("往返/A", "A-1"), ("往返/A/子", "A-2")):
        question_upsert(
            code=code,
            fields={"category": category_ensure(path=path), "type": "single", "text": code},
            options=[{"text": "甲", "fraction": 1}, {"text": "乙", "fraction": 0}],
        )  # fmt: skip
    with pytest.raises(CommandError):
        call_command("export_questions", "--format", "aiken")
    err, out = StringIO(), StringIO()
    call_command(
        "export_questions", "--format", "aiken", "--category", "往返/A",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert out.getvalue().startswith("A-1\n") and "A-2" not in out.getvalue()
    assert "A-2" in err.getvalue()
