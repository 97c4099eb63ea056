"""The shared cache (Redis in production) that degrades instead of failing.

Nothing the platform keeps in the cache is the only copy of anything a page needs: the unread
count is recomputed from the database, rate-limit counters and SMS login codes are short-lived.
So when Redis cannot be reached, a read is a miss, a write is dropped, and the page still renders
(docs/deployment.md "When a part fails"). After a failure the cache is not tried again for
`RETRY_SECONDS`, so a dead Redis costs one short connect timeout, not one per call; a warning is
logged once per outage. `available()` says whether the last attempt worked (readiness, SMS codes).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("gongzhi.cache")
RETRY_SECONDS = 10.0
T = TypeVar("T")
_state = {"down_since": 0.0}
_lock = threading.Lock()


def available() -> bool:
    return not _state["down_since"]


def _guard(call: Callable[[], T], fallback: T) -> T:
    down_since = _state["down_since"]
    if down_since and time.monotonic() - down_since < RETRY_SECONDS:
        return fallback
    try:
        result = call()
    except (RedisError, OSError):
        with _lock:
            if not _state["down_since"]:
                logger.warning("cache unreachable: pages go on without it")
            _state["down_since"] = time.monotonic()
        return fallback
    if down_since:
        with _lock:
            _state["down_since"] = 0.0
        logger.warning("cache reachable again")
    return result


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose calls fall back (miss, no-op) when Redis is unreachable."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _guard(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return _guard(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        _guard(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data: Any, timeout: Any = 300, version: int | None = None) -> list[Any]:
        return _guard(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), [])

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return _guard(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return _guard(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return _guard(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        _guard(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return _guard(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A failed increment reads as "no counter" (ValueError), as Django's caches say it.
        result = _guard(lambda: super(ResilientRedisCache, self).incr(key, delta, version), None)
        if result is None:
            raise ValueError("cache unreachable")
        return result

    def clear(self) -> None:
        _guard(lambda: super(ResilientRedisCache, self).clear(), None)
