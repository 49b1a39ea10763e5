"""The Redis cache backend: django-redis behind a fail-open wrapper.

django-redis keeps one redis-py client per server for the life of the process (Django's
own backend built a new one for every call, filling a table of about 170 response
callbacks each time: 60 µs a call, a quarter of a session read from the cache).

The cache only ever holds copies (sessions are written through to the database,
counters and locks may be lost), so an unreachable Redis must not take the site
down: a call that cannot reach it is answered as a miss — a read finds nothing, a
write stores nothing, ``add`` adds nothing, ``incr`` finds no key — and logged. After
a failure the backend does not try Redis again for ``RETRY_AFTER`` seconds (an
option of the cache, default 2), so that a Redis that hangs instead of refusing costs
each request nothing while it is down.

A write or delete that did not reach Redis leaves its old value there, which would
come back when Redis does (a signed-out session would live again). The keys of
such writes are remembered and deleted as soon as Redis answers again, before
anything else is read.

The wrapper speaks to django-redis through the cache API only (and its documented
``client.get_client`` for a ping). django-redis' own ``IGNORE_EXCEPTIONS`` is not used:
it would hide the failure that starts the pause and the remembering of stale keys.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

# What "Redis cannot be reached" looks like; other errors (a wrong type, a bug)
# still raise.
UNREACHABLE = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,
    OSError,
)
# Keys remembered for deletion while Redis is away; past this, the oldest are
# dropped (their copies expire with their own timeouts).
STALE_KEYS_KEPT = 10_000
# Options of this backend given to django-redis under its own names; any other
# option goes to the connection pool as is.
_OPTION_NAMES = {
    "socket_connect_timeout": "SOCKET_CONNECT_TIMEOUT",
    "socket_timeout": "SOCKET_TIMEOUT",
}
_MISSING = object()


class _Unreachable(Exception):
    pass


def _django_redis_params(params: dict) -> dict:
    options = dict(params.get("OPTIONS") or {})
    options.pop("RETRY_AFTER", None)
    inner: dict[str, Any] = {"CONNECTION_POOL_KWARGS": {}}
    for name, value in options.items():
        if name in _OPTION_NAMES:
            inner[_OPTION_NAMES[name]] = value
        elif name.isupper():
            inner[name] = value
        else:
            inner["CONNECTION_POOL_KWARGS"][name] = value
    return {**params, "OPTIONS": inner}


class RedisCache(BaseCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(params)
        options = params.get("OPTIONS") or {}
        self.retry_after = float(options.get("RETRY_AFTER", 2.0))
        self.redis = DjangoRedisCache(server, _django_redis_params(params))
        self._down_until = 0.0
        # (key, version) of writes that missed Redis, in insertion order.
        self._stale: dict[tuple[Any, int | None], None] = {}
        self._lock = threading.Lock()

    # Health -------------------------------------------------------------------------

    @property
    def reachable(self) -> bool:
        """False while the backend is skipping Redis after a failure."""
        return time.monotonic() >= self._down_until

    def _remember_stale(self, keys, version) -> None:
        with self._lock:
            for key in keys:
                self._stale[(key, version)] = None
            while len(self._stale) > STALE_KEYS_KEPT:
                self._stale.pop(next(iter(self._stale)))

    def _failed(self, operation: str, error: Exception, keys=(), version=None) -> None:
        first = self.reachable
        self._down_until = time.monotonic() + self.retry_after
        self._remember_stale(keys, version)
        if first:
            logger.warning("cache unreachable during %s: %s", operation, error)

    @staticmethod
    def _run(func):
        """``func()``, with an unreachable Redis as _Unreachable; django-redis wraps
        every Redis error, so the cause tells unreachable from a real error."""
        try:
            return func()
        except ConnectionInterrupted as error:
            cause = error.__cause__
            if isinstance(cause, UNREACHABLE):
                raise _Unreachable(cause) from cause
            raise (cause or error) from None
        except UNREACHABLE as error:
            raise _Unreachable(error) from error

    def _call(self, operation: str, func, fallback, *, stale_keys=(), version=None):
        """Run ``func`` against Redis, or answer ``fallback`` when it is away."""
        if not self.reachable:
            self._remember_stale(stale_keys, version)
            return fallback
        try:
            if self._stale:
                self._forget_stale()
            return self._run(func)
        except _Unreachable as error:
            self._failed(operation, error, stale_keys, version)
            return fallback

    def _forget_stale(self) -> None:
        with self._lock:
            keys = list(self._stale)
        by_version: dict[int | None, list] = {}
        for key, version in keys:
            by_version.setdefault(version, []).append(key)
        for version, names in by_version.items():
            self._run(lambda v=version, n=names: self.redis.delete_many(n, version=v))
        with self._lock:
            for key in keys:
                self._stale.pop(key, None)
        logger.warning("cache reachable again: %d stale keys deleted", len(keys))

    # The cache API ------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call(
            "get", lambda: self.redis.get(key, default, version=version), default
        )

    def get_many(self, keys, version=None):
        return self._call(
            "get_many", lambda: self.redis.get_many(keys, version=version), {}
        )

    def has_key(self, key, version=None):
        return self._call(
            "has_key", lambda: self.redis.has_key(key, version=version), False
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(
            "set",
            lambda: self.redis.set(key, value, timeout, version=version),
            None,
            stale_keys=[key],
            version=version,
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Not added: a lock or a debounce that cannot be kept is not taken, so the
        # work it guards waits for its periodic run instead of running once per
        # request for the length of the outage.
        return self._call(
            "add",
            lambda: self.redis.add(key, value, timeout, version=version),
            False,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "touch", lambda: self.redis.touch(key, timeout, version=version), False
        )

    def delete(self, key, version=None):
        return self._call(
            "delete",
            lambda: bool(self.redis.delete(key, version=version)),
            False,
            stale_keys=[key],
            version=version,
        )

    def incr(self, key, delta=1, version=None):
        value = self._call(
            "incr", lambda: self.redis.incr(key, delta, version=version), _MISSING
        )
        if value is _MISSING:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(
            "set_many",
            lambda: self.redis.set_many(data, timeout, version=version),
            None,
            stale_keys=list(data),
            version=version,
        )
        return []

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._call(
            "delete_many",
            lambda: self.redis.delete_many(keys, version=version),
            None,
            stale_keys=keys,
            version=version,
        )

    def clear(self):
        return self._call("clear", lambda: self.redis.clear(), False)

    def close(self, **kwargs):
        self.redis.close(**kwargs)

    def ping(self) -> bool:
        """True when Redis answers now, even during the pause after a failure; an
        answer ends the pause (the health check is also a way back)."""
        try:
            answered = bool(
                self._run(lambda: self.redis.client.get_client(write=True).ping())
            )
        except _Unreachable as error:
            self._failed("ping", error)
            return False
        if answered:
            self._down_until = 0.0
        return answered
