import datetime as dt

import pytest
from django.urls import reverse

from learning.models import CourseCompletion, LessonProgress
from tests.factories import StaffFactory
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    read_and_mark_done,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


@pytest.fixture
def course(index):
    return make_course(index, code="IND-900", title="指标课程", lessons=3)


@pytest.fixture
def other_learner(tree):
    return StaffFactory(unit=tree["G3"], staff_no="L0900", name="丙学员").user


def completed(user, course):
    for lesson in lessons_of(course):
        read_and_mark_done(user=user, lesson=lesson)
    return CourseCompletion.objects.get(user=user, course=course)


# Anonymous visitors ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["dashboard", "catalogue", "course", "lesson", "search"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, course, index, kind):
    url = {
        "dashboard": reverse("learning:dashboard"),
        "catalogue": index.url,
        "course": course.url,
        "lesson": lessons_of(course)[0].url,
        "search": reverse("cms:search") + "?q=案件比",
    }[kind]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_visitors_cannot_mark_lessons_done(client, course):
    lesson = lessons_of(course)[0]
    response = client.post(reverse("learning:lesson_done", args=[lesson.pk]))
    assert response.status_code == 302
    assert not LessonProgress.objects.exists()


def test_anonymous_visitors_cannot_download_certificates(client, course, learner):
    code = completed(learner, course).certificate.code
    response = client.get(reverse("learning:certificate_download", args=[code]))
    assert response.status_code == 302


# The learner's pages ---------------------------------------------------------------


def test_the_course_page_shows_lessons_progress_and_resume(client, course, learner):
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    client.force_login(learner)
    response = client.get(course.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 / 3" in html  # 已完成 1 / 3 个小节
    assert "33%" in html
    assert "继续学习" in html
    assert lessons_of(course)[1].url in html


def test_the_lesson_page_has_previous_and_next_and_a_done_button(
    client, course, learner
):
    first, second, third = lessons_of(course)
    client.force_login(learner)
    html = client.get(second.url).content.decode()
    assert first.url in html and third.url in html
    assert reverse("learning:lesson_done", args=[second.pk]) in html
    assert "csrfmiddlewaretoken" in html


def test_marking_a_lesson_done_moves_to_the_next_lesson(client, course, learner):
    first, second, _third = lessons_of(course)
    client.force_login(learner)
    client.get(first.url)
    response = client.post(reverse("learning:lesson_done", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == second.url
    assert LessonProgress.objects.get(user=learner, lesson=first).completed_at


def test_marking_done_is_refused_on_get(client, course, learner):
    client.force_login(learner)
    lesson = lessons_of(course)[0]
    response = client.get(reverse("learning:lesson_done", args=[lesson.pk]))
    assert response.status_code == 405
    assert not LessonProgress.objects.exists()


def test_marking_done_needs_a_csrf_token(course, learner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    lesson = lessons_of(course)[0]
    response = client.post(reverse("learning:lesson_done", args=[lesson.pk]))
    assert response.status_code == 403
    assert not LessonProgress.objects.exists()


def test_finishing_the_last_lesson_shows_the_course_complete(client, course, learner):
    client.force_login(learner)
    for lesson in lessons_of(course):
        client.get(lesson.url)
        client.post(reverse("learning:lesson_done", args=[lesson.pk]))
    html = client.get(course.url).content.decode()
    assert "您已于" in html and "完成本课程" in html
    assert "下载结业证书" in html


def test_the_catalogue_filters_by_kind_line_and_indicator(client, index, learner):
    from organisation.models import BusinessLine, Indicator

    line = BusinessLine.objects.get(code="civil")
    indicator = Indicator.objects.create(
        code="ind_x", name="测试指标", direction="higher_better"
    )
    civil = make_course(index, code="CIV-1", title="民事课程")
    civil.business_lines.add(line)
    civil.indicators.add(indicator)
    civil.save_revision().publish()
    law = make_course(index, code="LAW-9", title="法治课程", mandatory=True)
    client.force_login(learner)

    def titles(query):
        context = client.get(index.url + query).context
        return {c.code for c in context["courses"]}

    assert titles("") == {"CIV-1", "LAW-9"}
    assert titles("?kind=mandatory") == {law.code}
    assert titles("?kind=elective") == {civil.code}
    assert titles("?line=civil") == {civil.code}
    assert titles("?indicator=ind_x") == {civil.code}
    assert titles("?line=nonsense") == set()


def test_the_dashboard_shows_my_completions_and_hours_only(
    client, course, learner, other_learner, index
):
    completed(learner, course)
    other_course = make_course(index, code="OTH-1", title="别人的课程")
    completed(other_learner, other_course)
    client.force_login(learner)
    response = client.get(reverse("learning:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "IND-900" in html and "OTH-1" not in html
    board = response.context["board"]
    assert board.hours_this_year == 2
    assert board.hours_required == 50


def test_the_dashboard_lists_mandatory_courses_when_no_campaign_exists(
    client, index, learner
):
    make_course(index, code="LAW-1", title="法治教育", mandatory=True)
    client.force_login(learner)
    html = client.get(reverse("learning:dashboard")).content.decode()
    assert "LAW-1" in html


def test_the_annual_requirement_is_a_setting(client, learner, settings):
    settings.ANNUAL_ONLINE_HOURS = 90
    client.force_login(learner)
    response = client.get(reverse("learning:dashboard"))
    assert response.context["board"].hours_required == 90


# Certificates ----------------------------------------------------------------------


def test_the_certificate_is_a_pdf_with_the_cjk_font(client, course, learner):
    code = completed(learner, course).certificate.code
    client.force_login(learner)
    response = client.get(reverse("learning:certificate_download", args=[code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"WQYMicroHei" in response.content or b"FontFile2" in response.content


def test_other_peoples_certificates_are_not_found(
    client, course, learner, other_learner
):
    code = completed(learner, course).certificate.code
    client.force_login(other_learner)
    response = client.get(reverse("learning:certificate_download", args=[code]))
    assert response.status_code == 404


def test_the_public_verify_page_confirms_name_course_and_date_only(
    client, course, learner
):
    completion = completed(learner, course)
    CourseCompletion.objects.filter(pk=completion.pk).update(
        completed_on=dt.date(2026, 11, 20)
    )
    response = client.get(
        reverse("learning:certificate_verify", args=[completion.certificate.code])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "李学员" in html and "指标课程" in html and "2026年11月20日" in html
    profile = learner.profile
    assert profile.staff_no not in html
    assert profile.unit.name not in html


def test_an_unknown_verification_code_says_so(client, db):
    response = client.get(reverse("learning:certificate_verify", args=["NOPE1234"]))
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


# Query budgets ---------------------------------------------------------------------


def _learners_with_progress(tree, course, count):
    people = [
        StaffFactory(unit=tree["G2"], staff_no=f"Q{course.code}{n:03d}").user
        for n in range(count)
    ]
    for person in people:
        read_and_mark_done(user=person, lesson=lessons_of(course)[0])
    return people


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the site and session caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The page shell (navigation, notifications bell) belongs to the whole site; the
# budget is what the course pages add to it, and it must not grow with the data.
PAGE_CEILING = 30


def test_the_course_page_has_a_fixed_query_budget(
    client, index, learner, tree, django_assert_num_queries
):
    small = make_course(index, code="QB-S", lessons=2)
    large = make_course(index, code="QB-L", lessons=12)
    _learners_with_progress(tree, small, 1)
    _learners_with_progress(tree, large, 12)
    for course in (small, large):
        for lesson in lessons_of(course)[:2]:
            read_and_mark_done(user=learner, lesson=lesson)
    client.force_login(learner)
    budget = _queries(client, small.url)
    assert budget <= PAGE_CEILING
    client.get(large.url)
    with django_assert_num_queries(budget):
        assert client.get(large.url).status_code == 200


def test_the_lesson_page_has_a_fixed_query_budget(
    client, index, learner, tree, django_assert_num_queries
):
    small = make_course(index, code="QL-S", lessons=2)
    large = make_course(index, code="QL-L", lessons=12)
    _learners_with_progress(tree, small, 1)
    _learners_with_progress(tree, large, 12)
    client.force_login(learner)
    budget = _queries(client, lessons_of(small)[1].url)
    assert budget <= PAGE_CEILING
    lesson = lessons_of(large)[5]
    client.get(lesson.url)
    with django_assert_num_queries(budget):
        assert client.get(lesson.url).status_code == 200


def test_the_catalogue_has_a_fixed_query_budget(
    client, index, learner, django_assert_num_queries
):
    make_course(index, code="QC-1", lessons=1)
    client.force_login(learner)
    budget = _queries(client, index.url)
    assert budget <= PAGE_CEILING
    for n in range(2, 9):
        make_course(index, code=f"QC-{n}", lessons=1)
    client.get(index.url)
    with django_assert_num_queries(budget):
        assert client.get(index.url).status_code == 200


def test_the_dashboard_has_a_fixed_query_budget(
    client, index, learner, django_assert_num_queries
):
    first = make_course(index, code="QD-1", lessons=1)
    completed(learner, first)
    client.force_login(learner)
    url = reverse("learning:dashboard")
    budget = _queries(client, url)
    assert budget <= PAGE_CEILING
    for n in range(2, 8):
        completed(learner, make_course(index, code=f"QD-{n}", lessons=1))
    client.get(url)
    with django_assert_num_queries(budget):
        assert client.get(url).status_code == 200


def test_the_verify_page_has_a_box_for_the_printed_code(client, course, learner):
    code = completed(learner, course).certificate.code
    page = client.get("/certificates/verify/")
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()

    # Typed as people copy it from paper: lower case, spaces inside.
    typed = " ".join([code[:4].lower(), code[4:]])
    response = client.get("/certificates/verify/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/verify/{code}/"
    assert "李学员" in client.get(response["Location"]).content.decode()


def test_the_verify_box_refuses_what_cannot_be_a_code(client, db):
    response = client.get("/certificates/verify/", {"code": "<script>/x"})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()


def test_with_every_lesson_done_the_course_and_last_lesson_lead_to_the_final_quiz(
    client, index, learner
):
    from tests.learning.helpers import make_quiz

    quiz = make_quiz("final-900")
    course = make_course(index, code="IND-901", lessons=2, final_quiz=quiz)
    for lesson in lessons_of(course):
        read_and_mark_done(user=learner, lesson=lesson)
    client.force_login(learner)

    html = client.get(course.url).content.decode()
    assert "继续学习" not in html
    assert f'class="button" href="{quiz.get_absolute_url()}"' in html

    last = client.get(lessons_of(course)[-1].url).content.decode()
    assert f'href="{quiz.get_absolute_url()}"' in last


def test_a_lesson_quiz_carries_the_way_back_to_its_lesson(client, index, learner):
    from urllib.parse import quote

    from tests.learning.helpers import make_quiz

    quiz = make_quiz("gate-900")
    course = make_course(index, code="IND-902", lessons=1, gate_quiz=quiz)
    lesson = lessons_of(course)[0]
    client.force_login(learner)

    html = client.get(lesson.url).content.decode()
    assert f"{quiz.get_absolute_url()}?next={quote(lesson.url)}" in html
    quiz_page = client.get(quiz.get_absolute_url(), {"next": lesson.url})
    assert f'href="{lesson.url}"' in quiz_page.content.decode()
