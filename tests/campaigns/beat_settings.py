"""Settings for the Celery worker and beat that the beat test starts (tests only):
config.test_worker, with emails written to files the test reads back."""

import os

from config.test_worker import *  # noqa: F401,F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["TEST_EMAIL_DIR"]
