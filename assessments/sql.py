"""The quiz storm's hot path as hand-written SQL: its reads, and its writes on
PostgreSQL.

Why: every learner of an office starting an exam at once runs these. Compiling the
equivalent querysets cost more CPU than the database work (see ``config.sql``), and
on PostgreSQL each write of the path is one statement instead of a transaction of
several. The figure that needs them is the quiz storm of docs/performance.md: 500
learners released at once, all acknowledged within 3 s and p95 under 1.5 s.

Each read returns what the queryset it replaces returned, and each write does what
the ORM path beside its caller in ``services/attempts.py`` does; tests compare them.
Values are always parameters; only table and column names from the models' _meta
are written into the statements.
"""

from __future__ import annotations

import functools
import json
from functools import cache
from json import dumps

from django.db import connection

from config.sql import Columns, Expressions, convert, fetch, placeholders

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

# The largest id a bigint column holds: a larger one in a URL must match nothing,
# never reach the driver (a 500).
MAX_ID = 2**63 - 1


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
        "known_item": Columns(AttemptItem, "i", ["position", "id", "option_keys"]),
        "response_id": Columns(Response, "r", ["id"]),
        "item": Columns(AttemptItem, "i"),
        "response": Columns(Response, "r"),
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


def attempt_page_read(
    *, attempt_id: int, user_id: int, version_at: int
) -> tuple[Attempt | None, list[AttemptItem]]:
    """The learner's attempt with its quiz (``attempt_with_quiz``) and its items
    (``items_with_versions(version_at=…)``) in one statement: the question page
    reads both, and they were two round trips.

    The attempt and its quiz come on the first row only."""
    c = _columns()
    attempt, quiz = c["attempt"], c["quiz"]
    item_groups = [c["item"], c["version"], c["response"]]
    # Only the first row carries the attempt and its quiz (the others' are NULL):
    # a long exam's page would otherwise read and convert them once per question.
    first = "row_number() OVER (ORDER BY i.position) = 1"
    head = ", ".join(
        f"CASE WHEN {first} THEN {column} END"
        for column in [*attempt.expressions(), *quiz.expressions()]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {head}, {', '.join(g.select() for g in item_groups)} "
            f"FROM {attempt.table} JOIN {quiz.table} ON q.id = a.quiz_id "
            f"LEFT JOIN {AttemptItem._meta.db_table} i ON i.attempt_id = a.id "
            f"LEFT JOIN {QuestionVersion._meta.db_table} v ON v.id = i.version_id "
            "AND i.position = %s "
            f"LEFT JOIN {Response._meta.db_table} r ON r.item_id = i.id "
            "WHERE a.id = %s AND a.user_id = %s ORDER BY i.position",
            [version_at, attempt_id, user_id],
        )
        rows = cursor.fetchall()
    if not rows:
        return None, []
    [head_values] = convert(rows[:1], [attempt, quiz])
    found, at = attempt.split(head_values, 0)
    _cache_related(found, "quiz", quiz.split(head_values, at)[0])
    start = len(attempt) + len(quiz)
    items = _items_from(
        convert([row for row in rows if row[start] is not None], item_groups, start)
    )
    return found, items


def items_with_versions(
    attempt_id: int, *, version_at: int | None = None
) -> list[AttemptItem]:
    """``AttemptItem.objects.filter(attempt_id=…).select_related("version",
    "response").order_by("position")``: every page of an attempt reads it.

    With ``version_at`` only the item at that position comes with its version (the
    question shown); the others load theirs when asked. The page of one question
    of a 100-question exam then decodes one question, not a hundred."""
    c = _columns()
    groups = [c["item"], c["version"], c["response"]]
    version_join = "JOIN"
    params: list = [attempt_id]
    if version_at is not None:
        version_join = "LEFT JOIN"
        params.insert(0, version_at)
    rows = fetch(
        f"SELECT {', '.join(g.select() for g in groups)} "
        f"FROM {AttemptItem._meta.db_table} i "
        f"{version_join} {QuestionVersion._meta.db_table} v ON v.id = i.version_id "
        + ("AND i.position = %s " if version_at is not None else "")
        + f"LEFT JOIN {Response._meta.db_table} r ON r.item_id = i.id "
        "WHERE i.attempt_id = %s ORDER BY i.position",
        params,
        groups,
    )
    return _items_from(rows)


def _items_from(rows: list[list]) -> list[AttemptItem]:
    """Items from converted (item, version, response) values, related as
    ``select_related("version", "response")`` relates them."""
    c = _columns()
    items = []
    reverse = AttemptItem._meta.get_field("response")
    for row in rows:
        item, at = c["item"].split(row, 0)
        version, at = c["version"].split(row, at)
        response, at = c["response"].split(row, at)
        if version is not None:
            _cache_related(item, "version", version)
        reverse.set_cached_value(item, response)
        if response is not None:
            _cache_related(response, "item", item)
        items.append(item)
    return items


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


# Writes (PostgreSQL) ------------------------------------------------------------------

_ATTEMPT = Attempt._meta.db_table
_RESPONSE = Response._meta.db_table
_ITEM = AttemptItem._meta.db_table


def attempt_insert(attempt: Attempt, items: list[AttemptItem], now) -> int | None:
    """Insert the attempt, its items and their empty responses in one statement;
    the new attempt's id, or None (nothing written) when its number exists already."""
    fields = [f for f in Attempt._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(attempt, True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH new AS (INSERT INTO {_ATTEMPT} ({columns}) VALUES "
            f"({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING id), "
            f"shown AS (INSERT INTO {_ITEM} (attempt_id, position, question_id, "
            "version_id, slot_position, points, option_keys, flagged, checked_at) "
            "SELECT new.id, v.position, v.question_id, v.version_id, v.slot_position, "
            "v.points, v.option_keys::jsonb, false, NULL FROM new CROSS JOIN "
            "unnest(%s::int[], %s::bigint[], %s::bigint[], %s::int[], %s::numeric[], "
            "%s::text[]) AS v(position, question_id, version_id, slot_position, "
            "points, option_keys) RETURNING id), "
            f"answered AS (INSERT INTO {_RESPONSE} (item_id, answer, saved_at, seq, "
            "score, fraction, needs_marking, marked_by_id, marked_at, comment) "
            "SELECT id, '{}'::jsonb, %s, 0, NULL, NULL, false, NULL, NULL, '' "
            "FROM shown) SELECT id FROM new",
            [
                *values,
                [i.position for i in items],
                [i.question_id for i in items],
                [i.version_id for i in items],
                [i.slot_position for i in items],
                [i.points for i in items],
                [json.dumps(i.option_keys) for i in items],
                now,
            ],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def seq_advance(attempt_id: int, user_id: int, seq: int, now) -> bool:
    """The save gate: bump the sequence number of an open, current, in-time attempt."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_ATTEMPT} SET seq = seq + 1 WHERE id = %s AND user_id = %s "
            "AND status = %s AND seq = %s AND (deadline IS NULL OR deadline > %s)",
            [attempt_id, user_id, Attempt.Status.IN_PROGRESS, seq, now],
        )
        return cursor.rowcount == 1


def items_known(*, attempt_id: int, user_id: int) -> list[list]:
    """Per item of the learner's attempt, in order, what never changes once the
    attempt has started: position, item id, option keys, the question's type and the
    response's id (PostgreSQL)."""
    c = _columns()
    groups = [c["known_item"], Expressions("v.data ->> 'type'"), c["response_id"]]
    return fetch(
        f"SELECT {', '.join(g.select() for g in groups)} "
        f"FROM {AttemptItem._meta.db_table} i "
        f"JOIN {Attempt._meta.db_table} a ON a.id = i.attempt_id {_item_joins()} "
        "WHERE i.attempt_id = %s AND a.user_id = %s ORDER BY i.position",
        [attempt_id, user_id],
        groups,
    )


def save_gated(
    attempt_id: int,
    user_id: int,
    seq: int,
    now,
    written: list[tuple[int, dict]],
    flagged: list[tuple[int, bool]],
    *,
    verify: bool = False,
) -> bool:
    """Pass the save gate and store answers and flags in one statement: they are
    written only through the row the gate updated, so a refused save writes nothing.

    ``verify``: the response and item ids were not read with this save (they come
    from what ``items_known`` read earlier), so the gate also refuses unless every
    response belongs to this attempt through an item not yet checked, and every
    flagged item belongs to this attempt."""
    checks, check_params = "", []
    # Each check only when there is something to check: a check costs about 0.07 ms
    # of the database's time, as much as the read it replaces.
    if verify and written:
        response_ids = [pk for pk, _a in written]
        checks += (
            f"AND (SELECT count(*) FROM {_RESPONSE} r JOIN {_ITEM} i "
            "ON i.id = r.item_id WHERE r.id = ANY(%s::bigint[]) AND i.attempt_id = %s "
            "AND i.checked_at IS NULL) = %s "
        )
        check_params += [response_ids, attempt_id, len(set(response_ids))]
    if verify and flagged:
        item_ids = [pk for pk, _f in flagged]
        checks += (
            f"AND (SELECT count(*) FROM {_ITEM} i WHERE i.id = ANY(%s::bigint[]) "
            "AND i.attempt_id = %s) = %s "
        )
        check_params += [item_ids, attempt_id, len(set(item_ids))]
    # Only the parts a save has: an autosave of one answer carries no flags, and
    # an empty unnest still costs its CTE's planning and execution.
    parts = [
        f"WITH gate AS (UPDATE {_ATTEMPT} SET seq = seq + 1 WHERE id = %s "
        "AND user_id = %s AND status = %s AND seq = %s AND (deadline IS NULL OR "
        f"deadline > %s) {checks}RETURNING id)"
    ]
    params: list = [attempt_id, user_id, Attempt.Status.IN_PROGRESS, seq, now]
    params += check_params
    if written:
        parts.append(
            f"answered AS (UPDATE {_RESPONSE} AS r SET answer = v.answer::jsonb, "
            "seq = %s, saved_at = %s FROM gate, unnest(%s::bigint[], %s::text[]) "
            "AS v(id, answer) WHERE r.id = v.id)"
        )
        params += [
            seq + 1,
            now,
            [pk for pk, _a in written],
            [json.dumps(a) for _p, a in written],
        ]
    if flagged:
        parts.append(
            f"flags AS (UPDATE {_ITEM} AS i SET flagged = v.flagged FROM gate, "
            "unnest(%s::bigint[], %s::boolean[]) AS v(id, flagged) WHERE i.id = v.id)"
        )
        params += [[pk for pk, _f in flagged], [f for _p, f in flagged]]
    with connection.cursor() as cursor:
        cursor.execute(", ".join(parts) + " SELECT count(*) FROM gate", params)
        return cursor.fetchone()[0] == 1


def finish_gated(attempt_id: int, seq: int, finish: dict, marks: list[tuple]) -> bool:
    """Move the attempt out of "in progress" with the ``finish`` columns and store
    the (response id, fraction, score, needs_marking) ``marks``, in one statement
    gated on the status and sequence number."""
    ids, fractions, scores, needs = (
        [list(column) for column in zip(*marks, strict=True)] if marks else [[]] * 4
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gate AS (UPDATE {_ATTEMPT} SET seq = seq + 1, "
            + ", ".join(f"{column} = %s" for column in finish)
            + " WHERE id = %s AND status = %s AND seq = %s RETURNING id), "
            f"marked AS (UPDATE {_RESPONSE} AS r SET fraction = v.fraction, "
            "score = v.score, needs_marking = v.needs_marking FROM gate, "
            "unnest(%s::bigint[], %s::numeric[], %s::numeric[], %s::boolean[]) "
            "AS v(id, fraction, score, needs_marking) WHERE r.id = v.id) "
            "SELECT count(*) FROM gate",
            [
                *finish.values(),
                attempt_id,
                Attempt.Status.IN_PROGRESS,
                seq,
                ids,
                fractions,
                scores,
                needs,
            ],
        )
        return cursor.fetchone()[0] == 1


# Bulk writes of the question importers -------------------------------------------
#
# Why: a bank of 100,000 questions is 100,000 questions, their options, first
# versions, search entries and references. Django's bulk_create of the questions
# alone ran at under 2,000 rows/s on the shared machine (docs/performance.md); one
# COPY per table and batch writes the same rows several times faster.


def copy_rows(model, names: list[str], rows: list[list], *, ids: bool = False):
    """``model.objects.bulk_create(model(**dict(zip(names, row))) for row in rows)``
    as one COPY on PostgreSQL; the ORM elsewhere (the reference the tests compare).

    ``names`` are field attnames (``question_id``), and values are what the fields
    hold (``auto_now`` fields included): no model instance is built on PostgreSQL,
    which was most of the cost of 100,000 rows. With ``ids`` the new primary keys
    are returned in row order (on PostgreSQL taken from the sequence first).
    """
    if not rows:
        return []
    meta = model._meta
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows],
            batch_size=2000,
        )
        return [obj.pk for obj in objs]
    by_attname = {f.attname: f for f in meta.concrete_fields}
    fields = [by_attname[name] for name in names]
    # JSON goes as its text (what the field's own adapter sends, without the
    # wrapper per value); every other value is written as it is.
    json_at = [n for n, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    encoders = {n: functools.partial(dumps, cls=fields[n].encoder) for n in json_at}
    new_ids: list[int] = ids_reserve(model, len(rows)) if ids else []
    columns = ([meta.pk.column] if ids else []) + [f.column for f in fields]
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(meta.db_table), ", ".join(quote(c) for c in columns)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for n, row in enumerate(rows):
            if json_at:
                row = list(row)
                for at in json_at:
                    row[at] = None if row[at] is None else encoders[at](row[at])
            copy.write_row([new_ids[n], *row] if ids else row)
    return new_ids


def ids_reserve(model, count: int) -> list[int]:
    """``count`` new primary keys of ``model`` from its sequence (PostgreSQL)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def search_entries_upsert(model, objs: list, *, config: str | None) -> None:
    """What the PostgreSQL search backend's ``add_bulk(model, objs)`` writes, as one
    statement: the backend builds and compiles a search-vector expression per object,
    which took more than half of a question import's time. ``objs`` may be
    instances or plain objects with the fields' attributes.

    Each vector is ``setweight(to_tsvector(config, text), weight)`` per search
    field, joined with ``||``; the title's norm is left at 1.0 as the backend writes
    it (questions have no title, so the backend's refresh leaves them alone too).
    """
    from modelsearch.backends.database.postgres.weights import get_weight
    from wagtail.search.index import AutocompleteField, SearchField
    from wagtail.search.models import IndexEntry
    from wagtail.search.utils import get_content_type_pk

    if not objs:
        return
    groups: dict[str, list[tuple]] = {"title": [], "auto": [], "body": []}
    for field in model.get_search_fields():
        if isinstance(field, SearchField):
            group = "title" if field.field_name == "title" else "body"
            groups[group].append((field, get_weight(field.boost), config))
        elif isinstance(field, AutocompleteField):
            groups["auto"].append((field, "D", "simple"))
    select_params: list = [get_content_type_pk(model)]
    arrays: list = [[str(obj.pk) for obj in objs]]
    vectors: dict[str, str] = {}
    plain: dict[str, list[str]] = {}
    for group, fields in groups.items():
        parts, values = [], []
        for field, weight, cfg in fields:
            assert weight in "ABCD"
            column = [
                _search_text(
                    field.get_value(obj)
                    if isinstance(obj, model)
                    else getattr(obj, field.field_name)
                )
                for obj in objs
            ]
            regconfig = ""
            if cfg:
                regconfig = "%s::regconfig, "
                select_params.append(cfg)
            parts.append(
                f"setweight(to_tsvector({regconfig}v.t{len(arrays)}), '{weight}')"
            )
            arrays.append(column)
            values.append(column)
        vectors[group] = " || ".join(parts) or "''::tsvector"
        rows = zip(*values, strict=True) if values else ([] for _ in objs)
        plain[group] = [" ".join(t for t in row if t) for row in rows]
    arrays += [plain["title"], plain["body"]]
    names = ", ".join(f"t{n}" for n in range(1, len(arrays) - 2))
    table = connection.ops.quote_name(IndexEntry._meta.db_table)
    sql = (
        f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, "
        "body, title_norm, title_text, body_text) "
        f"SELECT %s, v.object_id, {vectors['title']}, {vectors['auto']}, "
        f"{vectors['body']}, 1.0, v.title_text, v.body_text "
        f"FROM unnest({', '.join(['%s::text[]'] * len(arrays))}) "
        f"AS v(object_id, {names}, title_text, body_text) "
        "ON CONFLICT (content_type_id, object_id) DO UPDATE SET "
        "title = EXCLUDED.title, title_norm = 1.0, "
        "autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, "
        "title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, *arrays])


def _search_text(value) -> str:
    """A field's value as the backend's indexer writes it (stripped)."""
    if isinstance(value, list):
        return ", ".join(_search_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(_search_text(v) for v in value.values())
    return (value if isinstance(value, str) else str(value)).strip()


def question_ids_by_code(codes: list[str]) -> list[int]:
    """``Question.objects.filter(code__in=codes).values_list("pk", flat=True)``.

    On PostgreSQL the codes are one array parameter: compiling an IN list of a
    batch of 5,000 codes cost more than the lookup itself, and a new bank (no
    existing code) then skips loading questions altogether.
    """
    if connection.vendor != "postgresql":
        return list(
            Question.objects.filter(code__in=codes).values_list("pk", flat=True)
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Question._meta.db_table} WHERE code = ANY(%s)", [codes]
        )
        return [row[0] for row in cursor.fetchall()]
