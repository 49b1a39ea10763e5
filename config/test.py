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
# The per-address limits count every post of the whole suite from one address; the
# tests of the limits set their own.
RATE_LIMITS = {
    "sign_in": (100_000, 60),
    "password_reset": (100_000, 60),
    "api": (100_000, 60),
}
# Lessons can be marked done as soon as they were shown; the tests of the minimum
# set their own.
LESSON_MIN_SECONDS_SHOWN = 0
# Statements are served as soon as their rows exist; the settle delay has its own test.
XAPI_SETTLE_SECONDS = 0
