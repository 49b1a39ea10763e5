"""The private storage on an S3-compatible object store (STORAGE_BACKEND=s3).

Imported only when the STORAGES setting names it, so django-storages and boto3 are
needed only there (requirements-s3.txt).
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """Report exports and import uploads in a bucket nobody reads directly."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        # As on the disk: no address, not even a signed one that could be passed on.
        # Every read goes through a view that checks who asks (config/storage.py).
        raise ValueError("private files have no public URL")
