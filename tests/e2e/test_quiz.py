"""A timed quiz in the browser: answers survive a reload, submit once, review as allowed.

Waits use locator assertions: a string predicate would be evaluated in the page,
which the Content-Security-Policy (no 'unsafe-eval') refuses.
"""

import time

import pytest
from playwright.sync_api import expect

from assessments.models import Attempt
from tests.assessments.factories import make_question, make_quiz
from tests.e2e.conftest import screenshot, sign_in, wait_for_quiz_script
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def start_short_quiz(
    page, tree, *, staff_no: str, slug: str, code: str, text: str, accepted: str
):
    """A learner signed in on ``page`` with a short-answer quiz started, its script
    listening; returns the learner."""
    user = StaffFactory(unit=tree["G1-D1"], staff_no=staff_no, name="作答人").user
    user.set_password("demo12345")
    user.save()
    question = make_question(code, type="short", text=text, accepted_answers=accepted)
    make_quiz(slug, [question], title="简答测验", time_limit_minutes=30)
    sign_in(page, staff_no, "demo12345")
    page.goto(page.base_url + f"/quizzes/{slug}/")
    page.click("main form button[type=submit]")
    wait_for_quiz_script(page)
    return user


def wait_until_stored(user, text: str) -> None:
    """Wait (15 s at most) until the learner's one answer is ``text`` in the database."""
    from assessments.models import Response

    deadline = time.monotonic() + 15
    saved = {}
    while time.monotonic() < deadline:
        saved = Response.objects.get(item__attempt__user=user).answer
        if saved.get("text") == text:
            break
        time.sleep(0.3)
    assert saved.get("text") == text


def test_staff_takes_a_timed_quiz_reloads_and_sees_the_result(page, tree):
    user = StaffFactory(unit=tree["G1-D1"], staff_no="Q0001", name="测验人").user
    user.set_password("demo12345")
    user.save()
    first = make_question(
        "E2E-1",
        text="《检察机关案件质量主要评价指标》以哪一指标为核心？",
        options=[("案-件比", 1), ("不捕率", 0), ("诉前羁押率", 0)],
        explanation="评价指标体系以案-件比为核心构建。",
    )
    second = make_question(
        "E2E-2",
        text="案=800，件=1050，案-件比约为多少？",
        options=[("1:1.31", 1), ("1:1.05", 0), ("1:0.76", 0)],
        explanation="1050÷800=1.3125，即 1:1.31。",
    )
    make_quiz(
        "e2e-timed",
        [first, second],
        title="案-件比限时测验",
        time_limit_minutes=10,
        attempts_allowed=1,
    )

    sign_in(page, "Q0001", "demo12345")
    page.goto(page.base_url + "/quizzes/e2e-timed/")
    page.click("main form button[type=submit]")
    wait_for_quiz_script(page)

    # Answer the first question; the autosave acknowledges it.
    page.locator("label.option", has_text="案-件比").click()
    expect(page.locator("#save-status")).to_contain_text("已保存")
    # Reload mid-way: the answer is still there, and the timer keeps running.
    page.reload()
    assert (
        page.locator("label.option", has_text="案-件比").locator("input").is_checked()
    )
    screenshot(page, "quiz-after-reload")

    page.click("button[name=go][value='2']")
    wait_for_quiz_script(page)
    page.locator("label.option", has_text="1:1.05").click()
    expect(page.locator("#save-status")).to_contain_text("已保存")
    page.click("button[name=go][value=summary]")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-button")
    page.wait_for_load_state()

    attempt = Attempt.objects.get(user=user)
    assert attempt.status == Attempt.Status.FINISHED
    body = page.locator("main").inner_text()
    assert "50" in body  # one of two right
    assert (
        "评价指标体系以案-件比为核心构建" in body
    )  # explanation shown after submitting
    screenshot(page, "quiz-result")


def test_text_typed_just_before_a_reload_is_kept_and_saved(phone_page, tree):
    page = phone_page
    user = start_short_quiz(
        page,
        tree,
        staff_no="Q0002",
        slug="e2e-short",
        code="E2E-S1",
        text="案-件比中的“件”指什么？",
        accepted="件",
    )

    # On a phone the time left stays on screen after scrolling down.
    page.mouse.wheel(0, 2000)
    box = page.locator("#timer").bounding_box()
    assert box is not None and 0 <= box["y"] <= 844 - box["height"]

    # Typed, then reloaded at once: before the autosave's pause is over.
    page.fill(".text-answer", "诉讼环节")
    page.reload()
    # Whether the draft is put back and saved after the reload, or (on a slow
    # machine) the pause ran out and the autosave went first: the words are there
    # and stored.
    expect(page.locator(".text-answer")).to_have_value("诉讼环节")
    wait_until_stored(user, "诉讼环节")
    screenshot(page, "quiz-phone-draft-restored")

    # A slow reload: the server draws the page at once, but it reaches the browser only
    # after the autosave's pause has run out on the old page. A save sent then would
    # land after the page was drawn and leave it showing the older words.
    address = page.url
    wait_for_quiz_script(page)

    def slow(route):
        drawn = route.fetch()
        time.sleep(2.5)
        route.fulfill(response=drawn)

    page.route(address, slow)
    page.fill(".text-answer", "诉讼环节之外")
    page.reload()
    page.unroute(address)
    expect(page.locator(".text-answer")).to_have_value("诉讼环节之外")
    wait_until_stored(user, "诉讼环节之外")


def test_a_page_drawn_before_the_last_save_landed_shows_what_was_saved(
    phone_page, tree
):
    """A save acknowledged while the page was being left can land after the next
    page was read: that page is older than the save. The draft keeps the saved text
    with its new sequence number, and the older page shows it (and saves on from it)
    instead of an empty box."""
    from assessments import services

    page = phone_page
    user = start_short_quiz(
        page,
        tree,
        staff_no="Q0004",
        slug="e2e-late",
        code="E2E-S2",
        text="“案”指什么？",
        accepted="案",
    )
    address = page.url
    older = page.request.get(address).text()  # the page as drawn before the save
    attempt = Attempt.objects.get(user=user)
    services.attempt_save(
        attempt_id=attempt.pk, user=user, seq=0, answers={1: {"text": "当事人的事"}}
    )
    save_url = page.locator("#attempt-form").get_attribute("data-save-url")
    page.evaluate(
        "([key, text]) => localStorage.setItem(key, JSON.stringify("
        "{seq: 1, text: text, saved: true}))",
        [f"attempt-draft:{save_url}:1", "当事人的事"],
    )
    page.route(
        address, lambda route: route.fulfill(body=older, content_type="text/html")
    )
    page.reload()
    page.unroute(address)
    expect(page.locator(".text-answer")).to_have_value("当事人的事")
    expect(page.locator("#seq")).to_have_value("1")
    # Saving on from it is accepted: the page now carries the server's number.
    page.fill(".text-answer", "当事人的事和诉讼")
    wait_until_stored(user, "当事人的事和诉讼")
    expect(page.locator("#save-status")).not_to_have_class(
        "save-status message message-error"
    )


def test_an_exam_with_attempts_left_keeps_its_answers_back(page, tree):
    user = StaffFactory(unit=tree["G1-D1"], staff_no="Q0003", name="考试人").user
    user.set_password("demo12345")
    user.save()
    question = make_question(
        "E2E-3",
        text="“案-件比”中的“件”越多越好吗？",
        type="true_false",
        correct_bool=False,
        explanation="件多意味着非必要环节多。",
    )
    make_quiz("e2e-exam", [question], title="结业考试", attempts_allowed=3)

    sign_in(page, "Q0003", "demo12345")
    page.goto(page.base_url + "/quizzes/e2e-exam/")
    page.click("main form button[type=submit]")
    page.click("button[name=go][value=summary]")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-button")
    page.wait_for_load_state()

    body = page.locator("main").inner_text()
    assert "用完全部作答次数后" in body
    assert "件多意味着非必要环节多" not in body
    screenshot(page, "exam-result-answers-withheld")
