"""The insights' PostgreSQL-only fast paths, each behind a named function.

Other databases take the ORM path in the same function, which the tests use as the
reference. Two measured figures need these paths (docs/performance.md):

- reading the answers for the gap analysis as binary COPY into numpy arrays: the
  national-scale analysis (< 60 s, < 2 GiB) spent most of its time building a
  Python tuple per answer before;
- writing a snapshot's cells with COPY FROM: the cells of a province's snapshot
  are written in one stream instead of batched INSERTs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from django.db import connection
from django.db.models import QuerySet


# Rows of COPY … (FORMAT BINARY): a field count, then each field's length and value,
# all big-endian. The answers' streams have int4 person and question, then float8s.
def _copy_row(floats: int) -> np.dtype:
    fields = [("fields", ">i2"), ("uid_len", ">i4"), ("uid", ">i4")]
    fields += [("qid_len", ">i4"), ("qid", ">i4")]
    for n in range(floats):
        fields += [(f"f{n}_len", ">i4"), (f"f{n}", ">f8")]
    return np.dtype(fields)


_COPY_HEADER = 19  # signature (11), flags (4), extension area length (4)
_ANSWER_BATCH = 1 << 20


def _copy_arrays(data: bytes, row: np.dtype) -> list[np.ndarray]:
    """Whole binary COPY rows of the given layout as arrays, one per field."""
    if len(data) % row.itemsize:
        raise ValueError("unexpected row layout in the answers' binary copy")
    rows = np.frombuffer(data, dtype=row)
    values = [name for name in row.names if not name.endswith("_len")][1:]  # type: ignore[union-attr]
    if not (rows["fields"] == len(values)).all() or not all(
        (rows[f"{name}_len"] == row[name].itemsize).all() for name in values
    ):
        raise ValueError("unexpected row layout in the answers' binary copy")
    return [
        rows[name].astype("float64" if name[0] == "f" else "int64") for name in values
    ]


def _copy_batches(cursor, select: str, floats: int, params: list | None = None):
    """Stream ``select`` (int4, int4, then ``floats`` float8 columns) out of
    PostgreSQL as binary COPY and yield its columns as arrays, a million rows or so
    at a time."""
    row = _copy_row(floats)
    for data in _copy_out(
        cursor, select, params, batch=_ANSWER_BATCH, size=row.itemsize
    ):
        yield _copy_arrays(data, row)


def _copy_header(data: bytearray) -> int:
    # The header ends with the length of an extension area (0 today).
    return _COPY_HEADER + int.from_bytes(data[15:19], "big")


def _copy_out(cursor, select: str, params: list | None, *, batch: int, size: int):
    """The rows of ``COPY (select) TO STDOUT (FORMAT BINARY)`` as bytes, ``batch``
    rows of ``size`` bytes at a time (the last batch may be shorter), without the
    header and trailer.

    Read through psycopg's copy API, which binds ``params`` and, when the consumer
    stops early, cancels the copy so that the connection can be used again. The
    bytes are gathered into large batches and parsed by numpy: parsing each of ten
    million rows in Python cost more than the server spends producing them.
    """
    import psycopg
    from django.db import DatabaseError

    pending = bytearray()
    full = batch * size
    header = True
    try:
        with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT BINARY)", params) as copy:
            while data := copy.read():
                pending += data
                if len(pending) < full:
                    continue
                if header:
                    del pending[: _copy_header(pending)]
                    header = False
                whole = len(pending) // size * size
                yield bytes(pending[:whole])
                del pending[:whole]
    except psycopg.Error as error:
        raise DatabaseError(str(error)) from error
    if header:
        del pending[: _copy_header(pending)]
    if pending[-2:] == b"\xff\xff":  # the trailer: a field count of -1
        del pending[-2:]
    if pending:
        yield bytes(pending)


def answer_columns(cursor, queryset: QuerySet, floats: int) -> Iterator[list]:
    """The rows of ``queryset`` (``uid, qid`` then ``floats`` of ``answer_score``,
    ``answer_points``) as arrays, a batch at a time: binary COPY on PostgreSQL, the
    cursor's rows elsewhere."""
    sql, params = queryset.query.sql_with_params()
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(_ANSWER_BATCH):
            uid, qid, *values = zip(*batch, strict=True)
            yield [np.array(uid, dtype="int64"), np.array(qid, dtype="int64")] + [
                np.array(v, dtype="float64") for v in values
            ]
        return
    names = ("answer_score", "answer_points")[:floats]
    casts = ", ".join(
        ["a.uid::int4", "a.qid::int4"] + [f"a.{n}::float8" for n in names]
    )
    select = f"SELECT {casts} FROM ({sql}) a"
    yield from _copy_batches(cursor.cursor, select, floats, list(params))


def cells_copy(table: str, names: Sequence[str], rows: Iterator[tuple]) -> None:
    """Write ``rows`` into ``table``'s ``names`` with COPY FROM (PostgreSQL only).

    Each row is encoded as it is sent, so that the server parses one part of the
    rows while the next is being encoded."""
    statement = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(table),
        ", ".join(connection.ops.quote_name(n) for n in names),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
