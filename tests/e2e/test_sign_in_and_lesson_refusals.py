"""What a person sees when the platform refuses: a lesson marked done too soon, and
too many sign-ins from one address. Both read as plain instructions, on a phone too."""

import pytest
from django.core.cache import cache

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory
from tests.learning.helpers import catalogue, lessons_of, make_course

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def learner_account(tree):
    user = StaffFactory(unit=tree["G1-D1"], staff_no="E0700", name="孙学员").user
    user.set_password("demo12345")
    user.save()
    return user


def test_a_lesson_marked_done_too_soon_says_why(
    phone_page, reference_data, learner_account, settings
):
    settings.LESSON_MIN_SECONDS_SHOWN = 60
    course = make_course(catalogue(reference_data), code="E2E-SHOWN", lessons=2)
    first = lessons_of(course)[0]
    page = phone_page
    sign_in(page, "E0700", "demo12345")
    page.goto(page.base_url + first.url)
    page.click("[data-testid=mark-done]")
    page.wait_for_load_state()
    assert page.url.endswith(first.url)
    assert "您刚刚打开本小节，请学习后再标记为已学完" in page.content()
    screenshot(page, "lesson-done-too-soon-phone")


def test_too_many_sign_ins_from_one_address_are_paused_with_a_message(
    page, learner_account, settings
):
    cache.clear()
    settings.RATE_LIMITS = {"sign_in": (3, 300), "password_reset": (5, 3600)}
    for _ in range(3):
        sign_in(page, "E0700", "wrong-password")
    sign_in(page, "E0700", "demo12345")
    text = page.locator("main").inner_text()
    assert "登录尝试过于频繁" in text and "5 分钟后再试" in text
    screenshot(page, "sign-in-rate-limited")
    cache.clear()
