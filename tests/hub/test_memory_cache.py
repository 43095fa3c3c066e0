"""Each process's cache (``hub.floor.memorycache``): bounded in bytes as well as entries, so visitors
asking for many large pages cannot fill the process's memory, and the least recently used goes first."""

from __future__ import annotations

import uuid

from django.core.cache import caches

from hub.floor.memorycache import MemoryBoundCache

KB = 1024


def bounded(max_bytes: int, max_entries: int = 10_000) -> MemoryBoundCache:
    return MemoryBoundCache(
        f"test-{uuid.uuid4().hex}",
        {"OPTIONS": {"MAX_BYTES": max_bytes, "MAX_ENTRIES": max_entries}},
    )


def page(n: int, size: int = 100 * KB) -> bytes:
    return bytes([n % 256]) * size


def test_many_large_pages_never_take_more_than_the_bound_and_the_newest_stay():
    cache = bounded(512 * KB)
    for n in range(50):
        cache.set(f"page-{n}", page(n))

    assert cache.bytes_kept <= 512 * KB
    assert cache.get("page-49") == page(49)
    assert cache.get("page-45") == page(45)
    assert cache.get("page-0") is None


def test_a_page_read_again_outlives_pages_nobody_came_back_to():
    cache = bounded(350 * KB)
    cache.set("home", page(1))
    cache.set("old", page(2))
    cache.set("older", page(3))
    cache.get("home")  # read: now the most recently used
    cache.set("new", page(4))

    assert cache.get("home") == page(1)
    assert cache.get("old") is None


def test_a_value_larger_than_the_whole_cache_is_not_kept_and_drops_nothing():
    cache = bounded(300 * KB)
    cache.set("home", page(1))
    cache.set("huge", page(2, size=400 * KB))

    assert cache.get("huge") is None
    assert cache.get("home") == page(1)


def test_replacing_and_deleting_entries_keeps_the_count_of_bytes_right():
    cache = bounded(1_000 * KB)
    cache.set("page", page(1))
    cache.set("page", page(1, size=10 * KB))
    cache.set("other", page(2, size=20 * KB))
    cache.delete("other")
    assert 10 * KB <= cache.bytes_kept < 11 * KB

    cache.set("count", 1)
    cache.incr("count", 10**30)  # a longer number, a longer value
    assert cache.get("count") == 10**30 + 1
    cache.clear()
    assert cache.bytes_kept == 0
    cache.set("after", page(3))
    assert cache.get("after") == page(3)


def test_the_count_of_entries_still_bounds_the_cache():
    cache = bounded(100 * 2**20, max_entries=300)
    for n in range(1_000):
        cache.set(f"part-{n}", n)

    assert len(cache._cache) <= 300
    assert cache.get("part-999") == 999
    assert cache.bytes_kept == sum(cache._sizes.values())


def test_the_hub_keeps_its_pages_in_the_bounded_cache():
    assert isinstance(caches["default"], MemoryBoundCache)
    assert caches["default"].max_bytes == 128 * 2**20
