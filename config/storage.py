"""The private file storage: report exports and uploaded import files.

These files hold people's data, so they never live under MEDIA_ROOT (which the proxy
serves to anyone) and they have no URL: they are read only by views that check who
asks (``private_file_response``). Their stored names are random, so nothing about a
file's campaign, unit or date can be guessed from its name; the name a person sees
is kept in a model field and sent in Content-Disposition.
"""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, HttpResponse
from django.utils.encoding import escape_uri_path
from django.utils.functional import LazyObject, cached_property, empty

# Extensions kept on stored names (so the proxy and people reading the disk can tell
# the type); anything else is stored without one.
_KEPT_EXTENSIONS = {"csv", "xlsx", "xls", "pdf", "txt", "gift", "json"}


class PrivateStorage(FileSystemStorage):
    """A file system storage outside MEDIA_ROOT with no public address."""

    @cached_property
    def base_location(self):
        # PRIVATE_STORAGE_ROOT, never MEDIA_ROOT; read when first used (and again after
        # a settings change), like the default storage does with MEDIA_ROOT.
        return self._value_or_setting(self._location, settings.PRIVATE_STORAGE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_STORAGE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        # There is deliberately no URL: every read goes through a view that checks scope.
        raise ValueError("private files have no public URL")


class _PrivateStorageProxy(LazyObject):
    """STORAGES["private"], looked up when first used and again after the setting
    changes, as Django's ``default_storage`` is: a model field built at import time
    follows the configured backend (the disk, an object store, or a test's)."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorageProxy()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage():
    """The storage declared as STORAGES["private"] (the FileFields' ``storage``)."""
    return _private


def random_name(folder: str, filename: str) -> str:
    """``<folder>/<32 random hex>.<ext>``: nothing but the extension comes from the
    file's own name."""
    suffix = PurePosixPath(filename or "").suffix.lower().lstrip(".")
    ext = f".{suffix}" if suffix in _KEPT_EXTENSIONS else ""
    return f"{folder}/{uuid.uuid4().hex}{ext}"


def export_upload_to(instance, filename: str) -> str:
    return random_name("exports", filename)


def import_upload_to(instance, filename: str) -> str:
    return random_name("imports", filename)


def private_file_response(fieldfile, *, filename: str) -> HttpResponse:
    """Answer with a private file as an attachment named ``filename``.

    With PRIVATE_STORAGE_ACCEL_PREFIX set (production behind nginx) and the files on a
    disk nginx can read, the proxy sends the bytes from its ``internal`` location;
    otherwise (no prefix, or an object store) Django streams the file.
    """
    prefix = settings.PRIVATE_STORAGE_ACCEL_PREFIX
    if prefix and isinstance(fieldfile.storage, FileSystemStorage):
        response = HttpResponse(content_type=_content_type(fieldfile.name))
        response["X-Accel-Redirect"] = (
            prefix.rstrip("/") + "/" + escape_uri_path(fieldfile.name)
        )
        response["Content-Disposition"] = _disposition(filename)
        return response
    return FileResponse(fieldfile.open("rb"), as_attachment=True, filename=filename)


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _disposition(filename: str) -> str:
    # An uploaded name is the uploader's text: keep printable ASCII only in the plain
    # parameter (no quotes, no line breaks), the full name percent-encoded beside it.
    ascii_name = "".join(
        c for c in filename if c.isascii() and c.isprintable() and c not in '"\\'
    )
    ascii_name = ascii_name or "download"
    return (
        f'attachment; filename="{ascii_name}"; '
        f"filename*=utf-8''{escape_uri_path(filename)}"
    )


def delete_quietly(fieldfile) -> None:
    """Remove a stored file; a file already gone is not an error."""
    if fieldfile and fieldfile.name:
        fieldfile.storage.delete(fieldfile.name)


def move_public_files(model, *, folder: str) -> None:
    """Move a model's files from the public default storage to the private one.

    For the data migrations that close the public exports and uploads: each file still
    under MEDIA_ROOT is copied to a random private name and removed from MEDIA_ROOT; a
    row whose file is gone from both keeps no file name.
    """
    public, private = storages["default"], storages["private"]
    for row in model.objects.exclude(file="").only("pk", "file", "filename"):
        old = row.file.name
        shown = row.filename or PurePosixPath(old).name
        if public.exists(old):
            with public.open(old, "rb") as handle:
                new = private.save(random_name(folder, old), handle)
            public.delete(old)
        elif private.exists(old):
            new = old
        else:
            new = ""
        model.objects.filter(pk=row.pk).update(file=new, filename=shown[:255])
