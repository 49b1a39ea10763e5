"""Serving lessons and courses: one statement finds the page, its body comes with it.

Lessons are what every person opens most. Wagtail's own serving walks the tree one
level at a time (two queries a level), then reads the page's ancestors and their
view restrictions, and renders the StreamField body block by block on every request.
Here:

- ``page_serve`` finds a lesson or a course by its URL path in one statement
  (``learning.sql``), which also reads the site, the course's lessons, the
  learner's progress and passes and the lesson's stored body, and says whether the
  page or any ancestor carries a view restriction or is an alias. Such a page, any
  other kind of page, and anything but GET and HEAD go through Wagtail's serving
  unchanged, with its full restriction checks: nothing restricted is ever decided
  from a stored copy, and nothing about access is stored at all.
- ``lesson_body`` renders the published body once per page, revision and language
  and stores it in the database (``LessonBody``: every node reads the same copy).
  What differs between people (an embedded quiz passed or not) is kept as both
  variants and chosen per request. A stored body is used only when its stamp —
  live revision, time of publishing, address — matches the page as served, so a new
  revision shows at once; an unpublished page is no longer routed at all.
- Receivers of Wagtail's publish, unpublish and move signals, of saves and deletes of
  lessons and view restrictions, and of changes to what a body shows from elsewhere
  (quizzes, indicators, images, documents) drop the stored bodies concerned.

Previews, drafts and editors' views never use a stored body (``lesson_body``
renders them directly).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from django.db import IntegrityError
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.models import Page
from wagtail.models import pages as wagtail_pages
from wagtail.views import serve as wagtail_serve
from wagtail.views import serve_chain
from wagtail.wagtail_hooks import check_view_restrictions

from .models import LessonBody, LessonPage
from .sql import CourseRead, course_rows, site_for

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# Pages routed here, by the number of path components below the site's root page
# (home → catalogue → course → lesson). Anything else goes to Wagtail.
ROUTED_DEPTHS = (2, 3)


# Routing -------------------------------------------------------------------------


def page_route(request: HttpRequest, path: str) -> Page | None:
    """The live lesson or course at ``path``, read in one statement with its site,
    its course's lessons and the learner's state for them (``learning.sql``), or
    None when Wagtail's own serving must answer (another kind of page, an alias, a
    view restriction on the page or an ancestor, a method other than GET or HEAD)."""
    if request.method not in ("GET", "HEAD"):
        return None
    components = [c for c in path.split("/") if c]
    if len(components) not in ROUTED_DEPTHS:
        return None
    hostname = split_domain_port(request._get_raw_host())[0]
    user = request.user
    reads = course_rows(
        hostname=hostname,
        index_slug=components[0],
        course_slug=components[1],
        user_id=user.pk if user.is_authenticated else None,
        lesson_slug=components[2] if len(components) == 3 else None,
        language=get_language(),
    )
    read = site_for(reads, hostname=hostname, port=request.get_port())
    if read is None or read.course is None or read.course_guarded:
        return None
    page: Page | None = read.course
    if len(components) == 3:
        page = next((x for x in read.lessons if x.slug == components[2]), None)
        if page is None or read.guarded[page.pk]:
            return None
    # The site Wagtail would find (Site.find_for_request reads it from here), and
    # the course's lessons and the learner's state for the page's context.
    request._wagtail_site = read.site  # type: ignore[attr-defined]
    request._learning_read = read  # type: ignore[attr-defined]
    request._learning_page_id = page.pk  # type: ignore[attr-defined]
    request._learning_urls = RoutedUrls(read, index_slug=components[0])  # type: ignore[attr-defined]
    return page


class RoutedUrls:
    """Addresses of the routed course and its lessons, as Wagtail's ``pageurl`` gives
    them, without its per-link work (a cache read of every site's root path for the
    request, and one ``reverse`` per link: about 0.25 ms on a lesson page with its
    outline, measured in process against a bare read view of about 0.6 ms).

    Wagtail links a page through the site the request came from whenever that site
    holds it (``Page.get_url_parts``), and this request was routed through its site
    to the course, so every page below the course is linked through it too: the
    course's address is reversed once, and a lesson's is the course's followed by its
    slug, quoted as ``reverse`` quotes it. A test compares them with ``pageurl``."""

    def __init__(self, read: CourseRead, *, index_slug: str):
        course = read.course
        assert course is not None
        self._course_id = course.pk
        # Always with its trailing slash here: lessons are appended to it.
        self._course = reverse("wagtail_serve", args=(f"{index_slug}/{course.slug}/",))
        self._lessons = {lesson.pk: lesson.slug for lesson in read.lessons}

    def get(self, page: Page) -> str | None:
        """The page's address, or None when it is not the course or one of its lessons."""
        if page.pk == self._course_id:
            url = self._course
        elif (slug := self._lessons.get(page.pk)) is not None:
            url = self._course + quote(slug, safe=RFC3986_SUBDELIMS + "/~:@") + "/"
        else:
            return None
        # The switch Page.get_url_parts reads (Wagtail reads the setting at import).
        if not wagtail_pages.WAGTAIL_APPEND_SLASH:
            url = url.rstrip("/")
        return url


def page_serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's ``serve`` for lessons and courses, found by ``page_route``; every
    other address is handed to Wagtail's ``serve`` as it is."""
    page = page_route(request, path)
    if page is None:
        return wagtail_serve(request, path)
    request._wagtail_route_for_request = (page, [], {})  # type: ignore[attr-defined]
    chain = serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        # The route query found no view restriction on the page or its ancestors.
        if fn is not check_view_restrictions:
            chain = fn(chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, [], {})
        if result is not None and hasattr(result, "status_code"):
            return result
    return chain(page, request, [], {})


# The lesson body -------------------------------------------------------------------


def _stamp(lesson: LessonPage, request: HttpRequest) -> str:
    published = lesson.last_published_at.isoformat() if lesson.last_published_at else ""
    return f"{lesson.live_revision_id}|{published}|{request.path}"


def _render_parts(lesson: LessonPage, request: HttpRequest) -> list:
    """The body as strings, with each embedded quiz as [quiz id, passed, not yet]."""
    parts: list = []
    for block in lesson.body:
        context = {"page": lesson, "self": lesson, "request": request}
        if block.block_type == "quiz" and block.value.get("quiz") is not None:
            quiz = block.value["quiz"]
            passed = block.render({**context, "passed_quiz_ids": {quiz.pk}})
            pending = block.render({**context, "passed_quiz_ids": set()})
            parts.append([quiz.pk, str(passed), str(pending)])
        else:
            parts.append(str(block.render(context)))
    return parts


def _join(parts: list, passed_quiz_ids: set[int]) -> SafeString:
    html = []
    for part in parts:
        if isinstance(part, str):
            html.append(part)
        else:
            quiz_id, passed, pending = part
            html.append(passed if quiz_id in passed_quiz_ids else pending)
    return mark_safe("".join(html))  # noqa: S308 - rendered by the blocks' templates


def lesson_body(
    *,
    lesson: LessonPage,
    request: HttpRequest,
    passed_quiz_ids: set[int],
    read: CourseRead | None = None,
) -> SafeString:
    """The lesson's body as HTML for this person, as stored when the page is served
    as published (``read``: what routing read, the stored body included)."""
    as_published = (
        lesson.live
        and lesson.live_revision_id is not None
        and not getattr(request, "is_preview", False)
    )
    if not as_published:
        return _join(_render_parts(lesson, request), passed_quiz_ids)
    language = get_language()
    if read is not None and read.lesson_slug == lesson.slug:
        stored = read.body if read.body and read.body.language == language else None
    else:
        stored = LessonBody.objects.filter(page=lesson, language=language).first()
    stamp = _stamp(lesson, request)
    if stored is not None and stored.stamp == stamp:
        return _join(stored.parts, passed_quiz_ids)
    parts = _render_parts(lesson, request)
    try:
        LessonBody.objects.update_or_create(
            page=lesson, language=language, defaults={"stamp": stamp, "parts": parts}
        )
    except IntegrityError:
        pass  # stored by another request at the same moment
    return _join(parts, passed_quiz_ids)


def lesson_bodies_forget(*, page_ids: list[int]) -> None:
    """Drop the stored bodies of these pages, in every language."""
    if page_ids:
        LessonBody.objects.filter(page_id__in=page_ids).delete()


def lesson_bodies_forget_all() -> None:
    """Drop every stored body (something any body may show has changed)."""
    LessonBody.objects.all().delete()
