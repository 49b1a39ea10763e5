"""The push to an outside LRS against a local receiver that times out and fails."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from api.lrs import LrsUnavailable, lrs_push
from api.models import LrsPushMark
from api.tasks import lrs_push_statements
from tests.api.conftest import fetch_all
from tests.api.xapi_rules import statement_errors

pytestmark = pytest.mark.django_db


class Receiver:
    """An LRS stand-in: answers from a script of faults, stores by statement id."""

    def __init__(self):
        self.script: list[str] = []
        self.stored: dict[str, dict] = {}
        self.received = 0
        self.auth: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.auth.append(self.headers.get("Authorization", ""))
                fault = receiver.script.pop(0) if receiver.script else "ok"
                if fault == "timeout":
                    time.sleep(1.5)
                    return self._answer(200)  # too late: the client gave up
                if fault == "500":
                    return self._answer(500)
                if fault == "409":
                    return self._answer(409)
                if fault == "store-then-500":
                    receiver.keep(json.loads(body))
                    return self._answer(503)
                receiver.keep(json.loads(body))
                self._answer(200)

            def do_PUT(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                statement = json.loads(body)
                assert self.path.endswith(f"statementId={statement['id']}")
                if statement["id"] in receiver.stored:
                    return self._answer(409)
                receiver.keep([statement])
                self._answer(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"

    def keep(self, statements):
        for statement in statements:
            self.received += 1
            # An LRS keeps one statement per id.
            self.stored.setdefault(statement["id"], statement)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def push_settings(receiver, **extra):
    return override_settings(
        XAPI_LRS_ENDPOINT=receiver.url,
        XAPI_LRS_KEY="key",
        XAPI_LRS_SECRET="secret",
        XAPI_LRS_BATCH=3,
        XAPI_LRS_TIMEOUT=0.5,
        **extra,
    )


def test_faults_then_success_lose_and_duplicate_nothing(
    receiver,
    learning,
    api_as,
    leadership,
):
    expected = [s["id"] for s in fetch_all(api_as(leadership))]
    receiver.script = ["timeout", "500", "store-then-500"]
    with push_settings(receiver):
        for _fault in range(3):
            with pytest.raises(LrsUnavailable):
                lrs_push()
            assert LrsPushMark.objects.get().position is None
        assert LrsPushMark.objects.get().last_error
        delivered = lrs_push()
    assert sorted(receiver.stored) == sorted(expected)
    assert delivered == len(expected)
    mark = LrsPushMark.objects.get()
    assert mark.pushed == len(expected) and mark.last_error == ""
    assert receiver.auth[-1].startswith("Basic ")
    for statement in receiver.stored.values():
        assert statement_errors(statement) == []


def test_a_second_run_sends_only_new_statements(
    receiver,
    learning,
    people,
):
    from django.utils import timezone

    from tests.campaigns.factories import complete, make_course

    with push_settings(receiver):
        first = lrs_push()
        assert lrs_push() == 0
        received = receiver.received
        course = make_course(learning["course"].get_parent().get_parent(), "NEW-1")
        complete(people["G2"].user, course, timezone.localdate())
        assert lrs_push() == 1
    assert receiver.received == received + 1
    assert len(receiver.stored) == first + 1


def test_a_failure_in_a_later_batch_keeps_the_earlier_ones(
    receiver,
    learning,
):
    receiver.script = ["ok", "500"]
    with push_settings(receiver):
        with pytest.raises(LrsUnavailable):
            lrs_push()
        assert LrsPushMark.objects.get().pushed == 3
        remaining = lrs_push()
    assert len(receiver.stored) == 3 + remaining
    assert receiver.received == len(receiver.stored)


def test_the_task_retries_until_the_lrs_answers(receiver, learning):
    receiver.script = ["500"]
    with push_settings(receiver, CELERY_TASK_EAGER_PROPAGATES=False):
        result = lrs_push_statements.apply()
    # Eagerly the retry runs at once: the first try failed, the retry delivered all.
    assert result.successful()
    assert len(receiver.stored) == LrsPushMark.objects.get().pushed > 0


def test_nothing_is_pushed_without_an_endpoint(learning):
    assert lrs_push() == 0
    assert not LrsPushMark.objects.exists()


def test_a_conflict_sends_one_by_one_and_never_overwrites(
    receiver,
    learning,
):
    with push_settings(receiver):
        lrs_push()
        known = dict(receiver.stored)
        LrsPushMark.objects.update(position=None, pushed=0)
        receiver.script = ["409"] * 10
        lrs_push()
    assert receiver.stored == known
    assert LrsPushMark.objects.get().pushed == len(known)
