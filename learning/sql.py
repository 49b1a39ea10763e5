"""The course and lesson pages' one read: site, page, lessons and the learner's state.

A lesson is what every person opens most. Found through the ORM it took ten queries
(the site, the page and its guard, the course, its lessons, the learner's progress,
completions and passes), and compiling them cost more than the database's work.
``course_rows`` reads, in one parameterised statement, for each site that could
answer the request's host:

- the course at ``/<catalogue slug>/<course slug>/`` below the site's root, if it is
  live, with its final quiz and whether it or an ancestor is an alias or carries a
  view restriction;
- each live lesson of that course (all but the body, which loads only when a body
  is rendered), whether the lesson is an alias or restricted, the learner's
  progress row for it and when the learner last passed its gate quiz;
- when the learner last passed the course's final quiz;
- the stored body (``LessonBody``) of the lesson asked for, in the language served.

Passes are counted as ``learning.selectors.quiz_passes`` counts them (finished,
passed, counted, not a preview). A test compares every figure with the ORM's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from wagtail.models import Page, PageViewRestriction, Site

from assessments.models import Attempt, Quiz
from config.sql import Columns, Expressions, fetch

from .models import CoursePage, LessonBody, LessonPage, LessonProgress


@dataclass
class CourseRead:
    """What ``course_rows`` found under one site."""

    site: Site
    course: CoursePage | None = None
    course_guarded: bool = False
    lessons: list[LessonPage] = field(default_factory=list)
    # Lesson id → True when the lesson is an alias or carries a view restriction.
    guarded: dict[int, bool] = field(default_factory=dict)
    progress: dict[int, LessonProgress] = field(default_factory=dict)
    # Quiz id → when the learner last passed it (gate quizzes and the final quiz).
    passes: dict[int, dt.datetime] = field(default_factory=dict)
    # The lesson asked for (by slug) and its stored body, if any.
    lesson_slug: str | None = None
    body: LessonBody | None = None


# Page fields only the editor uses: left out of the read (they load if asked for).
# The course and quiz repeat on every lesson's row, so each column left out is read
# once per lesson; a test checks that serving a page asks for none of them.
EDITOR_FIELDS = (
    "draft_title",
    "search_description",
    "show_in_menus",
    "go_live_at",
    "expire_at",
    "expired",
    "locked",
    "locked_at",
    "locked_by",
    "owner",
    "latest_revision_created_at",
    "latest_revision",
    "has_unpublished_changes",
    "first_published_at",
    "translation_key",
)
QUIZ_FIELDS = ["id", "title", "slug", "pass_mark", "draft"]


GROUPS = ("site", "root", "course", "quiz", "lesson", "progress", "body")


@cache
def _groups() -> dict:
    return {
        "site": Columns(Site, "s"),
        "root": Columns(Page, "root", ["id", "path", "depth", "url_path", "slug"]),
        "course": Columns(CoursePage, "c", parent_alias="cpg", exclude=EDITOR_FIELDS),
        "quiz": Columns(Quiz, "fq", QUIZ_FIELDS),
        "lesson": Columns(
            LessonPage, "l", parent_alias="lpg", exclude=("body", *EDITOR_FIELDS)
        ),
        "progress": Columns(LessonProgress, "pr"),
        "body": Columns(LessonBody, "lb"),
    }


def _passed_by(quiz_column: str) -> str:
    """When the learner (the parameter) last passed the quiz in ``quiz_column``."""
    quote = connection.ops.quote_name
    return (
        f"(SELECT MAX(a.{quote('finished_at')}) FROM {quote(Attempt._meta.db_table)} a "
        f"WHERE a.{quote('user_id')} = %s AND a.{quote('quiz_id')} = {quiz_column} "
        f"AND a.{quote('passed')} AND a.{quote('status')} = 'finished' "
        f"AND a.{quote('counted')} AND NOT a.{quote('preview')})"
    )


@cache
def _statement(vendor: str) -> str:
    g = _groups()
    quote = connection.ops.quote_name
    page = quote(Page._meta.db_table)
    restriction = quote(PageViewRestriction._meta.db_table)
    first, last = Page.alphabet[0] * Page.steplen, Page.alphabet[-1] * Page.steplen

    def ancestor_of(alias: str) -> str:
        # ``a`` is ``alias`` or one of its ancestors (a prefix of its tree path).
        return f"a.path = substr({alias}.path, 1, length(a.path))"

    course_guarded = (
        f"(EXISTS (SELECT 1 FROM {restriction} r JOIN {page} a ON a.id = r.page_id "
        f"WHERE {ancestor_of('cpg')}) "
        f"OR EXISTS (SELECT 1 FROM {page} a WHERE a.alias_of_id IS NOT NULL "
        f"AND {ancestor_of('cpg')}))"
    )
    lesson_guarded = (
        f"(lpg.alias_of_id IS NOT NULL "
        f"OR EXISTS (SELECT 1 FROM {restriction} r WHERE r.page_id = lpg.id))"
    )
    expressions = Expressions(
        course_guarded,
        lesson_guarded,
        _passed_by(f"l.{quote('gate_quiz_id')}"),
        _passed_by(f"c.{quote('final_quiz_id')}"),
    )
    groups = [g[k] for k in GROUPS]
    columns = ", ".join(group.select() for group in [*groups, expressions])
    return (
        f"SELECT {columns} "
        f"FROM {quote(Site._meta.db_table)} s "
        f"JOIN {page} root ON root.id = s.root_page_id "
        # The catalogue (any page) at /<index slug>/, the course below it.
        f"LEFT JOIN ({page} idx JOIN {page} cpg "
        "ON cpg.slug = %s AND cpg.live AND cpg.depth = idx.depth + 1 "
        "AND substr(cpg.path, 1, length(idx.path)) = idx.path "
        f"JOIN {quote(CoursePage._meta.db_table)} c ON c.page_ptr_id = cpg.id) "
        "ON idx.slug = %s AND idx.depth = root.depth + 1 "
        "AND substr(idx.path, 1, length(root.path)) = root.path "
        f"LEFT JOIN {quote(Quiz._meta.db_table)} fq ON fq.id = c.final_quiz_id "
        f"LEFT JOIN ({page} lpg JOIN {quote(LessonPage._meta.db_table)} l "
        "ON l.page_ptr_id = lpg.id) "
        "ON lpg.live AND lpg.depth = cpg.depth + 1 "
        f"AND lpg.path BETWEEN cpg.path || '{first}' AND cpg.path || '{last}' "
        f"LEFT JOIN {quote(LessonProgress._meta.db_table)} pr "
        "ON pr.lesson_id = lpg.id AND pr.course_id = cpg.id AND pr.user_id = %s "
        # The stored body of the lesson asked for only.
        f"LEFT JOIN {quote(LessonBody._meta.db_table)} lb "
        "ON lb.page_id = lpg.id AND lpg.slug = %s AND lb.language = %s "
        "WHERE s.hostname = %s OR s.is_default_site "
        "ORDER BY s.id, lpg.path"
    )


def _moment(value):
    """A MAX(finished_at) as the ORM would return the column."""
    if value is None or isinstance(value, dt.datetime):
        return value
    column = Attempt._meta.get_field("finished_at").get_col("a")
    for convert in connection.ops.get_db_converters(column):
        value = convert(value, column, connection)
    return value


def course_rows(
    *,
    hostname: str,
    index_slug: str,
    course_slug: str,
    user_id: int | None,
    lesson_slug: str | None = None,
    language: str = "",
) -> list:
    """A ``CourseRead`` for each site matching ``hostname`` or the default site, in
    site order (``site_for`` chooses among them as Wagtail does). With
    ``lesson_slug``, the lesson's body stored for ``language`` comes too."""
    g = _groups()
    groups = [g[k] for k in GROUPS]
    params = [user_id, user_id, course_slug, index_slug, user_id]
    rows = fetch(
        _statement(connection.vendor),
        [*params, lesson_slug, language, hostname],
        [*groups, Expressions("", "", "", "")],
    )
    reads: dict[int, CourseRead] = {}
    # The site, root, course and quiz repeat on each lesson's row: built once.
    shared = len(g["site"]) + len(g["root"]) + len(g["course"]) + len(g["quiz"])
    for values in rows:
        read = reads.get(values[0])  # the site's id comes first
        if read is None:
            site, at = g["site"].split(values, 0)
            root, at = g["root"].split(values, at)
            course, at = g["course"].split(values, at)
            quiz, at = g["quiz"].split(values, at)
            Site._meta.get_field("root_page").set_cached_value(site, root)
            read = reads[site.pk] = CourseRead(site=site, lesson_slug=lesson_slug)
            if course is not None:
                course_guarded, final_pass = values[-4], values[-1]
                CoursePage._meta.get_field("final_quiz").set_cached_value(course, quiz)
                read.course, read.course_guarded = course, bool(course_guarded)
                if course.final_quiz_id and final_pass is not None:
                    read.passes[course.final_quiz_id] = _moment(final_pass)
        lesson, at = g["lesson"].split(values, shared)
        progress, at = g["progress"].split(values, at)
        body, at = g["body"].split(values, at)
        lesson_guarded, lesson_pass = values[at + 1 : at + 3]
        if body is not None:
            read.body = body
        if lesson is None:
            continue
        read.lessons.append(lesson)
        read.guarded[lesson.pk] = bool(lesson_guarded)
        if progress is not None:
            read.progress[lesson.pk] = progress
        if lesson.gate_quiz_id and lesson_pass is not None:
            read.passes[lesson.gate_quiz_id] = _moment(lesson_pass)
    return list(reads.values())


def site_for(reads: list[CourseRead], *, hostname: str, port: int) -> CourseRead | None:
    """The read of the site Wagtail would serve the request from (as
    ``wagtail.models.sites.get_site_for_hostname`` chooses), or None."""

    def rank(read: CourseRead) -> int:
        site = read.site
        if site.hostname == hostname:
            return 0 if site.port == port else (1 if site.is_default_site else 3)
        return 2  # the default site, under another name

    ordered = sorted(reads, key=rank)
    if not ordered:
        return None
    if len(ordered) == 1 or rank(ordered[0]) in (0, 1):
        return ordered[0]
    if rank(ordered[0]) == 2:
        # The default and exactly one site of this name: that site; else the default.
        return ordered[1] if len(ordered) == 2 else ordered[0]
    return None
