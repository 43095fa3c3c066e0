"""Each process's cache of kept pages, parts of pages, lists and answers, bounded in bytes as well as
in entries.

Django's local-memory cache counts entries only. Visitors choose what is kept (any address they ask
for, query string and all, up to ``pagecache.MAX_BYTES`` a page), so a count alone would let someone
asking for many large pages fill the process's memory. This one also drops the least recently used
entries once the pickled values together pass ``MAX_BYTES``, and never keeps a value larger than that.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

# Per named cache, as Django keeps the entries themselves: each key's size, and their sum.
_sizes: dict[str, dict[str, int]] = {}
_totals: dict[str, list[int]] = {}


class MemoryBoundCache(LocMemCache):
    # Django's own, which its type stubs leave out
    _cache: OrderedDict[str, bytes]
    _expire_info: dict[str, float | None]
    _lock: Lock

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(name, params)
        self.max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 128 * 2**20))
        self._sizes = _sizes.setdefault(name, {})
        self._total = _totals.setdefault(name, [0])

    @property
    def bytes_kept(self) -> int:
        return self._total[0]

    def _forget_size(self, key: str) -> None:
        self._total[0] -= self._sizes.pop(key, 0)

    def _drop_least_recent(self) -> None:
        key, _ = self._cache.popitem()  # the end of Django's order: the least recently used
        self._expire_info.pop(key, None)
        self._forget_size(key)

    def _set(self, key: str, value: bytes, timeout: Any = DEFAULT_TIMEOUT) -> None:
        self._delete(key)
        if len(value) > self.max_bytes:
            return  # larger than the whole cache: not kept, and nothing dropped for it
        while self._cache and self._total[0] + len(value) > self.max_bytes:
            self._drop_least_recent()
        super()._set(key, value, timeout)  # type: ignore[misc]  # private in the stubs
        self._sizes[key] = len(value)
        self._total[0] += len(value)

    def _cull(self) -> None:
        """Django's cull by count (a third of the entries, least recently used first), sizes kept."""
        if self._cull_frequency == 0:
            self._clear_all()
            return
        for _ in range(len(self._cache) // self._cull_frequency):
            self._drop_least_recent()

    def _delete(self, key: str) -> bool:
        self._forget_size(key)
        return bool(super()._delete(key))  # type: ignore[misc]  # private in the stubs

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        value = super().incr(key, delta, version)
        full_key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if full_key in self._cache:
                size = len(self._cache[full_key])
                self._total[0] += size - self._sizes.get(full_key, 0)
                self._sizes[full_key] = size
        return value

    def _clear_all(self) -> None:
        self._cache.clear()
        self._expire_info.clear()
        self._sizes.clear()
        self._total[0] = 0

    def clear(self) -> None:
        with self._lock:
            self._clear_all()
