"""每日一练 on a phone: do the day's practice, get one wrong, find it in 错题本, and
meet it again on a later day (the pages' clock moved one day on)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Category
from practice import views
from practice.models import PracticeSource
from tests.assessments.factories import make_question
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_csp import refusals
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)
STEMS = [
    "“案-件比”中的“件”指什么？",
    "审查逮捕期限一般为几日？",
    "认罪认罚从宽制度适用于哪些案件？",
    "羁押必要性审查由哪个部门负责？",
    "不起诉决定应当向谁宣布？",
    "检察建议的制发主体是谁？",
]


def answer(page, *, right: bool) -> str:
    form = page.locator("#current")
    stem = form.locator(".question-text").inner_text().strip()
    label = "正确选项" if right else "干扰项"
    form.locator("label.option", has_text=label).first.click()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    return stem


def test_a_learner_practises_on_a_phone_and_meets_a_mistake_again(
    phone_page, tree, monkeypatch
):
    page = phone_page
    user = StaffFactory(unit=tree["G1-D1"], staff_no="P0001", name="练习人").user
    user.set_password("demo12345")
    user.save()
    for n, stem in enumerate(STEMS):
        make_question(
            f"E2E-P{n}",
            category="课堂练习/每日",
            text=stem,
            options=[(f"正确选项{n}", 1), (f"干扰项{n}", 0), (f"另一干扰项{n}", 0)],
            explanation=f"解析{n}：依据有关规定。",
        )
    PracticeSource.objects.create(category=Category.objects.get(path="课堂练习"))
    today = timezone.now()
    monkeypatch.setattr(views, "practice_now", lambda: today)

    refused = refusals(page)
    sign_in(page, "P0001", "demo12345")
    page.goto(page.base_url + "/learning/")
    expect(page.locator(".practice-card")).to_contain_text("每日一练")
    page.locator(".practice-card a", has_text="开始练习").click()
    expect(page.locator("#current-h")).to_contain_text("第 1 题（共 5 题）")
    screenshot(page, "practice-phone-question")

    missed = answer(page, right=False)
    feedback = page.locator("#feedback")
    expect(feedback.locator(".badge-bad")).to_be_visible()
    expect(feedback).to_contain_text("解析")
    expect(feedback.locator(".option-right")).to_contain_text("正确选项")
    screenshot(page, "practice-phone-feedback")
    for _ in range(4):
        page.locator("#feedback a", has_text="下一题").click()
        answer(page, right=True)
    expect(page.locator(".practice-done")).to_contain_text("答对 4 题，共 5 题")
    screenshot(page, "practice-phone-done")

    page.locator(".practice-done a", has_text="打开错题本").click()
    entry = page.locator(".book-entry", has_text=missed)
    expect(entry).to_be_visible()
    expect(entry.locator(".option-right")).to_be_visible()
    expect(entry).to_contain_text("再答对 2 次即移出错题本")
    screenshot(page, "practice-phone-book")

    tomorrow = today + dt.timedelta(days=1)
    monkeypatch.setattr(views, "practice_now", lambda: tomorrow)
    page.goto(page.base_url + "/practice/")
    expect(page.locator("#current .question-text")).to_contain_text(missed)
    screenshot(page, "practice-phone-next-day")
    # The page fits the phone's width: nothing scrolls sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert refused == []
