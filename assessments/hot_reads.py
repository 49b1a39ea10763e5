"""The reads of a quiz storm's hot path, as plain SQL.

Every learner of an office starting an exam at once runs these; compiling the
equivalent querysets cost more CPU than the database work (see ``config.sql``).
Each returns what the queryset it replaces returned; tests compare them.
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from config.sql import Columns, fetch, placeholders

from .models import (
    Attempt,
    AttemptItem,
    Category,
    Question,
    QuestionVersion,
    Quiz,
    QuizSlot,
    Response,
)


@cache
def _columns() -> dict[str, Columns]:
    return {
        "quiz": Columns(Quiz, "q"),
        "attempt": Columns(Attempt, "a"),
        "slot": Columns(QuizSlot, "s"),
        "question": Columns(Question, "qn"),
        "category": Columns(Category, "c"),
        "version": Columns(QuestionVersion, "v"),
        "marking_item": Columns(AttemptItem, "i", ["checked_at", "points"]),
        "saving_item": Columns(
            AttemptItem, "i", ["position", "id", "checked_at", "flagged", "option_keys"]
        ),
        "version_data": Columns(QuestionVersion, "v", ["data"]),
        "response_id": Columns(Response, "r", ["id"]),
        "response_mark": Columns(
            Response, "r", ["id", "answer", "score", "fraction", "needs_marking"]
        ),
    }


def _cache_related(instance, name: str, value) -> None:
    instance._meta.get_field(name).set_cached_value(instance, value)


def quiz_by_slug(slug: str) -> Quiz | None:
    """``Quiz.objects.filter(slug=slug).first()``."""
    quiz = _columns()["quiz"]
    rows = fetch(
        f"SELECT {quiz.select()} FROM {quiz.table} WHERE q.slug = %s", [slug], [quiz]
    )
    return quiz.build(rows[0]) if rows else None


def attempts_seen(*, user_id: int, quiz_id: int, open_status: str) -> dict:
    """Of the user's attempts at the quiz: the newest open one's id, how many count
    (not previews) and the highest number."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MAX(id) FILTER (WHERE status = %s), "
            "COUNT(id) FILTER (WHERE NOT preview), MAX(number) "
            f"FROM {Attempt._meta.db_table} WHERE user_id = %s AND quiz_id = %s",
            [open_status, user_id, quiz_id],
        )
        open_id, used, number = cursor.fetchone()
    return {"open_id": open_id, "used": used, "number": number}


def slots_with_versions(
    quiz: Quiz,
) -> tuple[list[QuizSlot], dict[int, QuestionVersion]]:
    """The quiz's slots in order, with their fixed question and draw category
    loaded, and the current (newest) version of each fixed question."""
    c = _columns()
    slot, question, category, version = (
        c["slot"],
        c["question"],
        c["category"],
        c["version"],
    )
    versions_table = QuestionVersion._meta.db_table
    rows = fetch(
        f"SELECT {slot.select()}, {question.select()}, {category.select()}, "
        f"{version.select()} FROM {slot.table} "
        f"LEFT JOIN {question.table} ON qn.id = s.question_id "
        f"LEFT JOIN {category.table} ON c.id = s.draw_category_id "
        f"LEFT JOIN {version.table} ON v.question_id = qn.id AND v.number = "
        f"(SELECT MAX(w.number) FROM {versions_table} w WHERE w.question_id = qn.id) "
        "WHERE s.quiz_id = %s ORDER BY s.sort_order, s.id",
        [quiz.pk],
        [slot, question, category, version],
    )
    slots, versions = [], {}
    for row in rows:
        s, at = slot.split(row, 0)
        q, at = question.split(row, at)
        cat, at = category.split(row, at)
        v, _at = version.split(row, at)
        _cache_related(s, "quiz", quiz)
        _cache_related(s, "question", q)
        _cache_related(s, "draw_category", cat)
        if v is not None:
            _cache_related(v, "question", q)
            versions[q.pk] = v
        slots.append(s)
    return slots, versions


def attempt_with_quiz(*, attempt_id: int, user_id: int | None) -> Attempt | None:
    """``Attempt.objects.select_related("quiz")`` by id (and user, when given)."""
    c = _columns()
    attempt, quiz = c["attempt"], c["quiz"]
    sql = (
        f"SELECT {attempt.select()}, {quiz.select()} FROM {attempt.table} "
        f"JOIN {quiz.table} ON q.id = a.quiz_id WHERE a.id = %s"
    )
    params = [attempt_id]
    if user_id is not None:
        sql += " AND a.user_id = %s"
        params.append(user_id)
    rows = fetch(sql, params, [attempt, quiz])
    if not rows:
        return None
    found, at = attempt.split(rows[0], 0)
    _cache_related(found, "quiz", quiz.split(rows[0], at)[0])
    return found


def _item_joins() -> str:
    return (
        f"JOIN {QuestionVersion._meta.db_table} v ON v.id = i.version_id "
        f"LEFT JOIN {Response._meta.db_table} r ON r.item_id = i.id"
    )


def items_for_marking(attempt_id: int) -> list[list]:
    """Per item in order: checked_at, points, the version's data, and the response's
    id, answer, score, fraction and needs_marking."""
    c = _columns()
    groups = [c["marking_item"], c["version_data"], c["response_mark"]]
    return fetch(
        f"SELECT {', '.join(g.select() for g in groups)} "
        f"FROM {AttemptItem._meta.db_table} i {_item_joins()} "
        "WHERE i.attempt_id = %s ORDER BY i.position",
        [attempt_id],
        groups,
    )


def items_for_saving(*, attempt_id: int, user_id: int, positions) -> list[list]:
    """The learner's items at ``positions``: position, id, checked_at, flagged,
    option_keys, the version's data and the response's id."""
    c = _columns()
    groups = [c["saving_item"], c["version_data"], c["response_id"]]
    positions = sorted(positions)
    return fetch(
        f"SELECT {', '.join(g.select() for g in groups)} "
        f"FROM {AttemptItem._meta.db_table} i "
        f"JOIN {Attempt._meta.db_table} a ON a.id = i.attempt_id {_item_joins()} "
        f"WHERE i.attempt_id = %s AND a.user_id = %s "
        f"AND i.position IN ({placeholders(len(positions))})",
        [attempt_id, user_id, *positions],
        groups,
    )
