"""Static file storages that remember the addresses they have given.

Every page asks for the same few addresses (``{% static %}`` for the style sheet and
scripts), and working one out (the manifest's hashed name, then quoting and joining
it to STATIC_URL) cost about 25 µs each, about 0.1 ms a page in process. Neither the
manifest nor STATIC_URL changes while a process runs; a settings change (tests)
forgets what was remembered, as Django's storages forget their cached locations.
"""

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Templates name their static files literally; this bounds the memory all the same.
REMEMBERED = 500


class RememberedUrlsMixin:
    def url(self, name, *args, **kwargs):
        if args or kwargs:
            return super().url(name, *args, **kwargs)  # type: ignore[misc]
        remembered = self.__dict__.setdefault("_remembered_urls", {})
        url = remembered.get(name)
        if url is None:
            url = super().url(name)  # type: ignore[misc]
            if len(remembered) < REMEMBERED:
                remembered[name] = url
        return url

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)  # type: ignore[misc]
        self.__dict__.pop("_remembered_urls", None)


class RememberedStaticFilesStorage(RememberedUrlsMixin, StaticFilesStorage):
    """Django's static storage (development, tests, benchmarks)."""


class RememberedManifestStaticFilesStorage(
    RememberedUrlsMixin, CompressedManifestStaticFilesStorage
):
    """WhiteNoise's compressed manifest storage (production)."""
