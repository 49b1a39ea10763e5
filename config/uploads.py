"""An upload handler that stops receiving an import file once it passes the cap.

The import forms refuse a file whose ``size`` is over IMPORT_UPLOAD_MAX_BYTES before
it is stored or read. Without this handler Django would still spool the whole body
(a 300 MB CSV) to a temporary file first; with it, bytes past the cap are counted and
dropped, and the form receives an empty stand-in that carries the real size, so the
same size check refuses it with the same message.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import Resolver404, resolve

# The admin addresses whose uploads are import files (url names as resolved).
CAPPED_VIEWS = {"organisation_imports", "assessments_admin:transfer"}


class OversizeUpload(SimpleUploadedFile):
    """An upload that was too large to keep: no content, only its real size."""

    def __init__(self, name: str, content_type: str | None, size: int):
        super().__init__(name, b"", content_type)
        self.size = size


class ImportSizeCapHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.capped = False
        if request is not None:
            try:
                self.capped = resolve(request.path_info).view_name in CAPPED_VIEWS
            except Resolver404:
                self.capped = False
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.capped and self.received > settings.IMPORT_UPLOAD_MAX_BYTES:
            return None  # past the cap: the later handlers write nothing more
        return raw_data

    def file_complete(self, file_size):
        if self.capped and self.received > settings.IMPORT_UPLOAD_MAX_BYTES:
            return OversizeUpload(self.file_name, self.content_type, self.received)
        return None
