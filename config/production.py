"""Production settings: the base settings with the safety switches on.

Required variables (the system check in config/checks.py fails without them):
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL, REDIS_URL.
"""

from .object_storage import storages_setting
from .settings import *  # noqa: F401,F403
from .settings import env

DEBUG = False
PRODUCTION = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Wagtail's live preview shows the page in a same-origin frame, so framing stays
# SAMEORIGIN (frame-ancestors 'self' in the CSP says the same) instead of DENY.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = storages_setting(
    env, staticfiles="config.static.RememberedManifestStaticFilesStorage"
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
