"""The bank in a browser: search, and the editor that shows one type's fields."""

import pytest
from playwright.sync_api import expect

from assessments.models import Question
from assessments.services import category_ensure
from tests.assessments.factories import make_question
from tests.e2e.conftest import screenshot
from tests.e2e.test_admin_chinese import admin_sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bank(reference_data, tree):
    from django.contrib.auth.models import Group, Permission

    from organisation.services import indicators_load_shipped

    indicators_load_shipped()
    Group.objects.get(name="Trainers").permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments",
            content_type__model__in=["question", "category", "quiz"],
        )
    )
    category_ensure(path="指标/案-件比")
    make_question("Q-E2E-1", text="“案-件比”中的“件”指什么？")
    make_question("Q-E2E-2", text="认罪认罚从宽制度适用于哪些案件？")


def panel(page, types):
    return page.locator(f'[data-question-types="{types}"]')


def test_the_bank_finds_a_term_typed_without_its_joiner(page, trainer, bank):
    admin_sign_in(page, "TR001", "pass12345")
    page.goto(page.base_url + "/admin/snippets/assessments/question/?q=案件比")
    expect(page.locator("#listing-results")).to_contain_text("Q-E2E-1")
    expect(page.locator("#listing-results")).not_to_contain_text("Q-E2E-2")
    screenshot(page, "admin-bank-search")
    page.goto("about:blank")


def test_switching_type_changes_the_fields_and_a_numeric_question_saves(
    page, trainer, bank
):
    admin_sign_in(page, "TR001", "pass12345")
    page.goto(page.base_url + "/admin/snippets/assessments/question/add/")
    choice = panel(page, "single multiple")
    expect(choice).to_be_visible()
    expect(panel(page, "numeric")).to_be_hidden()
    expect(panel(page, "true_false")).to_be_hidden()
    # Indicators are ticked from a list the trainer narrows by typing.
    indicators = page.locator("[data-filterable-checkboxes]").first
    indicators.locator("[data-filter-input]").fill("案-件比")
    visible = indicators.locator("label:visible")
    expect(visible.first).to_be_visible()
    assert visible.count() < indicators.locator("label").count()
    visible.first.click()
    expect(indicators.locator("[data-selected-count]")).to_have_text("已选 1 项")
    screenshot(page, "admin-question-editor-single")

    page.select_option("select[name=type]", "true_false")
    expect(panel(page, "true_false")).to_be_visible()
    expect(choice).to_be_hidden()
    expect(page.get_by_label("正确", exact=True)).to_be_visible()

    page.select_option("select[name=type]", "numeric")
    expect(panel(page, "numeric")).to_be_visible()
    expect(panel(page, "true_false")).to_be_hidden()
    page.select_option("select[name=category]", label="指标/案-件比")
    page.fill("textarea[name=text]", "某院案为800、件为1050，案-件比为1:x，x约为多少？")
    page.fill("input[name=numeric_answer]", "1.31")
    page.fill("input[name=tolerance]", "0.01")
    screenshot(page, "admin-question-editor-numeric")
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_be_visible()
    screenshot(page, "admin-question-editor-saved")
    question = Question.objects.get(type="numeric")
    assert question.code == "Q-SZ-00001"
    assert str(question.numeric_answer).startswith("1.31")
    assert question.indicators.count() == 1
    page.goto("about:blank")


def test_option_scores_are_explained_in_words(page, trainer, bank):
    admin_sign_in(page, "TR001", "pass12345")
    question = Question.objects.get(code="Q-E2E-1")
    page.goto(
        page.base_url + f"/admin/snippets/assessments/question/edit/{question.pk}/"
    )
    words = page.locator(".option-score__words")
    expect(words.first).to_have_text("正确：选中得全部分值")
    score = page.locator("[data-option-fraction] input").nth(1)
    score.fill("0.5")
    expect(words.nth(1)).to_have_text("部分得分：选中得 50% 的分值")
    screenshot(page, "admin-question-editor-scores")
    page.goto("about:blank")
