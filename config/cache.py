"""The Redis cache backend: one redis-py client per connection pool, and fail-open.

Django's backend builds a new ``redis.Redis`` object for every cache call, and
redis-py fills a table of about 170 response callbacks each time: 60 µs a call, a
quarter of a session read from the cache. The clients of one pool are
interchangeable (the pool holds the connections and is safe across threads and
forks), so one kept per pool serves every call.

The cache only ever holds copies (sessions are written through to the database,
counters and locks may be lost), so an unreachable Redis must not take the site
down: a call that cannot reach it is answered as a miss — a read finds nothing, a
write stores nothing, ``add`` adds nothing, ``incr`` finds no key — and logged. After a failure the backend does not try Redis again for ``RETRY_AFTER``
seconds (an option of the cache, default 2), so that a Redis that hangs instead of
refusing costs each request nothing while it is down.

A write or delete that did not reach Redis leaves its old value there, which would
come back when Redis does (a signed-out session would live again). The keys of
such writes are remembered and deleted as soon as Redis answers again, before
anything else is read.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends import redis
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
_MISSING = object()


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}  # connection pool → its client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 2.0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._down_until = 0.0
        self._stale: dict[str, None] = {}  # made keys, in insertion order
        self._lock = threading.Lock()

    # Health -------------------------------------------------------------------------

    @property
    def reachable(self) -> bool:
        """False while the backend is skipping Redis after a failure."""
        return time.monotonic() >= self._down_until

    def _remember_stale(self, keys) -> None:
        with self._lock:
            for key in keys:
                self._stale[key] = None
            while len(self._stale) > STALE_KEYS_KEPT:
                self._stale.pop(next(iter(self._stale)))

    def _failed(self, operation: str, error: Exception, keys=()) -> None:
        first = self.reachable
        self._down_until = time.monotonic() + self.retry_after
        self._remember_stale(keys)
        if first:
            logger.warning("cache unreachable during %s: %s", operation, error)

    def _call(self, operation: str, func, fallback, *, stale_keys=()):
        """Run ``func`` against Redis, or answer ``fallback`` when it is away."""
        if not self.reachable:
            self._remember_stale(stale_keys)
            return fallback
        try:
            if self._stale:
                self._forget_stale()
            return func()
        except UNREACHABLE as error:
            self._failed(operation, error, stale_keys)
            return fallback

    def _forget_stale(self) -> None:
        with self._lock:
            keys = list(self._stale)
        self._cache.delete_many(keys)
        with self._lock:
            for key in keys:
                self._stale.pop(key, None)
        logger.warning("cache reachable again: %d stale keys deleted", len(keys))

    # The cache API ------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call(
            "get", lambda: super(RedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._call(
            "get_many", lambda: super(RedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key, version=None):
        return self._call(
            "has_key", lambda: super(RedisCache, self).has_key(key, version), False
        )

    def set(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        made = self.make_and_validate_key(key, version=version)
        return self._call(
            "set",
            lambda: super(RedisCache, self).set(key, value, timeout, version),
            None,
            stale_keys=[made],
        )

    def add(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        # Not added: a lock or a debounce that cannot be kept is not taken, so the
        # work it guards waits for its periodic run instead of running once per
        # request for the length of the outage.
        return self._call(
            "add",
            lambda: super(RedisCache, self).add(key, value, timeout, version),
            False,
        )

    def touch(self, key, timeout=redis.DEFAULT_TIMEOUT, version=None):
        return self._call(
            "touch",
            lambda: super(RedisCache, self).touch(key, timeout, version),
            False,
        )

    def delete(self, key, version=None):
        made = self.make_and_validate_key(key, version=version)
        return self._call(
            "delete",
            lambda: super(RedisCache, self).delete(key, version),
            False,
            stale_keys=[made],
        )

    def incr(self, key, delta=1, version=None):
        value = self._call(
            "incr",
            lambda: super(RedisCache, self).incr(key, delta, version),
            _MISSING,
        )
        if value is _MISSING:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        return value

    def set_many(self, data, timeout=redis.DEFAULT_TIMEOUT, version=None):
        made = [self.make_and_validate_key(key, version=version) for key in data]
        self._call(
            "set_many",
            lambda: super(RedisCache, self).set_many(data, timeout, version),
            None,
            stale_keys=made,
        )
        return []

    def delete_many(self, keys, version=None):
        keys = list(keys)
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        self._call(
            "delete_many",
            lambda: super(RedisCache, self).delete_many(keys, version),
            None,
            stale_keys=made,
        )

    def clear(self):
        return self._call("clear", lambda: super(RedisCache, self).clear(), False)

    def ping(self) -> bool:
        """True when Redis answers now, even during the pause after a failure; an
        answer ends the pause (the health check is also a way back)."""
        try:
            answered = bool(self._cache.get_client(write=True).ping())
        except UNREACHABLE as error:
            self._failed("ping", error)
            return False
        if answered:
            self._down_until = 0.0
        return answered
