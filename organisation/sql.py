"""The organisation's database-specific SQL, each behind a named function.

One figure needs it: reading the signed-in user with their permissions in one query
(``StaffNumberBackend.get_user``). Every page asks ``has_perm`` for its navigation,
which cost ModelBackend two further queries per request, and compiling the equivalent
``select_related`` query cost four times the read itself. Joining the permission
names into one text column needs each database's own aggregate: ``string_agg`` on
PostgreSQL, ``group_concat`` on SQLite (the other database the product runs on).
"""

from __future__ import annotations

from django.db import connection


def joined_text(expression: str, separator: str) -> str:
    """An aggregate joining ``expression``'s values with ``separator``.

    ``separator`` is quoted here as an SQL string literal; it is a fixed text of the
    caller's, never a value from a request.
    """
    literal = "'" + separator.replace("'", "''") + "'"
    if connection.vendor == "postgresql":
        return f"string_agg({expression}, {literal})"
    return f"group_concat({expression}, {literal})"
