"""Moodle's GIFT importer, case by case.

Each case follows a construct of Moodle's GIFT format documentation and what its
importer's tests expect of it, written with our own data. Every case ends one of
three ways: imported exactly, refused with a message naming the line, or imported
with a listed warning.
"""

import time
from decimal import Decimal

import pytest
from django.utils import translation

from assessments.formats import gift
from organisation.tabular import ImportRejected

CAT = "$CATEGORY: 题库/测试\n\n"


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in the source language; zh_Hans has its own test.
    with translation.override("en"):
        yield


def one(text: str):
    records = gift.parse(CAT + text)
    assert len(records) == 1
    return records[0]


def refused(text: str) -> list:
    with pytest.raises(ImportRejected) as caught:
        gift.parse(CAT + text)
    return caught.value.errors


def fractions(rec):
    return [o["fraction"] for o in rec.options]


# Multiple choice ---------------------------------------------------------------


def test_single_choice_with_feedback_on_every_option():
    rec = one(
        "::MC1::四大检察中负责审查逮捕的是？{=刑事检察#对，属刑事检察 ~民事检察#不对 ~行政检察#不对}"
    )
    assert (rec.code, rec.type, rec.text) == (
        "MC1",
        "single",
        "四大检察中负责审查逮捕的是？",
    )
    assert [o["text"] for o in rec.options] == ["刑事检察", "民事检察", "行政检察"]
    assert fractions(rec) == [1, 0, 0]
    assert [o["feedback"] for o in rec.options] == ["对，属刑事检察", "不对", "不对"]
    assert rec.warnings == []


def test_options_on_their_own_lines_with_partial_weights():
    rec = one(
        "::MC2::哪一级检察院负责该类案件？{\n"
        "  ~最高检#层级过高。\n"
        "  ~%25%省院#接近，但仍偏高。\n"
        "  ~%50%市院#请更具体。\n"
        "  =基层院#对！\n"
        "}"
    )
    assert rec.type == "single"
    assert fractions(rec) == [0, Decimal("0.25"), Decimal("0.5"), 1]


def test_several_right_answers_make_a_multiple_choice_with_partial_credit():
    rec = one("::MC3::哪些会增加“件”？{~%50%退查 ~%50%延期 ~%-100%首次受理}")
    assert rec.type == "multiple" and rec.multiple_grading == "partial"
    assert fractions(rec) == [Decimal("0.5"), Decimal("0.5"), -1]


def test_missing_word_question_keeps_the_text_after_the_answers():
    rec = one("::MW::审查起诉期限一般为{~十日 =一个月 ~三个月}，重大复杂可延长。")
    assert rec.type == "single"
    assert rec.text.startswith("审查起诉期限一般为 ___ ")
    assert rec.text.endswith("重大复杂可延长。")


def test_an_arrow_inside_a_multiple_choice_option_is_not_matching():
    rec = one("::ARROW::正确的流程是？{=申请 -> 批准 ~批准 -> 申请}")
    assert rec.type == "single"
    assert [o["text"] for o in rec.options] == ["申请 -> 批准", "批准 -> 申请"]


def test_an_untitled_question_gets_a_code_from_its_content():
    rec = one("没有标题的题目？{=对 ~错}")
    assert rec.code.startswith("GIFT-") and rec.derived_code


def test_weights_outside_100_percent_are_refused():
    (error,) = refused("::W::题目 {~%150%甲 =乙}")
    assert error.row == 3 and "100%" in error.message


def test_no_right_option_is_refused():
    (error,) = refused("::NR::题目 {~甲 ~乙}")
    assert "correct" in error.message


# True/false -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)],
)
def test_true_false_words(block, expected):
    rec = one(f"::TF::2024年10月起不再排名通报。{block}")
    assert rec.type == "true_false" and rec.correct_bool is expected
    assert rec.answers == []


def test_true_false_feedback_first_for_a_wrong_answer_then_for_a_right_one():
    rec = one("::TF2::不捕率越低越好。{FALSE#答错了：不捕率是区间指标。#答对了。}")
    assert rec.correct_bool is False
    by_value = {a["value"]: a["feedback"] for a in rec.answers}
    assert by_value == {False: "答对了。", True: "答错了：不捕率是区间指标。"}


# Short answer ---------------------------------------------------------------------


def test_short_answer_with_several_accepted_answers():
    rec = one("::SA1::案件比的理想值？{=1:1 =1：1}")
    assert rec.type == "short" and rec.accepted == ["1:1", "1：1"]


def test_short_answer_with_partial_credit_and_feedback_per_answer():
    rec = one(
        "::SA2::该指标的规范名称？{=案-件比#对！ =%75%案件比#对，但少了连字符。 =%25%件案比#顺序反了。}"
    )
    assert [(a["text"], a["fraction"], a["feedback"]) for a in rec.answers] == [
        ("案-件比", 1, "对！"),
        ("案件比", Decimal("0.75"), "对，但少了连字符。"),
        ("件案比", Decimal("0.25"), "顺序反了。"),
    ]
    assert rec.accepted == ["案-件比"]


def test_short_answer_catch_all_feedback_is_kept():
    rec = one("::SA3::案件比的理想值？{=1 =一 =%0%*#再想想：一案一件。}")
    assert rec.answers[-1] == {
        "text": "*",
        "fraction": 0,
        "feedback": "再想想：一案一件。",
    }


def test_short_answer_with_a_negative_weight_is_refused():
    (error,) = refused("::SA4::题目 {=甲 =%-50%乙}")
    assert "negative" in error.message


# Numeric --------------------------------------------------------------------------


def test_numeric_with_tolerance():
    rec = one("::N1::1 到 5 之间的数？{#3:2}")
    assert (rec.type, rec.numeric_answer, rec.tolerance) == ("numeric", 3, 2)


def test_numeric_range_is_the_middle_and_half_the_width():
    rec = one("::N2::1 到 5 之间的数？{#1..5}")
    assert (rec.numeric_answer, rec.tolerance) == (3, 2)


def test_numeric_with_a_wrong_answer_branch_keeps_its_feedback():
    rec = one("::N3::1 到 5 之间的数？{#3:2~#完全错了}")
    assert rec.numeric_answer == 3 and rec.tolerance == 2
    assert rec.answers == [
        {"value": "3", "tolerance": "2", "fraction": 1, "feedback": ""},
        {"value": "*", "tolerance": "0", "fraction": 0, "feedback": "完全错了"},
    ]


def test_several_numeric_answers_with_partial_credit():
    rec = one(
        "::N4::《刑事诉讼法》哪一年首次颁布？{#\n"
        "  =1979:0 #对！满分。\n"
        "  =%50%1979:2 #颁布于1979年，接近给一半。\n"
        "}"
    )
    assert [(a["value"], a["tolerance"], a["fraction"]) for a in rec.answers] == [
        ("1979", "0", 1),
        ("1979", "2", Decimal("0.5")),
    ]
    assert rec.answers[1]["feedback"] == "颁布于1979年，接近给一半。"


@pytest.mark.parametrize("value", ["abc", "1e999999999", "1..", "5..1"])
def test_malformed_or_overflowing_numbers_are_refused_with_the_line(value):
    (error,) = refused("::NX::数？{#" + value + "}")
    assert error.row == 3


# Essay, general feedback, categories, comments ------------------------------------


def test_essay_with_general_feedback():
    rec = one("::E1::谈谈如何减少退回补充侦查。{####可从证据标准入手。}")
    assert rec.type == "essay" and rec.explanation == "可从证据标准入手。"


def test_category_path_drops_moodles_context_prefixes():
    records = gift.parse(
        "$CATEGORY: $course$/top/默认/指标\n\n::C1::题{T}\n\n"
        "$CATEGORY: $system$/另一类\n\n::C2::题{F}\n"
    )
    assert [r.category for r in records] == ["默认/指标", "另一类"]


def test_comments_are_ignored_and_id_and_tags_are_read():
    rec = one(
        "// 这是注释\n// [id:Q-0042] [tag:案件比] [tag:质效]\n::T1::题目 {T}\n// 尾注"
    )
    assert (rec.idnumber, rec.tags) == ("Q-0042", ["案件比", "质效"])
    assert rec.text == "题目"


def test_escapes_in_text_options_and_feedback():
    rec = one(
        "::ESC::a\\=b、c\\~d、e\\#f、g\\{h\\}、1\\:1\\n第二行{=正确\\: 1\\:1#反馈\\#1 ~错}"
    )
    assert rec.text == "a=b、c~d、e#f、g{h}、1:1\n第二行"
    assert rec.options[0]["text"] == "正确: 1:1"
    assert rec.options[0]["feedback"] == "反馈#1"


def test_an_escaped_colon_may_end_a_title():
    rec = one("::代码\\:::题目 {T}")
    assert rec.code == "代码:"


# Text formats ---------------------------------------------------------------------


def test_format_markers_are_stripped_from_options_and_feedback():
    rec = one("::F1::[plain]天空是什么颜色？{=[plain]蓝色#[plain]对 ~[plain]绿色}")
    assert rec.text_format == "plain"
    assert [o["text"] for o in rec.options] == ["蓝色", "绿色"]
    assert rec.options[0]["feedback"] == "对"
    assert rec.warnings == []


def test_html_text_is_kept_as_html_and_options_take_its_format():
    rec = one("::F2::[html]<p>下列<b>正确</b>的是？</p>{=<i>甲</i> ~乙}")
    assert rec.text_format == "html"
    assert rec.text == "<p>下列<b>正确</b>的是？</p>"
    assert rec.options[0]["text"] == "<i>甲</i>"
    assert rec.warnings == []


def test_unsafe_html_is_removed_with_a_warning():
    rec = one('::F3::[html]<p onclick="x()">题目<script>alert(1)</script></p>{T}')
    assert rec.text == "<p>题目</p>"
    assert len(rec.warnings) == 1 and "removed" in rec.warnings[0]


def test_markdown_is_kept_as_written_and_marked_as_markdown():
    rec = one("::F4::[markdown]**加粗**的题目\\n\\n- 一\\n- 二{T}")
    assert rec.text_format == "markdown"
    assert rec.text == "**加粗**的题目\n\n- 一\n- 二"


def test_parts_in_different_formats_become_html_with_a_warning():
    rec = one("::F5::[html]<b>题目</b>{=[plain]a < b ~[markdown]**c**}")
    assert rec.text_format == "html"
    assert rec.options[0]["text"] == "a &lt; b"
    assert rec.options[1]["text"] == "<p><strong>c</strong></p>"
    assert any("HTML" in w for w in rec.warnings)


def test_unmarked_text_with_html_tags_is_read_as_moodle_shows_it_with_a_warning():
    rec = one("::F6::下列<b>正确</b>的是？{T}")
    assert rec.text_format == "html" and rec.warnings


# Refused: what the platform does not have ----------------------------------------


def test_matching_is_refused_with_its_line():
    (error,) = refused("::M::配对 {=不捕率 -> 区间 =案-件比 -> 越低越好}")
    assert error.row == 3 and "matching" in error.message


def test_cloze_is_refused_with_its_line():
    (error,) = refused("::CL::{1:MULTICHOICE:=甲~乙} 是对的")
    assert error.row == 3 and "cloze" in error.message


def test_several_answer_blocks_are_refused():
    (error,) = refused("::CL2::案-件比由{=案 =案件}与{=件 =件数}构成。")
    assert "cloze" in error.message


def test_a_description_without_answers_is_refused_with_its_line():
    errors = refused("::D::考试期间请关闭手机。\n\n::OK::题目{T}")
    assert [e.row for e in errors] == [3]
    assert "description" in errors[0].message


def test_every_bad_question_is_listed_with_its_line():
    errors = refused("::A::{#abc}\n\n::B::好题{T}\n\n::C::配对 {=a -> 1 =b -> 2}")
    assert [e.row for e in errors] == [3, 7]


# Size and time ----------------------------------------------------------------------


def test_a_file_over_the_question_cap_is_refused_with_a_clear_message(settings):
    settings.QUESTION_IMPORT_MAX_QUESTIONS = 3
    text = "".join(f"::Q{i}::题目{i}{{T}}\n\n" for i in range(4))
    (error,) = refused(text)
    assert "3" in error.message and "split" in error.message


def test_parsing_time_grows_linearly_with_the_file(settings):
    settings.QUESTION_IMPORT_MAX_QUESTIONS = 100_000

    def parse_time(n):
        text = "".join(
            f"::Q{i}::题目\\{{{i}\\}}{{=甲#好 ~%50%乙 ~丙}}\n\n" for i in range(n)
        )
        best = None
        # The best of three runs: the machine's other work only ever adds time.
        for _ in range(3):
            started = time.perf_counter()
            assert len(gift.parse(CAT + text)) == n
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        return best

    small, large = parse_time(1000), parse_time(8000)
    # Eight times the questions: linear is about 8x; quadratic would be 64x.
    assert large < small * 8 * 4


def test_one_huge_question_parses_in_linear_time():
    text = "::BIG::" + "\\{" * 200_000 + "{=甲 ~乙}"
    started = time.perf_counter()
    rec = one(text)
    assert time.perf_counter() - started < 5
    assert rec.text == "{" * 200_000


# Each construct of Moodle's format documentation, in one file of our own ---------

DOC_EXAMPLES = """// 判断题
::Q1:: 案-件比中的“案”指案件数 {T}

// 单选，对错选项各有反馈
::Q2:: 四大检察中负责审查逮捕的是？
{ =刑事检察 # 对，批捕属刑事检察 ~民事检察 # 不对，应是刑事检察 ~行政检察 # 不对，应是刑事检察 }

// 填空（答案在句中）
::Q3:: 审查起诉一般期限为 {=一个月 =1个月} 可延长半个月。

// 配对
::Q4:: 将指标与方向配对 { =不捕率 -> 区间 =案-件比 -> 越低越好 }

// 数值：答案与误差
::Q5:: 1 到 5 之间的一个数？ {#3:2}

// 数值：区间两端
::Q6:: 1 到 5 之间的一个数？ {#1..5}

// 数值：多个答案，部分得分与反馈
::Q7:: 《刑事诉讼法》哪一年首次颁布？ {#
         =1979:0      # 对，满分。
         =%50%1979:2  # 接近，得一半分。
}

// 简答（论述）
::Q8:: 谈谈对“一个都不能少”的理解。 {}

::Q9:: 圆周率（保留三位小数）是多少？ {#3.141..3.142}。

::Q10:: 案件比的理想值？{=1:1 =一比一####案件比越接近 1:1 越好。}
"""


def test_every_construct_of_the_documentation_is_imported_or_refused():
    with pytest.raises(ImportRejected) as caught:
        gift.parse(DOC_EXAMPLES, default_category="文档")
    (error,) = caught.value.errors
    assert error.row == 12 and "matching" in error.message
    # Without the matching question, everything imports as Moodle reads it.
    text = DOC_EXAMPLES.replace(
        "::Q4:: 将指标与方向配对 { =不捕率 -> 区间 =案-件比 -> 越低越好 }", ""
    )
    records = {r.code: r for r in gift.parse(text, default_category="文档")}
    assert [records[c].type for c in ("Q1", "Q2", "Q3", "Q5", "Q6", "Q7", "Q8")] == [
        "true_false", "single", "short", "numeric", "numeric", "numeric", "essay",
    ]  # fmt: skip
    assert records["Q2"].options[1] == {
        "text": "民事检察",
        "fraction": 0,
        "feedback": "不对，应是刑事检察",
    }
    assert records["Q3"].text == "审查起诉一般期限为 ___ 可延长半个月。"
    assert records["Q3"].accepted == ["一个月", "1个月"]
    assert [a["feedback"] for a in records["Q7"].answers] == [
        "对，满分。",
        "接近，得一半分。",
    ]
    assert (records["Q9"].numeric_answer, records["Q9"].tolerance) == (
        Decimal("3.1415"),
        Decimal("0.0005"),
    )
    assert records["Q10"].explanation == "案件比越接近 1:1 越好。"
    assert all(not r.warnings for r in records.values())


@pytest.mark.parametrize(
    "text",
    [
        "::P1::" + "<b " * 60_000 + "{T}",
        "// " + "[tag:" * 60_000 + "\n::P2::题目{T}",
        "::P3::" + "=" * 3 + "题目{" + "~甲" * 30_000 + " =乙}",
    ],
)
def test_hostile_texts_parse_in_linear_time(text):
    started = time.perf_counter()
    try:
        gift.parse(CAT + text)
    except ImportRejected:
        pass
    assert time.perf_counter() - started < 5
