"""The question editor: each type's fields, generated codes, checks per type, and the
bank list's filters by indicator and business line."""

from decimal import Decimal

import pytest

from assessments.models import Question
from assessments.services import category_ensure, question_code_next
from organisation.models import BusinessLine, Indicator
from tests.assessments.factories import make_question

pytestmark = pytest.mark.django_db

ADD = "/admin/snippets/assessments/question/add/"
LIST = "/admin/snippets/assessments/question/"


def form_data(category, **fields):
    data = {
        "code": "",
        "category": category.pk,
        "type": "single",
        "points": "1",
        "difficulty": "2",
        "text": "题干",
        "text_format": "plain",
        "option_order": "random",
        "multiple_grading": "all_or_nothing",
        "tolerance": "0",
        "answers": "[]",
        "tags": "[]",
        "active": "on",
        "options-TOTAL_FORMS": "0",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def with_options(data, options):
    data["options-TOTAL_FORMS"] = str(len(options))
    for i, (text, fraction) in enumerate(options):
        data[f"options-{i}-text"] = text
        data[f"options-{i}-fraction"] = str(fraction)
        data[f"options-{i}-feedback"] = ""
        data[f"options-{i}-ORDER"] = str(i + 1)
        data[f"options-{i}-id"] = ""
    return data


@pytest.fixture
def category(reference_data):
    return category_ensure(path="指标/案-件比")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(ADD)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_learners_cannot_open_the_editor(client, learner):
    client.force_login(learner)
    response = client.get(ADD)
    assert response.status_code in (302, 403)
    assert not Question.objects.exists()


def test_each_types_fields_sit_in_a_panel_named_for_the_type(client, trainer):
    client.force_login(trainer)
    html = client.get(ADD).content.decode()
    assert 'data-question-types="single multiple"' in html
    assert 'data-question-types="true_false"' in html
    assert 'data-question-types="numeric"' in html
    assert 'data-question-types="short"' in html
    assert 'data-question-types="essay"' in html
    assert "assessments/admin/question-editor.js" in html
    assert "data-filterable-checkboxes" in html
    # True/false is one choice of two, not a yes/no/unknown list.
    assert 'name="correct_bool" value="true"' in html
    assert 'name="correct_bool" value="false"' in html


def test_a_question_saved_without_a_code_is_numbered_in_its_types_series(
    client, trainer, category
):
    client.force_login(trainer)
    data = form_data(category, type="numeric", numeric_answer="1.31")
    response = client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post(ADD, form_data(category, type="numeric", numeric_answer="2"))
    codes = sorted(Question.objects.values_list("code", flat=True))
    assert codes == ["Q-SZ-00001", "Q-SZ-00002"]
    assert Question.objects.get(code="Q-SZ-00001").numeric_answer == Decimal("1.31")
    # The frozen version learners see was written too.
    assert Question.objects.get(code="Q-SZ-00001").versions.count() == 1


def test_a_code_given_by_the_trainer_is_kept(client, trainer, category):
    client.force_login(trainer)
    client.post(ADD, form_data(category, code="AJB-7", type="essay"))
    assert Question.objects.filter(code="AJB-7", type="essay").exists()


def test_generated_codes_skip_past_the_highest_of_the_series(category):
    make_question("Q-DX-00041")
    make_question("Q-DX-note")
    assert question_code_next(type="single") == "Q-DX-00042"
    assert question_code_next(type="true_false") == "Q-PD-00001"


def test_a_true_false_question_needs_its_answer_chosen(client, trainer, category):
    client.force_login(trainer)
    response = client.post(ADD, form_data(category, type="true_false"))
    assert response.status_code == 200
    assert not Question.objects.exists()
    client.post(ADD, form_data(category, type="true_false", correct_bool="false"))
    assert Question.objects.get().correct_bool is False


def test_a_numeric_question_needs_its_number(client, trainer, category):
    client.force_login(trainer)
    response = client.post(ADD, form_data(category, type="numeric"))
    assert response.status_code == 200
    assert not Question.objects.exists()


def test_a_short_answer_question_needs_an_accepted_answer(client, trainer, category):
    client.force_login(trainer)
    response = client.post(ADD, form_data(category, type="short"))
    assert response.status_code == 200
    client.post(ADD, form_data(category, type="short", accepted_answers="案件比"))
    assert Question.objects.get().accepted_answers == "案件比"


def test_a_choice_question_needs_a_correct_option(client, trainer, category):
    client.force_login(trainer)
    data = with_options(form_data(category), [("甲", 0), ("乙", 0)])
    assert client.post(ADD, data).status_code == 200
    assert not Question.objects.exists()
    data = with_options(form_data(category), [("甲", 1), ("乙", 0)])
    assert client.post(ADD, data).status_code == 302
    assert [o.text for o in Question.objects.get().options.all()] == ["甲", "乙"]


def test_a_choice_question_needs_two_options(client, trainer, category):
    client.force_login(trainer)
    data = with_options(form_data(category), [("甲", 1)])
    assert client.post(ADD, data).status_code == 200
    assert not Question.objects.exists()


def test_the_bank_filters_by_indicator_and_business_line(client, trainer, category):
    tagged = make_question("Q-TAG-1", text="带指标的题")
    make_question("Q-PLAIN-1", text="无标签的题")
    indicator = Indicator.objects.first()
    line = BusinessLine.objects.first()
    tagged.indicators.add(indicator)
    tagged.business_lines.add(line)
    tagged.save()
    client.force_login(trainer)
    html = client.get(LIST, {"indicators": indicator.pk}).content.decode()
    assert "Q-TAG-1" in html and "Q-PLAIN-1" not in html
    html = client.get(LIST, {"business_lines": line.pk}).content.decode()
    assert "Q-TAG-1" in html and "Q-PLAIN-1" not in html
