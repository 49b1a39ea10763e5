"""The Content-Security-Policy in a real browser: the Wagtail page editor and the
report's charts work under it, and nothing they need is refused."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.campaigns.factories import make_campaign
from tests.campaigns.factories import make_course as make_campaign_course
from tests.e2e.conftest import screenshot, sign_in
from tests.learning.helpers import catalogue, lessons_of, make_course

pytestmark = pytest.mark.django_db(transaction=True)


def refusals(page) -> list[str]:
    """Collects what the browser refused under the policy, as it happens."""
    refused: list[str] = []
    page.on(
        "console",
        lambda m: (
            refused.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    page.on("pageerror", lambda e: refused.append(str(e)))
    return refused


def test_the_wagtail_page_editor_works_under_the_policy(
    page, reference_data, admin_user
):
    course = make_course(catalogue(reference_data), code="CSP-101", lessons=1)
    lesson = lessons_of(course)[0]
    refused = refusals(page)
    page.goto(page.base_url + "/admin/login/")
    page.fill("input[name=username]", "AD001")
    page.fill("input[name=password]", "pass12345")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto(page.base_url + f"/admin/pages/{course.pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert page.input_value("input[name=title]") == course.title
    # The rich text editor is drawn by script: seeing it proves the editor's JS ran.
    page.goto(page.base_url + f"/admin/pages/{lesson.pk}/edit/")
    page.wait_for_selector(".Draftail-Editor")
    page.wait_for_load_state("networkidle")
    screenshot(page, "csp-lesson-editor")
    assert not refused


def test_the_report_charts_draw_under_the_policy(page, reference_data, leadership):
    today = timezone.localdate()
    make_campaign(
        [make_campaign_course(reference_data, "LAW-101")],
        code="LAW-C",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=21),
    )
    refused = refusals(page)
    sign_in(page, "LD001", "pass12345")
    page.goto(page.base_url + "/reports/campaigns/LAW-C/units/P/")
    page.wait_for_selector("#chart-units canvas")
    page.wait_for_selector("#chart-timeline canvas")
    # The people filter submits on change without an inline handler.
    page.select_option("#show", "all")
    page.wait_for_url("**show=all**")
    assert not refused
