"""config.sql.Columns builds the instances the ORM would, without running __init__."""

import pytest
from django.db.models.signals import post_init
from wagtail.models import Page

from config.sql import Columns, fetch
from learning.models import LessonPage, LessonProgress
from learning.sql import EDITOR_FIELDS
from tests.factories import StaffFactory
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    read_and_mark_done,
)

pytestmark = pytest.mark.django_db


def _built(columns: Columns, pk: int):
    where = columns.parent_alias or columns.alias
    join = (
        f" JOIN {Page._meta.db_table} {columns.parent_alias} "
        f"ON {columns.parent_alias}.id = {columns.alias}.page_ptr_id"
        if columns.parent_alias
        else ""
    )
    rows = fetch(
        f"SELECT {columns.select()} FROM {columns.table}{join} WHERE {where}.id = %s",
        [pk],
        [columns],
    )
    return columns.build(rows[0])


def _fields(instance) -> dict:
    return {
        f.attname: getattr(instance, f.attname)
        for f in type(instance)._meta.concrete_fields
        if f.attname in instance.__dict__
    }


@pytest.fixture
def lesson(reference_data):
    course = make_course(catalogue(reference_data), code="COL-1", lessons=2)
    return lessons_of(course)[0]


def test_a_page_type_is_built_as_the_orm_builds_it(lesson):
    columns = Columns(LessonPage, "l", parent_alias="lp", exclude=EDITOR_FIELDS)
    built = _built(columns, lesson.pk)
    orm = LessonPage.objects.defer(*EDITOR_FIELDS).get(pk=lesson.pk)
    assert type(built) is LessonPage
    assert _fields(built) == _fields(orm)
    assert built.get_deferred_fields() == orm.get_deferred_fields()
    assert (built._state.adding, built._state.db) == (False, "default")
    # It behaves as a loaded page: its body is a stream, a left-out field loads.
    assert [b.block_type for b in built.body] == [b.block_type for b in orm.body]
    assert built.draft_title == orm.draft_title
    assert built.specific is built


def test_a_built_row_saves_as_an_update(lesson):
    learner = StaffFactory().user
    read_and_mark_done(user=learner, lesson=lesson)
    progress = LessonProgress.objects.get(user=learner, lesson=lesson)
    built = _built(Columns(LessonProgress, "p"), progress.pk)
    assert _fields(built) == _fields(progress)
    assert built.user == learner  # the foreign key's object loads on demand
    built.completed_at = None
    built.save(update_fields=["completed_at"])
    assert LessonProgress.objects.filter(pk=progress.pk, completed_at=None).exists()
    assert LessonProgress.objects.count() == 1


def test_construction_runs_as_written_when_something_watches_it(lesson, monkeypatch):
    """A post_init receiver, or a class with an __init__ of its own, gets the ORM's
    construction."""
    seen = []

    def watch(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(watch, sender=LessonPage)
    try:
        _built(Columns(LessonPage, "l", parent_alias="lp"), lesson.pk)
    finally:
        post_init.disconnect(watch, sender=LessonPage)
    assert seen == [lesson.pk]

    original = LessonProgress.__init__
    made = []

    def own_init(self, *args, **kwargs):
        made.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(LessonProgress, "__init__", own_init)
    learner = StaffFactory().user
    read_and_mark_done(user=learner, lesson=lesson)
    pk = LessonProgress.objects.values_list("pk", flat=True).get()
    made.clear()
    assert _built(Columns(LessonProgress, "p"), pk).pk == pk
    assert len(made) == 1
