"""Where files live: the STORAGES setting, built from environment variables.

Every file the platform writes goes through a Django storage, never a path on one
machine's disk: Wagtail images and documents through ``default``, report exports and
uploaded import files through ``private`` (config/storage.py). Any web node or
Celery worker can then read what another one wrote, provided the storages are shared:

- ``STORAGE_BACKEND=filesystem`` (the default): ``MEDIA_ROOT`` and
  ``PRIVATE_STORAGE_ROOT`` on the local disk. One machine, or several that mount the
  same network file system at these paths.
- ``STORAGE_BACKEND=s3``: an S3-compatible object store (MinIO, or an intranet object
  store that speaks the S3 API) through django-storages, which is then required
  (requirements-s3.txt). Media and private files go to two buckets: the media bucket
  may be readable through the proxy, the private bucket never is.

This module reads only the environment; it imports neither django-storages nor boto3,
so the settings load without them when the file system is used.
"""

from __future__ import annotations

from typing import Any

import environ

S3_STORAGE = "storages.backends.s3.S3Storage"
PRIVATE_S3_STORAGE = "config.s3.PrivateS3Storage"
BACKENDS = ("filesystem", "s3")


def _s3_connection(env: environ.Env) -> dict[str, Any]:
    """What both buckets share: where the store is and how to sign requests."""
    options: dict[str, Any] = {
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env("AWS_S3_REGION_NAME", default="") or None,
        "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
        # Intranet stores rarely have a wildcard DNS name per bucket, so the bucket
        # goes in the path unless the store asks for virtual-hosted addresses.
        "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
        "signature_version": env("AWS_S3_SIGNATURE_VERSION", default="s3v4"),
        "verify": env.bool("AWS_S3_VERIFY", default=True),
        # A file saved under a name that exists gets a new name, as on a disk: two
        # nodes writing at once never overwrite each other's file.
        "file_overwrite": False,
    }
    return {k: v for k, v in options.items() if v is not None}


def storages_setting(env: environ.Env, *, staticfiles: str) -> dict[str, dict]:
    """The STORAGES setting for ``STORAGE_BACKEND``, with ``staticfiles`` as given."""
    backend = env("STORAGE_BACKEND", default="filesystem").strip().lower()
    static = {"BACKEND": staticfiles}
    if backend == "filesystem":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": static,
            "private": {"BACKEND": "config.storage.PrivateStorage"},
        }
    if backend != "s3":
        raise environ.ImproperlyConfigured(
            f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}"
        )
    connection = _s3_connection(env)
    media: dict[str, Any] = {
        **connection,
        "bucket_name": env("AWS_STORAGE_BUCKET_NAME", default=""),
        "location": env("AWS_MEDIA_LOCATION", default="media"),
        # Images are linked from pages (which may be cached), so their addresses must
        # not expire: plain URLs, through the proxy when AWS_S3_CUSTOM_DOMAIN names it.
        "querystring_auth": False,
        "default_acl": None,
    }
    domain = env("AWS_S3_CUSTOM_DOMAIN", default="")
    if domain:
        media["custom_domain"] = domain
        media["url_protocol"] = env("AWS_S3_URL_PROTOCOL", default="https:")
    private: dict[str, Any] = {
        **connection,
        "bucket_name": env("AWS_PRIVATE_BUCKET_NAME", default=""),
        "location": env("AWS_PRIVATE_LOCATION", default="private"),
        # No ACL header (some intranet stores refuse them): the private bucket's own
        # policy grants nothing to anonymous readers (docs/deploy.md).
        "default_acl": None,
    }
    return {
        "default": {"BACKEND": S3_STORAGE, "OPTIONS": media},
        "staticfiles": static,
        "private": {"BACKEND": PRIVATE_S3_STORAGE, "OPTIONS": private},
    }


def uses_s3(storages: dict[str, dict]) -> bool:
    return any(
        entry.get("BACKEND") in (S3_STORAGE, PRIVATE_S3_STORAGE)
        for entry in storages.values()
    )
