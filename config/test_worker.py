"""Settings for the Celery worker that the worker tests start: the test database, no eager tasks."""

import os

from .settings import *  # noqa: F401,F403
from .settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
DATABASES["default"]["CONN_MAX_AGE"] = 0
# A gunicorn that the fault tests start against the test database runs tasks in-process.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("TEST_TASKS_EAGER") == "1"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Files the tests upload are written where config.test puts them.
MEDIA_ROOT = "/tmp/platform-test-media"
PRIVATE_STORAGE_ROOT = "/tmp/platform-test-private"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Fault tests (tests/faults) kill workers in the middle of a task: a short visibility
# timeout, swept every second, brings the unacknowledged message back within seconds
# instead of the production two hours.
if os.environ.get("FAULT_VISIBILITY_TIMEOUT"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ["FAULT_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
# ... and can make the worker stop dead after a chosen SQL statement.
if os.environ.get("FAULT_PAUSE_SQL"):
    CELERY_IMPORTS = ["tests.faults.worker_pause"]
