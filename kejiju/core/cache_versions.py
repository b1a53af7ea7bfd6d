"""Version numbers kept in the cache: an entry stored under (or tagged with) the version it was read at
is dropped for every process at once by raising the version (the cache needs no key listing)."""

from django.core.cache import cache


def raise_version(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not set yet (or evicted): any value differs from the readers' default of 0
        cache.set(key, 1, None)
