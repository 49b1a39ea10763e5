"""Importing GIFT and Aiken into the bank: identity of untitled questions,
conflicts, listed warnings, and marking of the answer kinds Moodle brings."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from assessments import grading
from assessments.formats import aiken
from assessments.models import Question
from assessments.services.questions import question_current_version
from organisation.tabular import ImportRejected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _import(tmp_path, text, fmt="gift", *extra, name="bank"):
    path = tmp_path / f"{name}.{fmt if fmt == 'gift' else 'txt'}"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "import_questions", str(path), "--format", fmt, "--json", *extra,
            stdout=out, stderr=err,
        )  # fmt: skip
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, json.loads(out.getvalue())


def test_same_stem_with_other_answers_or_type_stays_two_questions(
    reference_data, tmp_path
):
    _import(tmp_path, "$CATEGORY: 甲\n\n案件比的理想值是？{=1:1 ~2:1}\n", name="a")
    code, result = _import(
        tmp_path, "$CATEGORY: 甲\n\n案件比的理想值是？{=1:1 =一比一}\n", name="b"
    )
    assert code == 0 and result["created"] == 1
    types = sorted(Question.objects.values_list("type", flat=True))
    assert types == ["short", "single"]


def test_reimporting_an_untitled_question_finds_it_again(reference_data, tmp_path):
    text = "$CATEGORY: 甲\n\n无题？{=对 ~错}\n"
    _import(tmp_path, text)
    code, result = _import(tmp_path, text)
    assert (result["created"], result["unchanged"]) == (0, 1)


def test_aiken_question_exported_from_a_titled_question_matches_it_again(
    reference_data, tmp_path
):
    _import(tmp_path, "$CATEGORY: 甲\n\n::T-1::哪一个对？{=甲 ~乙}\n")
    aiken_text = "哪一个对？\nA. 甲\nB. 乙\nANSWER: A\n"
    code, result = _import(tmp_path, aiken_text, "aiken", "--category", "甲")
    assert code == 0 and (result["created"], result["unchanged"]) == (0, 1)


def test_an_import_that_changes_type_under_the_same_code_is_a_conflict(
    reference_data, tmp_path
):
    _import(tmp_path, "$CATEGORY: 甲\n\n::C-1::题目？{=甲 ~乙}\n")
    code, result = _import(tmp_path, "$CATEGORY: 甲\n\n::C-1::题目？{=甲 =乙}\n")
    assert code == 1
    (error,) = result["errors"]
    assert "conflict" in error["message"] and "C-1" in error["message"]
    assert Question.objects.get(code="C-1").type == "single"


def test_an_import_that_changes_answers_under_the_same_code_is_a_conflict(
    reference_data, tmp_path
):
    _import(tmp_path, "$CATEGORY: 甲\n\n::C-2::题目？{=甲 ~乙}\n")
    code, result = _import(tmp_path, "$CATEGORY: 甲\n\n::C-2::题目？{~甲 =乙}\n")
    assert code == 1 and "conflict" in result["errors"][0]["message"]
    right = Question.objects.get(code="C-2").options.get(fraction=1)
    assert right.text == "甲"


def test_a_new_wording_of_the_same_question_is_applied(reference_data, tmp_path):
    _import(tmp_path, "$CATEGORY: 甲\n\n::C-3::题目？{=甲 ~乙}\n")
    code, result = _import(
        tmp_path, "$CATEGORY: 甲\n\n::C-3::题目（修订）？{=甲 ~乙}\n"
    )
    assert code == 0 and result["updated"] == 1


def test_warnings_are_listed_in_the_import_summary(reference_data, tmp_path):
    code, result = _import(
        tmp_path, "$CATEGORY: 甲\n\n::H-1::[html]<p>题目<script>x()</script></p>{T}\n"
    )
    assert code == 0
    assert result["warnings"] == [
        {"line": 3, "code": "H-1", "message": result["warnings"][0]["message"]}
    ]
    assert "removed" in result["warnings"][0]["message"]
    question = Question.objects.get(code="H-1")
    assert (question.text, question.text_format) == ("<p>题目</p>", "html")


def test_tags_idnumber_and_feedback_are_stored(reference_data, tmp_path):
    _import(
        tmp_path,
        "$CATEGORY: 甲\n\n// [id:X-9] [tag:案件比]\n::TF-1::案-件比以案为分子。{T#错了#对了}\n",
    )
    question = Question.objects.get(code="TF-1")
    assert (question.idnumber, question.tags) == ("X-9", ["案件比"])
    assert question.answers == [
        {"value": True, "feedback": "对了"},
        {"value": False, "feedback": "错了"},
    ]


def _data(tmp_path, text):
    _import(tmp_path, "$CATEGORY: 甲\n\n" + text)
    return question_current_version(question=Question.objects.get()).data


def test_partial_credit_short_answers_are_marked_per_answer(reference_data, tmp_path):
    data = _data(
        tmp_path,
        "::S-1::该指标的规范名称？{=案-件比 =%75%案件比#少了连字符 =%0%*#再想想}\n",
    )
    assert grading.fraction_for(data, {"text": "案-件比"}) == 1
    assert grading.fraction_for(data, {"text": " 案件比 "}) == Decimal("0.75")
    assert grading.fraction_for(data, {"text": "别处"}) == 0
    assert grading.answer_feedback(data, {"text": "别处"}) == "再想想"
    assert grading.answer_feedback(data, {"text": "案件比"}) == "少了连字符"
    assert grading.right_answer_text(data) == "案-件比"


def test_short_answer_wildcards_match_as_in_moodle(reference_data, tmp_path):
    data = _data(tmp_path, "::S-2::某某检察院？{=*检察院}\n")
    assert grading.fraction_for(data, {"text": "杭州市人民检察院"}) == 1
    assert grading.fraction_for(data, {"text": "法院"}) == 0


def test_several_numeric_answers_are_marked_with_partial_credit(
    reference_data, tmp_path
):
    data = _data(tmp_path, "::N-1::哪一年？{#=1979:0#对 =%50%1979:2#接近 ~#差得远}\n")
    assert grading.fraction_for(data, {"text": "1979"}) == 1
    assert grading.fraction_for(data, {"text": "1980"}) == Decimal("0.5")
    assert grading.fraction_for(data, {"text": "1900"}) == 0
    assert grading.answer_feedback(data, {"text": "1900"}) == "差得远"
    assert grading.answer_feedback(data, {"text": "1981"}) == "接近"


def test_true_false_feedback_follows_the_learners_choice(reference_data, tmp_path):
    data = _data(tmp_path, "::TF-2::案-件比以案为分子。{T#错了#对了}\n")
    assert grading.answer_feedback(data, {"value": True}) == "对了"
    assert grading.answer_feedback(data, {"value": False}) == "错了"


def test_plain_questions_keep_their_versions_unchanged(reference_data, tmp_path):
    data = _data(tmp_path, "::P-1::题目 {=甲 ~乙}\n")
    assert "text_format" not in data and "answers" not in data


# Aiken, as Moodle's Aiken importer reads it -------------------------------------


def test_aiken_reads_both_option_styles():
    records = aiken.parse(
        "哪一项正确？\nA) 甲\nB) 乙\nANSWER: B\n\n另一题？\nA. 丙\nB. 丁\nANSWER: A\n",
        default_category="甲",
    )
    assert [[o["fraction"] for o in r.options] for r in records] == [[0, 1], [1, 0]]


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("题目？\nA. 甲\nB. 乙\n", 3),  # no ANSWER line
        ("题目？\nA. 甲\nB. 乙\nANSWER: C\n", 4),  # ANSWER names no option
        ("题目？\nA. 甲\nANSWER: A\n", 1),  # one option only
        ("题目？\nA. 甲\nC. 乙\nANSWER: A\n", 3),  # letters out of order
    ],
)
def test_aiken_mistakes_are_refused_with_the_line(text, row):
    with pytest.raises(ImportRejected) as caught:
        aiken.parse(text, default_category="甲")
    assert [e.row for e in caught.value.errors] == [row]


def test_aiken_over_the_question_cap_is_refused(settings):
    settings.QUESTION_IMPORT_MAX_QUESTIONS = 2
    text = "".join(f"题{i}？\nA. 甲\nB. 乙\nANSWER: A\n\n" for i in range(3))
    with pytest.raises(ImportRejected) as caught:
        aiken.parse(text, default_category="甲")
    assert "split" in caught.value.errors[0].message


def test_aiken_same_stem_with_other_options_is_two_questions():
    records = aiken.parse(
        "题目？\nA. 甲\nB. 乙\nANSWER: A\n\n题目？\nA. 丙\nB. 丁\nANSWER: A\n",
        default_category="甲",
    )
    assert len({r.code for r in records}) == 2


def test_the_command_prints_each_warning_with_its_line(reference_data, tmp_path):
    path = tmp_path / "w.gift"
    path.write_text("$CATEGORY: 甲\n\n::W-2::[html]<p>题<script>x()</script></p>{T}\n")
    out = StringIO()
    call_command("import_questions", str(path), "--format", "gift", stdout=out)
    assert "Warning, line 3: markup that is not allowed" in out.getvalue()


def test_the_question_editor_shows_the_format_and_the_imported_answers(
    client, reference_data, django_user_model
):
    from tests.assessments.factories import make_question

    admin = django_user_model.objects.create_superuser("adm", "adm@example.org", "x")
    question = make_question("ADM-1", type="short", accepted_answers="甲")
    client.force_login(admin)
    page = client.get(f"/admin/snippets/assessments/question/edit/{question.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="answers"' in html and 'name="text_format"' in html


def test_answers_and_their_feedback_stay_off_the_page_until_submission(
    client, learner, reference_data, tmp_path
):
    from django.urls import reverse

    from assessments import services
    from tests.assessments.factories import make_quiz

    _import(
        tmp_path,
        "$CATEGORY: 甲\n\n::S-9::[html]<p>规范名称？</p>"
        "{=规范答案甲#满分反馈 =%50%半对答案乙#半分反馈 =%0%*#兜底反馈}\n"
        "\n::N-9::哪一年？{#=1979:0#数值满分反馈 ~#数值兜底反馈}\n",
    )
    # One attempt: its feedback may be shown once it is submitted.
    quiz = make_quiz(
        "hidden",
        [Question.objects.get(code="S-9"), Question.objects.get(code="N-9")],
        attempts_allowed=1,
    )
    attempt = services.attempt_start(user=learner, quiz=quiz)
    client.force_login(learner)
    for position in (1, 2):
        page = client.get(
            reverse("assessments:attempt", args=[attempt.pk]) + f"?q={position}"
        ).content.decode()
        for secret in ("规范答案甲", "半对答案乙", "满分反馈", "兜底反馈", "1979"):
            assert secret not in page
    services.attempt_save(
        attempt_id=attempt.pk, user=learner, seq=0, answers={1: {"text": "半对答案乙"}}
    )
    services.attempt_submit(attempt_id=attempt.pk, user=learner)
    result = client.get(reverse("assessments:result", args=[attempt.pk]))
    assert "半分反馈" in result.content.decode()
