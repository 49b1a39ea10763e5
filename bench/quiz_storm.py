"""Quiz storm: N learners start, answer and submit one quiz at the same moment.

One command, against gunicorn + PostgreSQL::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_storm \\
        .venv/bin/python -m bench.quiz_storm --learners 500 --port 8100 --workers 3

It creates the database when missing (migrate + seed_demo), a five-question storm
quiz and N storm learners with sessions written straight into the database (so no
password hashing is measured), serves the platform with gunicorn (benchmark settings:
the product plus two bare baseline views) and then:

1. warms every worker up with a small storm that is not counted;
2. measures the **baseline** under the same concurrency: N clients released by one
   barrier, each posting three times to the bare write view (one row upsert);
3. measures the **storm**: N clients released by one barrier, each starts the quiz,
   saves every answer in one JSON autosave carrying the sequence token, and submits.

It prints one JSON summary: p50/p95/max per request kind and overall, errors, the time
from the barrier until every learner's answers were acknowledged, the acknowledged
answers missing from the database or stored with another value (must be 0), the
attempts finished (must be N) and the storm/baseline ratios. Load goes only to
127.0.0.1 and is bounded by N; the command stops what it started. ``--url`` measures
a server that is already running instead (it must serve bench.settings).

``bench.run`` uses this module's storm for its own storm figure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_storm"
CSRF = "benchcsrfsecretbenchcsrfsecret00"  # 32 characters: an unmasked CSRF secret
LEARNER_PREFIX = "storm"
QUIZ_SLUG = "bench-storm"


# Fixtures in the database ----------------------------------------------------------


def storm_quiz():
    """A published quiz of five questions whose answers need no option keys."""
    from assessments.models import Question, Quiz, QuizSlot

    quiz, created = Quiz.objects.get_or_create(
        slug=QUIZ_SLUG,
        defaults={"title": "基准测试：并发考试", "draft": False, "pass_mark": 60},
    )
    if created or not quiz.slots.exists():
        questions = list(
            Question.objects.filter(
                active=True, type__in=("true_false", "numeric", "short")
            ).order_by("type", "pk")[:5]
        )
        for n, question in enumerate(questions):
            QuizSlot.objects.create(quiz=quiz, question=question, sort_order=n)
    return quiz


def answer_for(kind: str, n: int):
    if kind == "true_false":
        return {"value": n % 2 == 0}
    return {"text": str(1 + n % 7)}


def storm_positions(quiz) -> list[tuple[int, str]]:
    """(position, question type) of the storm quiz's items, in the order shown."""
    import random

    from assessments.services.attempts import quiz_question_list

    if quiz.random_order or quiz.max_questions:
        raise SystemExit("the storm quiz must show fixed questions in a fixed order")
    return [
        (position, question.type)
        for position, (_slot, question) in enumerate(
            quiz_question_list(quiz, random.Random(0)), start=1
        )
    ]


def storm_learners(count: int) -> list:
    """``count`` active users with staff profiles, created in bulk when missing."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from organisation.models import StaffProfile, Unit

    names = [f"{LEARNER_PREFIX}{i:05d}" for i in range(1, count + 1)]
    have = set(
        User.objects.filter(username__in=names).values_list("username", flat=True)
    )
    missing = [n for n in names if n not in have]
    if missing:
        unit = Unit.objects.filter(level="grassroots").order_by("code").first()
        unit = unit or Unit.objects.order_by("pk").first()
        unusable = make_password(None)
        User.objects.bulk_create(
            User(username=n, password=unusable, is_active=True) for n in missing
        )
        created = User.objects.filter(username__in=missing)
        StaffProfile.objects.bulk_create(
            StaffProfile(
                user=u, staff_no=u.username, name=f"压测{u.username[-5:]}", unit=unit
            )
            for u in created
        )
    order = {n: i for i, n in enumerate(names)}
    return sorted(
        User.objects.filter(username__in=names), key=lambda u: order[u.username]
    )


def sessions_for(users) -> list[str]:
    """A signed-in session per user, written in one bulk insert."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    expiry = timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, keys = [], []
    for user in users:
        store = SessionStore()
        key = store._get_new_session_key()
        data = store.encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        rows.append(Session(session_key=key, session_data=data, expire_date=expiry))
        keys.append(key)
    Session.objects.bulk_create(rows)
    _sessions_cached(rows)
    return keys


def _sessions_cached(rows) -> None:
    """With cached sessions, put the new ones in the cache too, as signing in does:
    the storm measures the quiz, not a first read of each session from the table."""
    from importlib import import_module

    from django.conf import settings
    from django.core.cache import caches

    engine = import_module(settings.SESSION_ENGINE)
    if not settings.SESSION_ENGINE.endswith("cached_db"):
        return
    cache = caches[settings.SESSION_CACHE_ALIAS]
    entries = {}
    for row in rows:
        store = engine.SessionStore(session_key=row.session_key)
        entries[store.cache_key] = store.decode(row.session_data)
    cache.set_many(entries, settings.SESSION_COOKIE_AGE)


def storm_reset(quiz, users) -> None:
    """Forget the learners' earlier attempts so each storm starts new ones, then
    vacuum and analyse the tables the storm touches.

    A server keeps its statistics with autovacuum; a PostgreSQL run with autovacuum
    off (as on some test machines) would otherwise plan the storm's reads from no
    statistics at all and from tables full of the deleted attempts' dead rows.
    """
    from django.db import connection

    from assessments.models import Attempt, AttemptItem, Response

    Attempt.objects.filter(quiz=quiz, user__in=[u.pk for u in users]).delete()
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (Attempt, AttemptItem, Response)]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def lost_answers(acknowledged: list[tuple[int, int, dict]]) -> int:
    """Acknowledged answers that are not in the database with the acknowledged value."""
    from assessments.models import Response

    stored = {
        (attempt, position): answer
        for attempt, position, answer in Response.objects.filter(
            item__attempt_id__in={a for a, _p, _v in acknowledged}
        ).values_list("item__attempt_id", "item__position", "answer")
    }
    return sum(1 for a, p, v in acknowledged if stored.get((a, p)) != v)


def attempts_finished(attempt_ids) -> int:
    from assessments.models import Attempt

    return (
        Attempt.objects.filter(pk__in=list(attempt_ids))
        .exclude(status=Attempt.Status.IN_PROGRESS)
        .exclude(finished_at__isnull=True)
        .count()
    )


# Load generation -------------------------------------------------------------------


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def _figures(latencies: list[float]) -> dict:
    return {
        "count": len(latencies),
        "p50_ms": round(_pct(latencies, 50) * 1000, 1),
        "p95_ms": round(_pct(latencies, 95) * 1000, 1),
        "max_ms": round(max(latencies or [0]) * 1000, 1),
    }


class _Client:
    """One learner's HTTP client: plain http.client, session and CSRF cookies set.

    http.client keeps the client's own CPU cost small next to the server's (the
    client shares the machine); gunicorn's sync workers close each connection, so
    every request opens a new one.
    """

    def __init__(self, base: str, session: str | None):
        parts = urlparse(base)
        self.host, self.port = parts.hostname, parts.port or 80
        cookie = f"csrftoken={CSRF}"
        if session:
            cookie += f"; sessionid={session}"
        self.headers = {"Cookie": cookie, "X-CSRFToken": CSRF}

    def post(self, path: str, body: bytes = b"", kind: str = "form"):
        headers = dict(self.headers)
        headers["Content-Type"] = (
            "application/json"
            if kind == "json"
            else "application/x-www-form-urlencoded"
        )
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request("POST", path, body=body, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
            return reply.status, reply.getheader("Location"), data
        finally:
            conn.close()


def _release(count: int, work) -> tuple[float, list]:
    """Run ``work(i, released_at)`` in ``count`` threads released by one barrier."""
    released: list[float] = []
    barrier = threading.Barrier(
        count, action=lambda: released.append(time.perf_counter())
    )
    outcomes: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        outcomes[i] = work(i, released[0])

    threading.stack_size(512 * 1024)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return released[0], outcomes


def _timed(client: _Client, path: str, body: bytes, kind: str, log: list):
    started = time.perf_counter()
    try:
        status, location, data = client.post(path, body, kind)
    except Exception as error:  # refused or reset connections count as errors
        log.append((time.perf_counter() - started, type(error).__name__))
        return None, None, None, time.perf_counter()
    ended = time.perf_counter()
    log.append((ended - started, status))
    return status, location, data, ended


def storm(
    base: str,
    sessions: list[str],
    positions: list[tuple[int, str]],
    slug: str = QUIZ_SLUG,
) -> dict:
    """Every learner at once: start the quiz, save all answers, submit.

    Returns the figures and, under ``"acknowledged"``, the (attempt, position, answer)
    triples the server acknowledged, for ``lost_answers``.
    """

    def learner(i: int, released: float) -> dict:
        client = _Client(base, sessions[i])
        log: dict[str, list] = {"start": [], "save": [], "submit": []}
        out = {"log": log, "attempt": None, "acked_at": None, "acked": []}
        status, location, _d, _e = _timed(
            client, f"/quizzes/{slug}/", b"", "form", log["start"]
        )
        if status != 302 or not location or "/attempts/" not in location:
            return out
        attempt = int(location.split("/attempts/")[1].split("/")[0])
        out["attempt"] = attempt
        answers = {str(p): answer_for(kind, i) for p, kind in positions}
        body = json.dumps({"seq": 0, "answers": answers}).encode()
        status, _l, data, ended = _timed(
            client, f"/quizzes/attempts/{attempt}/save/", body, "json", log["save"]
        )
        if status == 200 and json.loads(data).get("ok"):
            out["acked_at"] = ended - released
            out["acked"] = [(attempt, int(p), a) for p, a in answers.items()]
        _timed(
            client, f"/quizzes/attempts/{attempt}/submit/", b"", "form", log["submit"]
        )
        return out

    _released, outcomes = _release(len(sessions), learner)
    result = _summarise(outcomes, ok={"start": 302, "save": 200, "submit": 302})
    result["attempts"] = [o["attempt"] for o in outcomes if o["attempt"]]
    result["acknowledged"] = [a for o in outcomes for a in o["acked"]]
    result["acknowledged_answers"] = len(result["acknowledged"])
    return result


def baseline(base: str, count: int) -> dict:
    """The same concurrency against the bare write view: three posts per client."""

    def client_work(i: int, released: float) -> dict:
        client = _Client(base, None)
        log: dict[str, list] = {"write": []}
        out = {"log": log, "acked_at": None}
        for n in range(3):
            status, _l, _d, ended = _timed(
                client,
                f"/bench/baseline/write/{i + 1}/",
                str(n).encode(),
                "form",
                log["write"],
            )
            if n == 1 and status == 200:
                out["acked_at"] = ended - released
        return out

    _released, outcomes = _release(count, client_work)
    return _summarise(outcomes, ok={"write": 200})


def _summarise(outcomes: list[dict], ok: dict[str, int]) -> dict:
    kinds: dict[str, dict] = {}
    every: list[float] = []
    errors: dict[str, int] = {}
    for kind, expected in ok.items():
        latencies = []
        for outcome in outcomes:
            for seconds, status in outcome["log"][kind]:
                latencies.append(seconds)
                if status != expected:
                    errors[f"{kind}:{status}"] = errors.get(f"{kind}:{status}", 0) + 1
        kinds[kind] = _figures(latencies)
        every.extend(latencies)
    acked = [o["acked_at"] for o in outcomes if o["acked_at"] is not None]
    return {
        "clients": len(outcomes),
        "requests": len(every),
        "overall": _figures(every),
        "by_kind": kinds,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "acked_clients": len(acked),
        "all_acked_s": round(max(acked), 3) if len(acked) == len(outcomes) else None,
    }


# The command -------------------------------------------------------------------------


def _ratio(a, b):
    return round(a / b, 2) if a and b else None


def _setup(url: str, reuse: bool) -> None:
    from bench.harness import _database_ensure, _manage

    fresh = _database_ensure(url, fresh=False)
    if fresh or not reuse:
        _manage("migrate", "--noinput", "-v0")
    import django

    django.setup()
    from organisation.models import Unit

    if not Unit.objects.filter(level="province").exists():
        _manage("seed_demo", "--force")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=24, help="uncounted learners")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--url", help="measure a running server instead")
    parser.add_argument("--reuse", action="store_true", help="skip migrate")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not url.startswith("postgres"):
        raise SystemExit("the quiz storm needs PostgreSQL (DATABASE_URL=postgres://…)")
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
        }
    )
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 4096), hard), hard))
    _setup(url, args.reuse)

    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_write (slot integer PRIMARY KEY, "
            "value text NOT NULL)"
        )
    quiz = storm_quiz()
    positions = storm_positions(quiz)
    users = storm_learners(args.learners + args.warmup)
    storm_reset(quiz, users)
    sessions = sessions_for(users)
    warm, counted = sessions[: args.warmup], sessions[args.warmup :]
    connections.close_all()

    from bench.harness import _port_free, start_gunicorn

    service = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        if not _port_free(args.port):
            raise SystemExit(f"port {args.port} is in use")
        service = start_gunicorn(args.port, args.workers)
        base = f"http://127.0.0.1:{args.port}"
    load_before = os.getloadavg()
    try:
        if warm:
            storm(base, warm, positions, quiz.slug)
            baseline(base, len(warm))
        base_figures = None if args.no_baseline else baseline(base, len(counted))
        figures = storm(base, counted, positions, quiz.slug)
    finally:
        if service:
            service.stop()
    acknowledged = figures.pop("acknowledged")
    attempts = figures.pop("attempts")
    figures["lost_answers"] = lost_answers(acknowledged)
    figures["attempts_started"] = len(attempts)
    figures["attempts_finished"] = attempts_finished(attempts)
    summary = {
        "learners": len(counted),
        "questions": len(positions),
        "gunicorn_workers": None if args.url else args.workers,
        "cores": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "storm": figures,
        "baseline": base_figures,
    }
    if base_figures:
        summary["ratios"] = {
            "p50": _ratio(
                figures["overall"]["p50_ms"], base_figures["overall"]["p50_ms"]
            ),
            "p95": _ratio(
                figures["overall"]["p95_ms"], base_figures["overall"]["p95_ms"]
            ),
            "all_acked": _ratio(figures["all_acked_s"], base_figures["all_acked_s"]),
        }
    summary["target_met"] = bool(
        figures["all_acked_s"] is not None
        and figures["all_acked_s"] < 3
        and figures["overall"]["p95_ms"] < 1500
        and figures["lost_answers"] == 0
        and figures["errors"] == 0
    )
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return summary


if __name__ == "__main__":
    main()
