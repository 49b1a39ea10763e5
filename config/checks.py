"""System checks that keep production from running on development defaults."""

from django.conf import settings
from django.core.checks import Error, Info, register


@register()
def production_settings_check(app_configs, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            Error(
                "Production must not run on SQLite.",
                hint="Set DATABASE_URL.",
                id="platform.E001",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        errors.append(
            Error(
                "Production must not run Celery tasks eagerly.",
                hint="Set CELERY_BROKER_URL.",
                id="platform.E002",
            )
        )
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_KEY:
        errors.append(
            Error(
                "Production must set its own secret key.",
                hint="Set DJANGO_SECRET_KEY.",
                id="platform.E003",
            )
        )
    if not settings.REDIS_URL:
        errors.append(
            Error("Production needs Redis.", hint="Set REDIS_URL.", id="platform.E004")
        )
    if not settings.ALLOWED_HOSTS or settings.ALLOWED_HOSTS == [
        "127.0.0.1",
        "localhost",
        "testserver",
    ]:
        errors.append(
            Error(
                "Production must list its host names.",
                hint="Set DJANGO_ALLOWED_HOSTS.",
                id="platform.E005",
            )
        )
    if getattr(settings, "TRUSTED_PROXY_COUNT", 0) == 0:
        # Information, not a failure: a gunicorn reached directly (no proxy) sees the
        # clients' own addresses.
        errors.append(
            Info(
                "No reverse proxy is configured: behind one, every client shares the "
                "proxy's address, and one person's failed sign-ins lock out everyone.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of "
                "the platform (docs/deploy.md).",
                id="platform.I001",
            )
        )
    return errors


@register()
def private_storage_check(app_configs, **kwargs):
    """Files with people's data must not sit where the proxy serves MEDIA_ROOT."""
    from pathlib import Path

    from .object_storage import uses_s3

    if uses_s3(settings.STORAGES):
        return _object_storage_errors()
    media = Path(settings.MEDIA_ROOT).resolve()
    private = Path(settings.PRIVATE_STORAGE_ROOT).resolve()
    if private == media or private.is_relative_to(media):
        return [
            Error(
                "PRIVATE_STORAGE_ROOT is inside MEDIA_ROOT, which is served publicly.",
                hint="Point PRIVATE_STORAGE_ROOT at a directory outside MEDIA_ROOT.",
                id="platform.E020",
            )
        ]
    return []


def _object_storage_errors() -> list:
    """STORAGE_BACKEND=s3: the library is there and the buckets are named, apart."""
    import importlib.util

    errors = []
    if importlib.util.find_spec("storages") is None:
        errors.append(
            Error(
                "STORAGE_BACKEND=s3 needs django-storages, which is not installed.",
                hint="pip install -r requirements-s3.txt",
                id="platform.E021",
            )
        )
    media = settings.STORAGES["default"].get("OPTIONS", {}).get("bucket_name")
    private = settings.STORAGES["private"].get("OPTIONS", {}).get("bucket_name")
    if not media or not private:
        errors.append(
            Error(
                "STORAGE_BACKEND=s3 needs a bucket for media and one for private files.",
                hint="Set AWS_STORAGE_BUCKET_NAME and AWS_PRIVATE_BUCKET_NAME.",
                id="platform.E022",
            )
        )
    elif media == private:
        errors.append(
            Error(
                "Private files must not share the media bucket.",
                hint="Set AWS_PRIVATE_BUCKET_NAME to a bucket without anonymous "
                "access (docs/deploy.md).",
                id="platform.E023",
            )
        )
    return errors
