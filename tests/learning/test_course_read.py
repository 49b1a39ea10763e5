"""learning.sql's one read against what the ORM and Wagtail answer for the same page."""

import re

import pytest
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import get_site_for_hostname

from assessments.models import Attempt
from learning.models import LessonProgress
from learning.selectors import course_lessons, quiz_passes
from learning.sql import course_rows, site_for
from tests.factories import StaffFactory
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    make_quiz,
    pass_quiz,
    read_and_mark_done,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


def _read(course, user=None, hostname="localhost"):
    reads = course_rows(
        hostname=hostname,
        index_slug=course.get_parent().slug,
        course_slug=course.slug,
        user_id=user.pk if user else None,
    )
    return site_for(reads, hostname=hostname, port=80)


def test_the_read_holds_what_the_orm_reads(index, learner):
    gate, final, other = make_quiz("cr-gate"), make_quiz("cr-final"), make_quiz("cr-x")
    course = make_course(index, code="CR-1", lessons=3, optional=1, gate_quiz=gate)
    course.final_quiz = final
    course.save_revision().publish()
    make_course(index, code="CR-2", lessons=2)  # a neighbour that must not show
    lessons = lessons_of(course)
    read_and_mark_done(user=learner, lesson=lessons[0])
    read_and_mark_done(user=learner, lesson=lessons[2])
    pass_quiz(learner, gate)
    pass_quiz(learner, final, score="40")  # not a pass
    latest = pass_quiz(learner, gate)
    preview = pass_quiz(learner, final)
    preview.preview = True
    preview.save()
    pass_quiz(learner, other)
    # Someone else's progress and passes stay out.
    stranger = StaffFactory(staff_no="CR0002").user
    read_and_mark_done(user=stranger, lesson=lessons[1])
    pass_quiz(stranger, final)

    read = _read(course, learner)
    assert read.course.pk == course.pk and not read.course_guarded
    assert read.course.final_quiz == final
    assert [x.pk for x in read.lessons] == [x.pk for x in course_lessons(course)]
    assert [x.title for x in read.lessons] == [x.title for x in lessons]
    assert read.lessons[0].gate_quiz_id == gate.pk
    expected = {p.lesson_id: p for p in LessonProgress.objects.filter(user=learner)}
    assert read.progress.keys() == expected.keys() == {lessons[0].pk, lessons[2].pk}
    for lesson_id, row in read.progress.items():
        assert row.shown_at == expected[lesson_id].shown_at
        assert row.marked_done_at == expected[lesson_id].marked_done_at
    ids = [gate.pk, final.pk]
    assert read.passes == quiz_passes(user=learner, quiz_ids=ids)
    assert read.passes == {gate.pk: latest.finished_at}
    # The body is left out of the read and loads when asked for.
    assert "body" in read.lessons[0].get_deferred_fields()
    assert "第1节的正文" in str(read.lessons[0].body)


def test_an_uncounted_pass_does_not_count(index, learner):
    final = make_quiz("cr-uncounted")
    course = make_course(index, code="CR-3", lessons=1, final_quiz=final)
    attempt = pass_quiz(learner, final)
    Attempt.objects.filter(pk=attempt.pk).update(counted=False)
    assert _read(course, learner).passes == {}
    Attempt.objects.filter(pk=attempt.pk).update(counted=True)
    assert _read(course, learner).passes == {final.pk: attempt.finished_at}


def test_drafts_and_unpublished_lessons_are_left_out(index, learner):
    course = make_course(index, code="CR-4", lessons=3)
    lessons = lessons_of(course)
    lessons[1].unpublish()
    read = _read(course, learner)
    assert [x.pk for x in read.lessons] == [lessons[0].pk, lessons[2].pk]
    course.unpublish()
    assert _read(course, learner).course is None


def test_restrictions_and_aliases_are_seen_on_the_page_and_its_ancestors(index):
    course = make_course(index, code="CR-5", lessons=2)
    first, second = lessons_of(course)
    assert not _read(course).course_guarded
    on_lesson = PageViewRestriction.objects.create(
        page=second, restriction_type=PageViewRestriction.LOGIN
    )
    read = _read(course)
    assert read.guarded == {first.pk: False, second.pk: True}
    on_lesson.delete()
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.LOGIN
    )
    assert _read(course).course_guarded
    PageViewRestriction.objects.all().delete()
    alias = first.create_alias(update_slug="lesson-alias")
    assert _read(course).guarded[alias.pk]
    assert not _read(course).guarded[first.pk]


@pytest.mark.parametrize(
    "hostname, port",
    [
        ("localhost", 80),
        ("example.org", 80),
        ("example.org", 8080),
        ("example.org", 9000),
        ("intranet.jcy", 80),
        ("intranet.jcy", 8443),
        ("nobody.test", 80),
    ],
)
@pytest.mark.parametrize("layout", ["one", "several", "no default"])
def test_the_site_is_the_one_wagtail_chooses(index, hostname, port, layout):
    """Every ranking rule of Wagtail's get_site_for_hostname, site by site."""
    course = make_course(index, code=f"CR-S{port}", lessons=1)
    root = Page.objects.get(pk=Site.objects.get(is_default_site=True).root_page_id)
    if layout != "one":
        Site.objects.create(hostname="example.org", port=80, root_page=root)
        Site.objects.create(hostname="example.org", port=8080, root_page=root)
        Site.objects.create(hostname="intranet.jcy", port=80, root_page=root)
    if layout == "no default":
        Site.objects.filter(is_default_site=True).update(is_default_site=False)
    try:
        expected = get_site_for_hostname(hostname, port).pk
    except Site.DoesNotExist:
        expected = None
    reads = course_rows(
        hostname=hostname,
        index_slug=index.slug,
        course_slug=course.slug,
        user_id=None,
    )
    chosen = site_for(reads, hostname=hostname, port=port)
    assert (chosen.site.pk if chosen else None) == expected
    if chosen:
        assert chosen.course.pk == course.pk
        assert chosen.site.root_page.url_path == root.url_path


def _page(client, url) -> str:
    """The page's HTML without what differs on every response (CSRF tokens, nonces)."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


@pytest.mark.parametrize("page", ["course", "lesson"])
def test_pages_served_from_the_read_match_wagtails_own_serving(
    client, index, learner, monkeypatch, page
):
    """The same course and lesson pages, served through the one read and through
    Wagtail's serving (the ORM's queries), read the same for the learner."""
    gate, final = make_quiz("cr-p-gate"), make_quiz("cr-p-final")
    course = make_course(
        index, code="CR-6", lessons=3, optional=1, gate_quiz=gate, final_quiz=final
    )
    lessons = lessons_of(course)
    read_and_mark_done(user=learner, lesson=lessons[0])
    read_and_mark_done(user=learner, lesson=lessons[2])
    pass_quiz(learner, gate)
    client.force_login(learner)
    url = course.url if page == "course" else lessons[1].url
    client.get(url)  # the first visit records the lesson as shown
    fast = _page(client, url)
    import learning.serving

    monkeypatch.setattr(learning.serving, "page_route", lambda request, path: None)
    assert _page(client, url) == fast
    # Lesson 1 is marked done but its gate quiz was passed afterwards, outside the
    # lesson: it waits for a check; lesson 3 is done; the optional one is not counted.
    assert "已完成 1 / 3 个小节" in fast
    assert page == "lesson" or "待通过测验" in fast


@pytest.mark.parametrize("page", ["course", "lesson"])
def test_serving_reads_nothing_the_one_read_left_out(
    client, index, learner, monkeypatch, page
):
    """Fields left out of the read (the body, the editor's fields, most of the final
    quiz) load when asked for: serving a page must never ask for them."""
    from django.db.models import Model

    final = make_quiz("cr-left-out")
    course = make_course(index, code="CR-7", lessons=3, final_quiz=final)
    lessons = lessons_of(course)
    for lesson in lessons:
        read_and_mark_done(user=learner, lesson=lesson)
    client.force_login(learner)
    url = course.url if page == "course" else lessons[2].url
    client.get(url)  # the lesson's body is stored on the first visit
    loaded = []
    original = Model.refresh_from_db

    def recorded(self, using=None, fields=None, from_queryset=None):
        loaded.append((type(self).__name__, fields))
        return original(self, using=using, fields=fields, from_queryset=from_queryset)

    monkeypatch.setattr(Model, "refresh_from_db", recorded)
    html = client.get(url).content.decode()
    assert loaded == []
    assert "/quizzes/cr-left-out/" in html


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def _course_with_chinese_slug(index):
    course = make_course(index, code="CR-8", lessons=3)
    renamed = lessons_of(course)[1]
    renamed.slug = "第二节"
    renamed.save_revision().publish()
    return course, lessons_of(course)


@pytest.mark.parametrize("second_site", [False, True])
def test_links_worked_out_by_routing_are_wagtails(
    client, index, learner, monkeypatch, second_site
):
    """The course's and lessons' addresses that routing works out (no ``pageurl``
    per link) are Wagtail's, for a lesson slug in Chinese and when another site
    (another host) holds the course too."""
    course, lessons = _course_with_chinese_slug(index)
    urls = [page.url for page in (course, *lessons)]
    if second_site:
        Site.objects.create(hostname="other.example", port=80, root_page=index)
    client.force_login(learner)
    import learning.serving

    for url in urls:
        fast = _page(client, url)
        with monkeypatch.context() as patch:
            patch.setattr(learning.serving, "page_route", lambda request, path: None)
            slow = _page(client, url)
        assert _links(fast) == _links(slow)
    assert any("%E7%AC%AC%E4%BA%8C%E8%8A%82" in link for link in _links(fast))


@pytest.mark.parametrize("append_slash", [True, False])
def test_routed_addresses_follow_wagtails_trailing_slash_setting(
    index, monkeypatch, append_slash
):
    import wagtail.models.pages

    from learning.serving import RoutedUrls

    # Wagtail reads the setting once, at import.
    monkeypatch.setattr(wagtail.models.pages, "WAGTAIL_APPEND_SLASH", append_slash)
    course, lessons = _course_with_chinese_slug(index)
    default = Site.objects.get(is_default_site=True)
    urls = RoutedUrls(_read(course), index_slug=index.slug)
    for page in (course, *lessons):
        assert urls.get(page) == page.relative_url(default)
    assert urls.get(index) is None
