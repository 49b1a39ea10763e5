"""Quiz storm: N simulated learners start, answer and submit a quiz at the same moment.

How to run (by hand, against gunicorn + PostgreSQL):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/storm
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/quiz_storm.py --prepare 500        # creates storm0001… users
    .venv/bin/gunicorn config.wsgi -w 4 -b 127.0.0.1:8000 &
    .venv/bin/python bench/quiz_storm.py http://127.0.0.1:8000 --learners 500 --quiz ind-102-final

Each learner signs in, starts the quiz, saves one answer per question (JSON save with
the sequence token) and submits; all learners are released together by a barrier.
It reports p50/p95/max latency of the saves and submits, errors, and the number of
acknowledged answers missing from the database (must be 0).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics as pystats
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(count: int) -> None:
    _django()
    from organisation.models import Unit
    from tests.factories import StaffFactory

    unit = Unit.objects.filter(level="grassroots").order_by("code").first()
    for i in range(1, count + 1):
        staff_no = f"storm{i:04d}"
        StaffFactory(unit=unit, staff_no=staff_no, name=f"压测{i}")
    print(f"{count} learners ready (password pass12345)")


def learner(base, quiz, n, barrier, results, acked):
    import requests

    s = requests.Session()
    try:
        page = s.get(f"{base}/accounts/login/", timeout=30)
        token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
        ).group(1)
        s.post(
            f"{base}/accounts/login/",
            data={
                "username": f"storm{n:04d}",
                "password": "pass12345",
                "csrfmiddlewaretoken": token,
            },
            timeout=30,
        )
        page = s.get(f"{base}/quizzes/{quiz}/", timeout=30)
        token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
        ).group(1)
        barrier.wait()
        t0 = time.perf_counter()
        page = s.post(
            f"{base}/quizzes/{quiz}/", data={"csrfmiddlewaretoken": token}, timeout=60
        )
        results.append(("start", time.perf_counter() - t0, page.status_code))
        attempt = int(re.search(r"/quizzes/attempts/(\d+)/", page.url).group(1))
        count = int(
            re.search(r"of (\d+)|共 (\d+)", page.text).groups()[0]
            or re.search(r"共 (\d+)", page.text).group(1)
        )
        seq = int(re.search(r'name="seq" value="(\d+)"', page.text).group(1))
        headers = {"X-CSRFToken": s.cookies.get("csrftoken"), "Referer": base}
        for position in range(1, count + 1):
            t0 = time.perf_counter()
            r = s.post(
                f"{base}/quizzes/attempts/{attempt}/save/",
                json={"seq": seq, "answers": {str(position): {"text": "1.31"}}},
                headers=headers,
                timeout=60,
            )
            results.append(("save", time.perf_counter() - t0, r.status_code))
            if r.status_code == 200 and r.json().get("ok"):
                seq = r.json()["seq"]
                acked.append((attempt, position))
        t0 = time.perf_counter()
        r = s.post(
            f"{base}/quizzes/attempts/{attempt}/submit/",
            data={"csrfmiddlewaretoken": s.cookies.get("csrftoken")},
            headers={"Referer": base},
            timeout=60,
        )
        results.append(("submit", time.perf_counter() - t0, r.status_code))
    except Exception as error:  # noqa: BLE001 - every failure is counted, not raised
        results.append(("error", 0.0, repr(error)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--quiz", default="ind-102-final")
    parser.add_argument("--prepare", type=int, default=0)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare)
        return
    base = args.url.rstrip("/")
    barrier = threading.Barrier(args.learners)
    results, acked = [], []
    threads = [
        threading.Thread(
            target=learner, args=(base, args.quiz, n, barrier, results, acked)
        )
        for n in range(1, args.learners + 1)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    timings = sorted(
        d for kind, d, code in results if kind != "error" and code in (200, 302)
    )
    errors = [r for r in results if r[0] == "error" or r[2] not in (200, 302)]
    _django()
    from assessments.models import Response

    missing = sum(
        1
        for attempt, position in acked
        if not Response.objects.filter(
            item__attempt_id=attempt, item__position=position
        )
        .exclude(answer={})
        .exists()
    )
    q = pystats.quantiles(timings, n=100) if len(timings) > 1 else [0] * 99
    print(
        f"requests={len(results)} p50={q[49]:.3f}s p95={q[94]:.3f}s max={max(timings or [0]):.3f}s errors={len(errors)} acknowledged={len(acked)} missing={missing}"
    )


if __name__ == "__main__":
    main()
