"""Test settings: the embedded defaults, made fast and deterministic."""

from .settings import *  # noqa: F401,F403
from .settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
MEDIA_ROOT = "/tmp/platform-test-media"
PRIVATE_STORAGE_ROOT = "/tmp/platform-test-private"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}

# Tasks run inline in tests; the worker tests (tests/conftest.py: celery_worker) switch
# to a real worker process.
CELERY_TASK_ALWAYS_EAGER = True
