"""xAPI statements of the people the token user may see."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from config.http import AuthenticatedHttpRequest

from ..pagination import decode_cursor, encode_cursor, page_url
from ..xapi import Cursor, statements_page

router = Router(tags=["xapi"])

MAX_LIMIT = 500


def _since(value: str) -> Cursor:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise HttpError(400, "since must be an ISO 8601 timestamp") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return Cursor(moment)


@router.get("/xapi/statements/", summary="xAPI 1.0.3 statements, oldest first")
def statements(
    request: AuthenticatedHttpRequest,
    since: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
):
    """Statements stored after ``since`` (ISO 8601), at most ``limit``; ``more`` is
    the address of the next page, empty when there is none."""
    start = None
    if cursor:
        try:
            start = Cursor.from_list(decode_cursor(cursor))
        except (TypeError, ValueError) as exc:
            raise HttpError(400, "invalid cursor") from exc
    elif since:
        start = _since(since)
    limit = max(1, min(limit, MAX_LIMIT))
    page = statements_page(user=request.user, cursor=start, limit=limit)
    more = ""
    if page.next_cursor is not None:
        query = {"cursor": encode_cursor(page.next_cursor.as_list()), "limit": limit}
        more = page_url(request, **query)
    response = JsonResponse(
        {"statements": page.statements, "more": more},
        json_dumps_params={"ensure_ascii": False},
    )
    response["X-Experience-API-Version"] = "1.0.3"
    return response
