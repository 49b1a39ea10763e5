"""Delivering the statement feed to an outside Learning Record Store (xAPI 1.0.3).

Guarantees: no statement is lost and none is stored twice. The feed is read from a
high-water mark (``LrsPushMark.position``) in its fixed order; a batch is posted to
``<endpoint>/statements`` and the mark moves past it only after a 2xx answer, in
the same transaction that holds the mark's row lock (so two pushers never send the
same batch together). A timeout, a refused connection or any other answer leaves
the mark where it was and raises ``LrsUnavailable``; the task retries later and
sends the same batch again. Statement ids are stable (api.xapi), so a batch the
LRS stored but whose answer was lost is dropped by the LRS as already known. When
the LRS answers 409 to a batch (it already holds one of those ids with other
content, e.g. a course renamed since), each statement is sent on its own with PUT
and a 409 for one of them keeps the LRS's copy: the LRS is never overwritten.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction

from .models import LrsPushMark
from .xapi import Cursor, statements_page

logger = logging.getLogger(__name__)


class LrsUnavailable(Exception):
    """The LRS did not acknowledge a batch; nothing was marked as delivered."""


def _request(method: str, url: str, body: bytes) -> int:
    headers = {
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
    }
    if settings.XAPI_LRS_KEY:
        pair = f"{settings.XAPI_LRS_KEY}:{settings.XAPI_LRS_SECRET}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(
            request, timeout=settings.XAPI_LRS_TIMEOUT
        ) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError) as error:
        # Timeouts, refused connections, resets: the batch was not acknowledged.
        raise LrsUnavailable(str(error)) from error


def _statements_url() -> str:
    return settings.XAPI_LRS_ENDPOINT.rstrip("/") + "/statements"


def _send_one_by_one(statements: list[dict]) -> None:
    for statement in statements:
        url = f"{_statements_url()}?statementId={statement['id']}"
        body = json.dumps(statement, ensure_ascii=False).encode()
        status = _request("PUT", url, body)
        if not (200 <= status < 300 or status == 409):
            raise LrsUnavailable(f"LRS answered {status}")


def _send(statements: list[dict]) -> None:
    body = json.dumps(statements, ensure_ascii=False).encode()
    status = _request("POST", _statements_url(), body)
    if status == 409:
        _send_one_by_one(statements)
    elif not 200 <= status < 300:
        raise LrsUnavailable(f"LRS answered {status}")


def _push_batch(endpoint: str) -> tuple[int, bool]:
    """Send the next batch after the mark: (statements delivered, more to come)."""
    with transaction.atomic():
        mark = LrsPushMark.objects.select_for_update().get(endpoint=endpoint)
        cursor = Cursor.from_list(mark.position) if mark.position else None
        page = statements_page(user=None, cursor=cursor, limit=settings.XAPI_LRS_BATCH)
        if not page.statements:
            return 0, False
        _send(page.statements)
        mark.position = page.last_cursor.as_list()
        mark.pushed += len(page.statements)
        mark.last_error = ""
        mark.save(update_fields=["position", "pushed", "last_error", "updated_at"])
        return len(page.statements), page.next_cursor is not None


def lrs_push(*, max_batches: int = 100) -> int:
    """Deliver what the LRS has not acknowledged yet, batch by batch; the number of
    statements delivered. Does nothing while no endpoint is configured."""
    endpoint = settings.XAPI_LRS_ENDPOINT
    if not endpoint:
        return 0
    LrsPushMark.objects.get_or_create(endpoint=endpoint)
    delivered = 0
    for _batch in range(max_batches):
        try:
            sent, more = _push_batch(endpoint)
        except LrsUnavailable as error:
            LrsPushMark.objects.filter(endpoint=endpoint).update(
                last_error=str(error)[:500]
            )
            raise
        delivered += sent
        if not more:
            break
    return delivered
