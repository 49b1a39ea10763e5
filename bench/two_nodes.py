"""The quiz storm on two web nodes behind nginx, beside the same storm on one node.

A manual bench (it needs Debian's nginx package: ``apt-get install nginx``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_two_bench \\
        .venv/bin/python -m bench.two_nodes --size S --workers 3

Each "node" is a gunicorn of its own on its own port; both use the one PostgreSQL and
the one Redis (``BENCH_REDIS_URL``, default redis://127.0.0.1:6379/3: cache, cached
sessions, locks and rate limits), as two machines would. The command builds what
bench.quiz_storm builds (migrate + seed_demo when the database is new, the storm quiz,
the learners and their sessions) and then measures, in this order and in the same
invocation:

1. **one node**: the storm straight against one gunicorn, as bench.quiz_storm does;
2. **one node behind nginx**: the same through the balancer (the cost of the hop);
3. **one node of twice the workers behind nginx**: as many workers as the two nodes;
4. **two nodes behind nginx**: two gunicorns of ``--workers`` each, balanced by nginx
   (round robin: a learner's start, save and submit are not kept on one node).

Before each, every learner's earlier attempts are deleted, a small uncounted storm
warms the workers, and the bare write view takes the same concurrency (the baseline of
that path). nginx runs from a configuration written to a temporary directory, with its
own pid file, logs and port, in the foreground of a process this command started and
stops by its process id; nothing is installed as a service. Its access log tells how
many requests each node answered, and for how many learners the three requests were
answered by more than one node (state that lived in one node would fail those).

Prints one JSON summary: per mode the storm's all-acknowledged time, p50/p95/max,
errors, acknowledged answers missing from the database (must be 0), attempts finished
(must be every learner), the baseline and the requests per node; and the load average.
With ``--output`` the summary is also written to that file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_two_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/3"
# Storm learners per size, as bench.run plans them.
LEARNERS = {"S": 100, "M": 500}

NGINX_CONF = """\
daemon off;
master_process on;
{user}worker_processes 1;
worker_rlimit_nofile 8192;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format upstream '$upstream_addr $status $request_time $cookie_sessionid';
    access_log {tmp}/access.log upstream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 25m;
    upstream platform {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://platform;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_config(tmp: Path, port: int, upstreams: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    # Started as root, nginx would hand its workers to an unprivileged user that
    # cannot enter the private temporary directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return NGINX_CONF.format(tmp=tmp, port=port, servers=servers, user=user)


class Nginx:
    """nginx in the foreground from its own configuration, balancing ``upstreams``."""

    def __init__(self, upstreams: list[int]):
        from bench.harness import Service

        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise SystemExit("nginx is not installed (apt-get install nginx)")
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        self.port = free_port()
        conf = self.tmp / "nginx.conf"
        conf.write_text(nginx_config(self.tmp, self.port, upstreams))
        self.service = Service(
            f"nginx-{self.port}",
            [binary, "-p", str(self.tmp), "-e", str(self.tmp / "error.log")]
            + ["-c", str(conf)],
            dict(os.environ),
        )
        self._wait()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait(self) -> None:
        import requests

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.service.proc.poll() is not None:
                self.stop()
                raise SystemExit("nginx exited: " + self._errors())
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("nginx did not answer within 30 s: " + self._errors())

    def _errors(self) -> str:
        log = self.tmp / "error.log"
        return log.read_text()[-2000:] if log.exists() else ""

    def _lines(self) -> list[list[str]]:
        log = self.tmp / "access.log"
        return (
            [line.split() for line in log.read_text().splitlines()]
            if log.exists()
            else []
        )

    def requests_per_node(self) -> dict[str, int]:
        return dict(Counter(fields[0] for fields in self._lines()))

    def sessions_across_nodes(self, sessions: list[str]) -> int:
        """How many of ``sessions`` had requests answered by more than one node."""
        wanted = set(sessions)
        nodes: dict[str, set[str]] = {}
        for fields in self._lines():
            if len(fields) == 4 and fields[3] in wanted:
                nodes.setdefault(fields[3], set()).add(fields[0])
        return sum(1 for seen in nodes.values() if len(seen) > 1)

    def stop(self) -> None:
        self.service.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_mode(
    name: str, nodes: int, workers: int, proxied: bool, fixtures: dict
) -> dict:
    """Start ``nodes`` gunicorns of ``workers`` each (and nginx in front when
    ``proxied``), storm, stop."""
    from django.db import connections

    from bench.harness import log, start_gunicorn
    from bench.quiz_storm import (
        attempts_finished,
        baseline,
        lost_answers,
        storm,
        storm_reset,
    )

    storm_reset(fixtures["quiz"], fixtures["users"])
    connections.close_all()
    ports = [free_port() for _ in range(nodes)]
    services: list = []
    proxy = None
    try:
        for n, port in enumerate(ports, start=1):
            services.append(start_gunicorn(port, workers, f"gunicorn-node{n}"))
        if proxied:
            proxy = Nginx(ports)
            base = proxy.base
        else:
            base = f"http://127.0.0.1:{ports[0]}"
        log(f"{name}: warming up, baseline, storm of {len(fixtures['counted'])}")
        load = os.getloadavg()
        positions, slug = fixtures["positions"], fixtures["quiz"].slug
        storm(base, fixtures["warm"], positions, slug)
        baseline(base, len(fixtures["warm"]))
        base_figures = baseline(base, len(fixtures["counted"]))
        figures = storm(base, fixtures["counted"], positions, slug)
        per_node = proxy.requests_per_node() if proxy else None
        across = proxy.sessions_across_nodes(fixtures["counted"]) if proxy else None
    finally:
        if proxy:
            proxy.stop()
        for service in reversed(services):
            service.stop()
    acknowledged = figures.pop("acknowledged")
    attempts = figures.pop("attempts")
    result = {
        "mode": name,
        "nodes": nodes,
        "workers_per_node": workers,
        "behind_nginx": proxied,
        "load_average_before": [round(x, 2) for x in load],
        "all_acked_s": figures["all_acked_s"],
        "p50_ms": figures["overall"]["p50_ms"],
        "p95_ms": figures["overall"]["p95_ms"],
        "max_ms": figures["overall"]["max_ms"],
        "errors": figures["errors"],
        "error_kinds": figures["error_kinds"],
        "acknowledged_answers": len(acknowledged),
        "lost_answers": lost_answers(acknowledged),
        "attempts_started": len(attempts),
        "attempts_finished": attempts_finished(attempts),
        "baseline": {
            "all_acked_s": base_figures["all_acked_s"],
            "p50_ms": base_figures["overall"]["p50_ms"],
            "p95_ms": base_figures["overall"]["p95_ms"],
            "errors": base_figures["errors"],
        },
        "requests_per_node": per_node,
        "learners_served_by_both_nodes": across if nodes > 1 else None,
    }
    connections.close_all()
    log(f"{name}: {json.dumps(result, ensure_ascii=False)}")
    return result


def prepare(learners: int, warmup: int) -> dict:
    from django.db import connection, connections

    from bench.quiz_storm import (
        _setup,
        sessions_for,
        storm_learners,
        storm_positions,
        storm_quiz,
    )

    _setup(os.environ["DATABASE_URL"], reuse=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_write (slot integer PRIMARY KEY, "
            "value text NOT NULL)"
        )
    quiz = storm_quiz()
    users = storm_learners(learners + warmup)
    sessions = sessions_for(users)
    connections.close_all()
    return {
        "quiz": quiz,
        "positions": storm_positions(quiz),
        "users": users,
        "warm": sessions[:warmup],
        "counted": sessions[warmup:],
    }


def held(mode: dict, learners: int) -> bool:
    return (
        mode["lost_answers"] == 0
        and mode["errors"] == 0
        and mode["attempts_finished"] == learners
        and mode["all_acked_s"] is not None
    )


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(LEARNERS), default="S")
    parser.add_argument("--learners", type=int, help="storm learners (default: size)")
    parser.add_argument("--warmup", type=int, default=24, help="uncounted learners")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers/node")
    parser.add_argument(
        "--two-only", action="store_true", help="skip the one-node runs"
    )
    parser.add_argument("--output", help="also write the summary to this file")
    args = parser.parse_args(argv)
    learners = args.learners or LEARNERS[args.size]

    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not url.startswith("postgres"):
        raise SystemExit("two nodes share PostgreSQL (DATABASE_URL=postgres://…)")
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    from bench.harness import _redis_answers

    if not _redis_answers(redis_url):
        raise SystemExit(f"no Redis at {redis_url}: two nodes need a shared cache")
    os.environ.update(
        {
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
        }
    )
    # As bench.quiz_storm: tasks run in the web process, so no worker is measured.
    os.environ.pop("CELERY_BROKER_URL", None)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 8192), hard), hard))

    fixtures = prepare(learners, args.warmup)
    w = args.workers
    modes = []
    if not args.two_only:
        modes = [
            ("one node", 1, w, False),
            ("one node, nginx", 1, w, True),
            # As many workers as the two nodes have together, on one node: what two
            # nodes change beyond adding workers.
            (f"one node of {2 * w} workers, nginx", 1, 2 * w, True),
        ]
    modes.append(("two nodes, nginx", 2, w, True))
    results = [run_mode(*mode, fixtures) for mode in modes]
    summary = {
        "size": args.size,
        "learners": learners,
        "questions": len(fixtures["positions"]),
        "cores": os.cpu_count(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "modes": results,
        "held": all(held(m, learners) for m in results),
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return summary


if __name__ == "__main__":
    main()
