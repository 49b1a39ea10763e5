"""Writing many questions at once: the set-based path of the question importers.

Guarantees, row for row the same as :func:`~.questions.question_upsert` followed by
:func:`~.questions.question_publish_version` (the reference the tests compare with):

- a new code becomes a question with its options, links and first version;
- a changed question is updated, its options and links replaced when they differ,
  and its content frozen: the latest version is rewritten while no attempt has
  shown it, otherwise a new version is added, so answered attempts keep what they
  showed;
- an unchanged row writes nothing;
- what the file does not give (``None`` links, fields left out of ``fields``) is
  left as stored.

How: every lookup (questions by code, their options, links, latest versions and
whether an attempt showed them) is one query per batch of rows, every write one
bulk statement per table and batch (COPY on PostgreSQL, see ``assessments.sql``).
Bulk writes send no ``post_save``, so the search index and Wagtail's reference
index, which the per-question path updates from that signal, are written here in
bulk as well. The number of queries grows with the number of batches, never with
the number of rows in a batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backends
from wagtail.search.models import IndexEntry

from config.sql import among_ids, bulk_update, without_jit
from organisation.columns import chunks
from organisation.tabular import ImportSummary

from .. import sql
from ..models import AttemptItem, Category, Option, Question, QuestionVersion
from .questions import FIELDS, _same, _with_keys, question_content

# Rows per batch: PostgreSQL takes the codes of a batch as one array; other
# databases keep to the IN lists of the shared import layer's chunks.
BATCH = {"postgresql": 5000}
LINKS = ("indicators", "business_lines")


@dataclass
class QuestionWrite:
    """One question as a file gives it.

    ``fields`` holds names of ``questions.FIELDS`` (``category`` a Category);
    ``options`` are ``{"text", "fraction", "feedback"}`` in authored order;
    ``indicators``/``business_lines`` are codes, ``None`` when the file has no
    such column (the stored links are kept).
    """

    code: str
    row: int
    fields: dict
    options: list[dict] = field(default_factory=list)
    indicators: list[str] | None = None
    business_lines: list[str] | None = None


@dataclass
class _Batch:
    """What one batch writes."""

    # Questions are plain objects with the model's attributes (new ones get their
    # pk once written): 100,000 model instances cost seconds.
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    # Questions whose options are written anew (new ones and replaced ones).
    options: dict[int, list[_Option]] = field(default_factory=dict)
    replaced_options: list = field(default_factory=list)
    # The stored options of the other touched questions, as the plan read them.
    kept_options: dict[int, list[_Option]] = field(default_factory=dict)
    links: dict[str, list[tuple[SimpleNamespace, list[int]]]] = field(
        default_factory=lambda: {name: [] for name in LINKS}
    )
    relinked: dict[str, list[SimpleNamespace]] = field(
        default_factory=lambda: {name: [] for name in LINKS}
    )
    # Questions whose content may differ from their latest version.
    touched: list = field(default_factory=list)
    recategorised: list[SimpleNamespace] = field(default_factory=list)
    reindexed: list[SimpleNamespace] = field(default_factory=list)


def _stored(value, places: int):
    """A decimal as its column keeps it (PostgreSQL rounds half away from zero)."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _decimal_places() -> dict[str, int]:
    return {
        f.name: f.decimal_places
        for f in Question._meta.concrete_fields
        if f.get_internal_type() == "DecimalField"
    }


class _Option(NamedTuple):
    """An option as ``question_content`` reads it (stored ones are read as
    tuples: a model instance per option cost more than comparing them)."""

    text: str
    fraction: Decimal
    feedback: str


def _options(item: QuestionWrite) -> list[_Option]:
    places = Option._meta.get_field("fraction").decimal_places
    return [
        _Option(
            text=o["text"],
            fraction=_stored(Decimal(str(o.get("fraction", 0))), places),
            feedback=o.get("feedback", ""),
        )
        for o in item.options
    ]


def _option_tuples(options: list) -> list[tuple]:
    return [(o.text, Decimal(o.fraction), o.feedback) for o in options]


def _options_text(options: list) -> str:
    return " | ".join(f"{o.text} ({_plain(o.fraction)})" for o in options)


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


class _Lookups:
    """Codes and ids of the link targets, and category paths by id."""

    def __init__(self, *, links: dict[str, dict[str, int]], paths: dict[int, str]):
        self.ids = links
        self.codes = {
            name: {v: k for k, v in ids.items()} for name, ids in links.items()
        }
        self.paths = paths
        self.defaults_of = _defaults()
        self.defaults = {name: get() for name, get in self.defaults_of.items()}
        self.fresh = [
            name
            for name, value in self.defaults.items()
            if isinstance(value, (list, dict))
        ]


def questions_write(
    *,
    items: list[QuestionWrite],
    links: dict[str, dict[str, int]],
    summary: ImportSummary,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Create or update the questions of ``items`` by code, counting each row's
    outcome (with its changed fields) in ``summary``.

    ``links`` maps ``indicators`` and ``business_lines`` to {code: id}. Category
    objects in ``fields`` may be unsaved on a dry run (a category the file would
    create). A dry run plans every row and writes nothing.
    """
    paths = dict(Category.objects.values_list("id", "path"))
    lookups = _Lookups(links=links, paths=paths)
    places = _decimal_places()
    done = 0
    with without_jit():
        for part in chunks(items, BATCH.get(connection.vendor, 2000)):
            batch = _plan(part, lookups, places, summary)
            if not dry_run:
                _write(batch)
            done += len(part)
            if progress:
                progress(done, len(items))


def _plan(
    items: list[QuestionWrite],
    lookups: _Lookups,
    places: dict[str, int],
    summary: ImportSummary,
) -> _Batch:
    ids = sql.question_ids_by_code([i.code for i in items])
    names = list(lookups.defaults)
    existing: dict[str, SimpleNamespace] = {}
    if ids:
        for pk, *values in Question.objects.filter(among_ids("pk", ids)).values_list(
            "pk", *names
        ):
            stored = SimpleNamespace(**dict(zip(names, values, strict=True)))
            stored.pk = stored.id = pk
            existing[stored.code] = stored
    ids = [q.pk for q in existing.values()]
    stored_options: dict[int, list[_Option]] = defaultdict(list)
    if ids:
        for question_id, text, fraction, feedback in (
            Option.objects.filter(among_ids("question_id", ids))
            .order_by("question_id", "sort_order", "id")
            .values_list("question_id", "text", "fraction", "feedback")
        ):
            stored_options[question_id].append(_Option(text, fraction, feedback))
    stored_links: dict[str, dict[int, set[int]]] = {}
    for name in LINKS:
        stored_links[name] = defaultdict(set)
        if ids and any(getattr(i, name) is not None for i in items):
            through = getattr(Question, name).through
            other = Question._meta.get_field(name).m2m_reverse_name()
            for question_id, target in through.objects.filter(
                among_ids("question_id", ids)
            ).values_list("question_id", other):
                stored_links[name][question_id].add(target)
    batch = _Batch()
    for item in items:
        question = existing.get(item.code)
        if question is None:
            _plan_new(item, batch, lookups, places, summary)
        else:
            _plan_existing(
                item,
                question,
                batch,
                lookups,
                places,
                summary,
                stored_options[question.pk],
                {name: stored_links[name][question.pk] for name in LINKS},
            )
    return batch


def _field_values(item: QuestionWrite, places: dict[str, int]) -> dict:
    values = {}
    for name in FIELDS:
        if name not in item.fields:
            continue
        value = item.fields[name]
        if name in places:
            value = _stored(value, places[name])
        values[name] = value
    return values


def _link_ids(item: QuestionWrite, lookups: _Lookups) -> dict[str, list[int] | None]:
    result: dict[str, list[int] | None] = {}
    for name in LINKS:
        codes = getattr(item, name)
        ids = None if codes is None else [lookups.ids[name][c] for c in codes]
        result[name] = None if ids is None else list(dict.fromkeys(ids))
    return result


def _defaults() -> dict[str, Callable[[], object]]:
    return {
        f.attname: f.get_default
        for f in Question._meta.concrete_fields
        if not f.primary_key
    }


def _plan_new(item, batch: _Batch, lookups, places, summary) -> None:
    question = SimpleNamespace(**lookups.defaults)
    # Mutable defaults (lists) are the field's own, one per question.
    for name in lookups.fresh:
        setattr(question, name, lookups.defaults_of[name]())
    question.code = item.code
    question.pk = question.id = None
    for name, value in _field_values(item, places).items():
        if name == "category":
            question.category_id = value.pk
        else:
            setattr(question, name, value)
    batch.new.append(question)
    batch.options[id(question)] = _options(item)
    for name, ids in _link_ids(item, lookups).items():
        if ids:
            batch.links[name].append((question, ids))
    batch.touched.append(question)
    summary.record("created", row=item.row, key=item.code)


def _plan_existing(
    item, question, batch: _Batch, lookups, places, summary, options, links
) -> None:
    changes: dict[str, list] = {}
    fields_changed = False
    for name, value in _field_values(item, places).items():
        attname = "category_id" if name == "category" else name
        current = getattr(question, attname)
        target = value.pk if name == "category" else value
        if _same(current, target):
            continue
        if name == "category":
            changes[name] = [lookups.paths.get(current, ""), value.path]
            batch.recategorised.append(question)
        else:
            changes[name] = [_plain(current), _plain(target)]
        setattr(question, attname, target)
        batch.changed_fields.add(name)
        fields_changed = True
    wanted = _options(item)
    if _option_tuples(wanted) != _option_tuples(options):
        changes["options"] = [_options_text(options), _options_text(wanted)]
        batch.options[id(question)] = wanted
        batch.replaced_options.append(question)
    else:
        batch.kept_options[question.pk] = options
    links_changed = False
    for name, ids in _link_ids(item, lookups).items():
        if ids is None or set(ids) == links[name]:
            continue
        codes = lookups.codes[name]
        changes[name] = [
            ";".join(sorted(codes.get(i, str(i)) for i in links[name])),
            ";".join(codes[i] for i in ids),
        ]
        batch.links[name].append((question, ids))
        batch.relinked[name].append(question)
        links_changed = True
    if not changes:
        summary.record("unchanged", row=item.row, key=item.code)
        return
    if fields_changed or links_changed:
        # question.save() would have run: it stamps updated_at and re-indexes.
        batch.changed.append(question)
        batch.reindexed.append(question)
    batch.touched.append(question)
    summary.record("updated", row=item.row, key=item.code, fields=changes)


def _write(batch: _Batch) -> None:
    now = timezone.now()
    names = list(_defaults())
    for question in batch.new:
        question.updated_at = now
    ids = sql.copy_rows(
        Question,
        names,
        [[getattr(q, name) for name in names] for q in batch.new],
        ids=True,
    )
    for question, pk in zip(batch.new, ids, strict=True):
        question.pk = question.id = pk
    for question in batch.changed:
        question.updated_at = now
    changed = batch.changed
    if connection.vendor != "postgresql":
        # The ORM's bulk_update (the reference elsewhere) takes instances.
        changed = [_instance(q) for q in changed]
    bulk_update(changed, [*sorted(batch.changed_fields), "updated_at"], model=Question)
    if batch.replaced_options:
        # A raw delete: Option's delete signal only clears Wagtail references
        # from and to an option, and options have none, but it would cost two
        # queries per option.
        Option.objects.filter(
            among_ids("question_id", [q.pk for q in batch.replaced_options])
        )._raw_delete(connection.alias)
    options_by_question: dict[int, list] = {}
    rows = []
    for question in batch.new + batch.replaced_options:
        options = batch.options.pop(id(question))
        options_by_question[question.pk] = options
        rows += [
            [question.pk, o.text, o.fraction, o.feedback, n]
            for n, o in enumerate(options)
        ]
    sql.copy_rows(
        Option, ["question_id", "text", "fraction", "feedback", "sort_order"], rows
    )
    _write_links(batch)
    _write_versions(batch, options_by_question)
    _write_search_index(batch)
    _write_references(batch)


def _write_links(batch: _Batch) -> None:
    for name in LINKS:
        through = getattr(Question, name).through
        other = Question._meta.get_field(name).m2m_reverse_name()
        if batch.relinked[name]:
            through.objects.filter(
                among_ids("question_id", [q.pk for q in batch.relinked[name]])
            ).delete()
        sql.copy_rows(
            through,
            ["question_id", other],
            [
                [question.pk, target]
                for question, targets in batch.links[name]
                for target in targets
            ],
        )


def _write_versions(batch: _Batch, options: dict[int, list]) -> None:
    """Freeze the content of every new or changed question (see the module's
    guarantees); the content is what ``question_content`` reads from the rows."""
    options = {**batch.kept_options, **options}
    latest = _latest_versions(batch)
    new, rewritten = [], []
    now = timezone.now()
    for question in batch.touched:
        content = question_content(question, options.get(question.pk, []))
        version = latest.get(question.pk)
        if version is not None and _same_content(version[2], content):
            continue
        data = _with_keys(content, version[2] if version else None)
        if version is not None and not version[3]:
            rewritten.append((version[0], data))
            continue
        number = version[1] + 1 if version else 1
        new.append([question.pk, number, data, now])
    sql.copy_rows(QuestionVersion, ["question_id", "number", "data", "created_at"], new)
    objs: list[object]
    if connection.vendor == "postgresql":
        # Plain rows: an instance per version cost more than the update.
        objs = [SimpleNamespace(id=pk, data=data) for pk, data in rewritten]
    else:
        objs = [QuestionVersion(pk=pk, data=data) for pk, data in rewritten]
    bulk_update(objs, ["data"], model=QuestionVersion)


def _same_content(data: dict, content: dict) -> bool:
    """``_strip_keys(data) == content`` without copying the stored version: the
    copies cost more than the comparison, which mostly ends at the first field."""
    if "options" not in content:
        return False
    for name, value in content.items():
        if name != "options" and (name not in data or data[name] != value):
            return False
    if len(data.keys() - {"options"}) != len(content) - 1:
        return False
    stored = data.get("options", [])
    wanted = content["options"]
    return len(stored) == len(wanted) and all(
        len(o.keys() - {"key"}) == len(w)
        and all(k in o and o[k] == v for k, v in w.items())
        for o, w in zip(stored, wanted, strict=True)
    )


def _latest_versions(batch: _Batch) -> dict[int, tuple]:
    """{question id: (version id, number, data, shown by an attempt)} of the latest
    version of each touched question that existed before the batch, in one query."""
    new_ones = {id(q) for q in batch.new}
    existing = [q.pk for q in batch.touched if id(q) not in new_ones]
    if not existing:
        return {}
    versions = QuestionVersion.objects.filter(among_ids("question_id", existing))
    if connection.vendor == "postgresql":
        versions = versions.order_by("question_id", "-number").distinct("question_id")
    else:
        newest = (
            QuestionVersion.objects.filter(question=OuterRef("question"))
            .order_by("-number")
            .values("number")[:1]
        )
        versions = versions.filter(number=Subquery(newest))
    shown = Exists(AttemptItem.objects.filter(version=OuterRef("pk")))
    return {
        question_id: (pk, number, data, was_shown)
        for pk, question_id, number, data, was_shown in versions.annotate(
            shown=shown
        ).values_list("pk", "question_id", "number", "data", "shown")
    }


def _write_search_index(batch: _Batch) -> None:
    questions = batch.new + batch.reindexed
    if not questions:
        return
    if batch.reindexed and connection.vendor != "postgresql":
        # The SQLite index updates existing entries one by one; new ones go in one
        # statement. PostgreSQL's upserts all in one.
        # A trigger deletes their full-text rows.
        IndexEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Question),
            object_id__in=[str(q.pk) for q in batch.reindexed],
        )._raw_delete(connection.alias)
    for backend in get_search_backends(with_auto_update=True):
        if type(backend).__name__ == "PostgresSearchBackend":
            sql.search_entries_upsert(Question, questions, config=backend.config)
        else:
            backend.add_bulk(Question, [_instance(q) for q in questions])


def _write_references(batch: _Batch) -> None:
    """Wagtail's reference index: a question refers to its category (and figure,
    which imports never set). Only new and re-categorised questions change it."""
    if not batch.new and not batch.recategorised:
        return
    own = ContentType.objects.get_for_model(Question)
    target = ReferenceIndex._get_base_content_type(Category)
    if batch.recategorised:
        ReferenceIndex.objects.filter(
            base_content_type=own,
            object_id__in=[str(q.pk) for q in batch.recategorised],
            model_path="category",
        ).delete()
    path_hash = ReferenceIndex._get_content_path_hash("category")
    sql.copy_rows(
        ReferenceIndex,
        [
            "content_type_id",
            "base_content_type_id",
            "object_id",
            "to_content_type_id",
            "to_object_id",
            "model_path",
            "content_path",
            "content_path_hash",
        ],  # fmt: skip
        [
            [
                own.pk,
                own.pk,
                str(question.pk),
                target.pk,
                str(question.category_id),
                "category",
                "category",
                path_hash,
            ]  # fmt: skip
            for question in batch.new + batch.recategorised
        ],
    )


def _instance(question) -> Question:
    if isinstance(question, Question):
        return question
    return Question(
        pk=question.pk, **{name: getattr(question, name) for name in _defaults()}
    )
