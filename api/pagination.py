"""Cursor pagination: a page of a queryset ordered by one unique key, and the address
of the next page.

A cursor is the last key of the page, encoded; the next page starts after it, so
rows added or removed while a client pages through never shift a page (an offset
would skip or repeat rows). The queryset is already scoped; a forged cursor only
moves the start within what the reader may see.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.errors import HttpError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


@dataclass
class Page:
    items: list
    next: str | None


def encode_cursor(value) -> str:
    raw = json.dumps(value, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except ValueError as exc:
        raise HttpError(400, "invalid cursor") from exc


def page_url(request: HttpRequest, **params) -> str:
    query = request.GET.copy()
    for name, value in params.items():
        query[name] = value
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    key: str,
    cursor: str | None,
    limit: int,
) -> Page:
    """One page of ``queryset`` ordered by the unique field ``key``."""
    limit = max(1, min(limit, MAX_LIMIT))
    queryset = queryset.order_by(key)
    if cursor:
        after = decode_cursor(cursor)
        if not isinstance(after, str | int):
            raise HttpError(400, "invalid cursor")
        queryset = queryset.filter(**{f"{key}__gt": after})
    items = list(queryset[: limit + 1])
    following = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        value = last[key] if isinstance(last, dict) else getattr(last, key)
        following = page_url(request, cursor=encode_cursor(value))
    return Page(items=items, next=following)
