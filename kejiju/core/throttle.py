"""Per-address throttles for the pages that face the internet (the unit registration, failed logins): a
count per client address and scope in the cache (Redis in production), over a fixed window. One
mechanism, so every throttled page counts and refuses the same way.

A count may also be kept for another subject than the address (the login keeps one per username, to ask
for a captcha once a name has failed): pass `subject=`; it is hashed into the key. A `sliding` throttle
restarts its window at every hit (the count is forgotten `window` seconds after the last one)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from .clientip import client_ip


@dataclass(frozen=True)
class Throttle:
    scope: str  # "units.register"
    limit: int  # attempts allowed per window and address
    window: int  # seconds
    message: str  # shown when refused (Chinese, says when to try again)
    sliding: bool = False  # the window restarts at every hit

    def _key(self, request=None, *, subject: str | None = None) -> str:
        if subject is not None:
            digest = hashlib.sha256(subject.encode("utf-8", "surrogatepass")).hexdigest()[:32]
            return f"throttle:{self.scope}:s:{digest}"
        return f"throttle:{self.scope}:{client_ip(request) or 'unknown'}"

    def count(self, request=None, *, subject: str | None = None) -> int:
        """The address's (or subject's) attempts in the current window."""
        return cache.get(self._key(request, subject=subject)) or 0

    def exceeded(self, request=None, *, subject: str | None = None) -> bool:
        """Whether the address has used up its attempts (without counting this one)."""
        return self.count(request, subject=subject) >= self.limit

    def hit(self, request=None, *, subject: str | None = None) -> int:
        """Count one attempt of the address; returns the count in the current window."""
        key = self._key(request, subject=subject)
        if cache.add(key, 1, timeout=self.window):
            return 1
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window)
            return 1
        if self.sliding:
            cache.touch(key, self.window)
        return count

    def clear(self, request=None, *, subject: str | None = None) -> None:
        """Forget the address's (or subject's) attempts."""
        cache.delete(self._key(request, subject=subject))
