"""Loaded only into a Celery worker that a fault test starts (config.test_worker imports
it when FAULT_PAUSE_SQL is set): after the FAULT_PAUSE_AFTER-th SQL statement matching
FAULT_PAUSE_SQL has run, the worker writes FAULT_PAUSE_FILE and stops dead, so that the
test can kill it at a known point in the middle of a task."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from django.db.backends.signals import connection_created

PATTERN = re.compile(os.environ["FAULT_PAUSE_SQL"])
AFTER = int(os.environ.get("FAULT_PAUSE_AFTER", "1"))
MARKER = Path(os.environ["FAULT_PAUSE_FILE"])
_seen = {"count": 0}


def _pause(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if PATTERN.search(sql):
        _seen["count"] += 1
        if _seen["count"] == AFTER:
            MARKER.write_text(str(os.getpid()))
            time.sleep(3600)  # until the test kills the worker
    return result


def _install(sender, connection, **kwargs):
    if _pause not in connection.execute_wrappers:
        connection.execute_wrappers.append(_pause)


connection_created.connect(_install, dispatch_uid="tests.faults.worker_pause")
