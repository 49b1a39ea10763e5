"""Hot-path reads written as plain SQL that still return what the ORM would.

The ORM compiles every query afresh; for the few reads that run on every request of
a quiz storm (the signed-in user, the quiz, the attempt being saved or submitted)
compiling costs several times the database's own work. ``Columns`` keeps the ORM's
column list and value conversions for a model, so a hand-written join returns the
same model instances and values as the queryset it replaces (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Lookup, Q
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init


def _plain_init_classes() -> tuple:
    """Classes whose ``__init__`` does nothing beyond ``Model.__init__`` for an
    instance read from the database (all its fields given by position, a primary key
    set): Django's own, modelcluster's (it only sorts out child relations passed by
    name) and Wagtail's page classes (they only set defaults when there is no id)."""
    from modelcluster.models import ClusterableModel
    from wagtail.models.pages import AbstractPage, ShowInMenusMixin

    return (models.Model, ClusterableModel, AbstractPage, ShowInMenusMixin)


class Columns:
    """Some or all concrete fields of ``model`` under a table alias in a raw SELECT."""

    def __init__(
        self,
        model,
        alias: str,
        names: list[str] | None = None,
        *,
        parent_alias: str | None = None,
        exclude: tuple[str, ...] = (),
    ):
        """``parent_alias`` is the alias of the parent table of a multi-table model
        (a Wagtail page type's wagtailcore_page), whose inherited fields it holds;
        ``exclude`` leaves fields out (they load when first read, as ``defer``)."""
        self.model = model
        self.alias = alias
        self.parent_alias = parent_alias
        if names is None:
            self.fields = [
                f for f in model._meta.concrete_fields if f.name not in exclude
            ]
        else:
            self.fields = [model._meta.get_field(n) for n in names]
        # from_db fills the fields given in the model's own order.
        position = {f: n for n, f in enumerate(model._meta.concrete_fields)}
        self._build_order = sorted(
            range(len(self.fields)), key=lambda n: position[self.fields[n]]
        )
        self.attnames = [f.attname for f in self.fields]
        self._by_vendor: dict[str, tuple[str, tuple[str, ...], list]] = {}
        self._assign: tuple[list, list] | None | bool = False  # not worked out yet

    def __len__(self) -> int:
        return len(self.fields)

    @property
    def table(self) -> str:
        return f"{self.model._meta.db_table} {self.alias}"

    def select(self) -> str:
        return self._prepared()[0]

    def expressions(self) -> list[str]:
        """Each column as it stands in the SELECT list, in order."""
        return list(self._prepared()[1])

    def _prepared(self) -> tuple[str, tuple[str, ...], list]:
        """(the column list, the columns, [(index, converters, column expression)]
        for the fields that need converting), built once per database vendor."""
        key = connection.vendor
        if key not in self._by_vendor:
            quote = connection.ops.quote_name
            steps = []
            for n, field in enumerate(self.fields):
                column = field.get_col(self._alias_of(field))
                converters = [
                    *connection.ops.get_db_converters(column),
                    *field.get_db_converters(connection),
                ]
                if converters:
                    steps.append((n, converters, column))
            columns = tuple(
                f"{self._alias_of(f)}.{quote(f.column)}" for f in self.fields
            )
            self._by_vendor[key] = (", ".join(columns), columns, steps)
        return self._by_vendor[key]

    def _alias_of(self, field) -> str:
        if self.parent_alias and field.model is not self.model:
            return self.parent_alias
        return self.alias

    def values(self, row, start: int = 0) -> list:
        """This model's values in ``row`` from ``start``, converted as the ORM does."""
        out = list(row[start : start + len(self.fields)])
        for n, converters, column in self._prepared()[2]:
            value = out[n]
            for convert in converters:
                value = convert(value, column, connection)
            out[n] = value
        return out

    def build(self, values):
        """The model instance from this model's converted ``values`` (None when the
        primary key is null: an outer join found nothing)."""
        pk = self.model._meta.pk.attname
        if pk in self.attnames and values[self.attnames.index(pk)] is None:
            return None
        model = self.model
        assign = self._assignments()
        if (
            assign is None
            or pre_init.has_listeners(model)
            or post_init.has_listeners(model)
        ):
            order = self._build_order
            return model.from_db(
                connection.alias,
                [self.attnames[n] for n in order],
                [values[n] for n in order],
            )
        # What from_db and Model.__init__ do for these values, without running
        # __init__: a page type's instance costs about 25 µs in modelcluster's
        # __init__ alone, and a lesson page builds one per lesson of its course.
        instance = model.__new__(model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = connection.alias
        stored = instance.__dict__
        plain, through_setattr = assign
        for n, attname in plain:
            stored[attname] = values[n]
        for n, attname in through_setattr:
            setattr(instance, attname, values[n])
        return instance

    def _assignments(self) -> tuple[list, list] | None:
        """(fields stored straight into the instance, fields set through their
        descriptor), or None when the model's construction must run as written (a
        class of its own with ``__init__`` or ``from_db``)."""
        if self._assign is False:
            model = self.model
            plain_classes = _plain_init_classes()
            custom = any(
                ("__init__" in vars(cls) and cls not in plain_classes)
                for cls in model.__mro__
                if issubclass(cls, models.Model)
            ) or (model.from_db.__func__ is not models.Model.from_db.__func__)
            if custom:
                self._assign = None
            else:
                plain, through_setattr = [], []
                for n, attname in enumerate(self.attnames):
                    descriptor = getattr(model, attname, None)
                    # Plain fields' descriptors only read; a foreign key's only
                    # forgets a cached related object, and a new instance has none.
                    if type(descriptor) in (
                        DeferredAttribute,
                        ForeignKeyDeferredAttribute,
                    ):
                        plain.append((n, attname))
                    else:
                        through_setattr.append((n, attname))
                self._assign = (plain, through_setattr)
        return self._assign  # type: ignore[return-value]

    def split(self, values: list, start: int):
        """(this model's instance from converted ``values`` at ``start``, next start)."""
        end = start + len(self)
        return self.build(values[start:end]), end


class Expressions:
    """Plain SQL expressions in a raw SELECT beside ``Columns``: their values come back
    as the database gives them."""

    def __init__(self, *expressions: str):
        self._expressions = expressions

    def __len__(self) -> int:
        return len(self._expressions)

    def select(self) -> str:
        return ", ".join(self._expressions)

    def expressions(self) -> list[str]:
        return list(self._expressions)

    def values(self, row, start: int = 0) -> list:
        return list(row[start : start + len(self)])


def placeholders(count: int) -> str:
    """``%s, %s, …`` for an IN list (works on every backend, unlike ``= ANY``)."""
    return ", ".join(["%s"] * count)


def among(expression: str, values: list) -> tuple[str, list]:
    """(SQL, parameters) for ``expression`` being one of ``values``.

    One array parameter on PostgreSQL: psycopg parses a statement of 10,000
    placeholders longer than the database runs it. An IN list elsewhere.
    """
    if connection.vendor == "postgresql":
        return f"{expression} = ANY(%s)", [list(values)]
    return f"{expression} IN ({placeholders(len(values))})", list(values)


class _AnyOf(Lookup):
    """``field = ANY(%s)``: the values as one array parameter (PostgreSQL)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def among_ids(field: str, ids) -> Q | Lookup:
    """``Q(field__in=ids)`` for a queryset, the ids one array parameter on PostgreSQL.

    An IN list of a batch of 5,000 ids cost psycopg more to parse than the
    database took to run the query (and ``IN (SELECT unnest(…))`` misled the
    planner into costly plans); other databases keep the plain IN list.
    """
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), list(ids))
    return Q(**{f"{field}__in": list(ids)})


@contextmanager
def without_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiler off for the rest of this block of the current
    transaction.

    Tables filled moments ago have no statistics yet, so the planner guesses
    millions of rows for a lookup of 5,000 ids and compiles it: the compiling
    took longer than the query. Elsewhere, and outside a transaction, nothing
    changes.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        before = cursor.fetchone()[0]
    yield
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', %s, true)", [before])
    except DatabaseError:
        # A failed transaction: it ends, and the setting with it.
        pass


def fetch(sql: str, params, groups: list[Columns | Expressions]) -> list[list]:
    """Run ``sql`` (selecting ``groups``' columns in order) and return each row's
    values, converted as the ORM converts them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return convert(cursor.fetchall(), groups)


def convert(rows, groups: list[Columns | Expressions], start: int = 0) -> list[list]:
    """Each row's values of ``groups``, whose columns begin at ``start``, converted
    as the ORM converts them."""
    out = []
    for row in rows:
        values, at = [], start
        for group in groups:
            values.extend(group.values(row, at))
            at += len(group)
        out.append(values)
    return out


# From this many rows an update goes through COPY: psycopg's parsing of a statement
# with 11,000 placeholders took most of the time of changing 100,000 people.
COPY_UPDATE_FROM = 500


def _update_by_copy(model, columns: list, objs: list) -> None:
    """The rows' new values copied into a scratch table, then one UPDATE … FROM it."""
    meta = model._meta
    quote = connection.ops.quote_name
    scratch = quote("changed_" + meta.db_table)
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    definition = ", ".join(
        f"{quote(c.column)} {c.cast_db_type(connection)}" for c in columns
    )
    assignments = ", ".join(
        f"{quote(c.column)} = v.{quote(c.column)}" for c in columns[1:]
    )
    plain = [c.get_internal_type() in _PLAIN_TYPES for c in columns]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} ({definition}) ON COMMIT DROP"
        )
        with cursor.copy(f"COPY {scratch} FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        getattr(obj, c.attname)
                        if raw
                        else c.get_db_prep_save(getattr(obj, c.attname), connection)
                        for c, raw in zip(columns, plain, strict=True)
                    ]
                )
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {scratch} AS v "
            f"WHERE {table}.{pk} = v.{pk}"
        )
        cursor.execute(f"DROP TABLE {scratch}")


def bulk_update(
    objs: list, fields: list[str], *, batch_size: int = 2000, model=None
) -> None:
    """``Model.objects.bulk_update(objs, fields)``, one join per batch on PostgreSQL.

    Django's bulk_update writes ``CASE WHEN pk = … THEN …`` for every row and field:
    building and evaluating it grows with the square of the batch. For 500 units it
    took 9 of the 10 seconds of an import on the shared development machine;
    ``UPDATE … FROM (VALUES …)`` writes the same values as one join. Other databases
    use the ORM's bulk_update, the reference the tests compare it with.

    With ``model`` given, ``objs`` may be plain objects with the primary key (its attname) and
    ``fields`` as attributes on PostgreSQL (instances elsewhere).
    """
    if not objs:
        return
    model = model or type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=batch_size)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    if len(objs) >= COPY_UPDATE_FROM:
        _update_by_copy(model, columns, objs)
        return
    quote = connection.ops.quote_name
    row = "(" + ", ".join(f"%s::{c.cast_db_type(connection)}" for c in columns) + ")"
    assignments = ", ".join(
        f"{quote(c.column)} = v.{quote(c.column)}" for c in columns[1:]
    )
    names = ", ".join(quote(c.column) for c in columns)
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            part = objs[start : start + batch_size]
            params = [
                c.get_db_prep_save(getattr(obj, c.attname), connection)
                for obj in part
                for c in columns
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "
                f"FROM (VALUES {', '.join([row] * len(part))}) AS v({names}) "
                f"WHERE {table}.{pk} = v.{pk}",
                params,
            )


# Column types whose Python values psycopg writes as they are; any other field (JSON,
# for one) is prepared by the field itself.
_PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _insert_columns(model, fields: list[str]) -> tuple[list, list]:
    """(the fields given, (field, value) for every other column) of an insert.

    The other columns take what a new instance would save: its default, the time
    for ``auto_now`` fields. A required column without either is the caller's bug.
    """
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    named = {f.attname for f in given}
    blank = model()
    rest = []
    for field in meta.concrete_fields:
        if field.primary_key or field.attname in named:
            continue
        value = field.pre_save(blank, add=True)
        if value is None and not field.null:
            raise ValueError(f"{meta.label}.{field.name} needs a value")
        rest.append((field, field.get_db_prep_save(value, connection)))
    return given, rest


def insert_rows(
    model, fields: list[str], rows: list[tuple], *, ids: bool = False
) -> list[int]:
    """Insert ``rows`` (each the values of ``fields``, in order) as new ``model`` rows.

    Other columns get their defaults, as a new instance would (evaluated once per
    call). Returns the new primary keys in the order of ``rows`` when ``ids`` is
    set, else nothing. No signals are sent and no ``save()`` runs, as with
    ``bulk_create``.

    On PostgreSQL the rows go through one ``COPY`` (keys drawn from the table's
    sequence first): building a model instance per row and binding its values to an
    INSERT took three quarters of a 100,000-row import. Other databases use
    ``bulk_create``, the reference the tests compare it with.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows]
        )
        return [obj.pk for obj in objs] if ids else []
    given, rest = _insert_columns(model, fields)
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [f.column for f in given] + [f.column for f, _v in rest]
    prepare = [
        (n, field)
        for n, field in enumerate(given)
        if field.get_internal_type() not in _PLAIN_TYPES
    ]
    tail = tuple(value for _f, value in rest)
    new_ids: list[int] = []
    with connection.cursor() as cursor:
        if ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                "FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            new_ids = [pk for (pk,) in cursor.fetchall()]
            columns.insert(0, meta.pk.column)
        names = ", ".join(quote(c) for c in columns)
        with cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
            for n, row in enumerate(rows):
                if prepare:
                    row = list(row)
                    for i, field in prepare:
                        row[i] = field.get_db_prep_save(row[i], connection)
                    row = tuple(row)
                copy.write_row(((new_ids[n],) if ids else ()) + tuple(row) + tail)
    return new_ids
