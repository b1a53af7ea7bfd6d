"""Per-address throttles for the pages that face the internet (the unit registration, failed logins): a
count per client address and scope in the cache (Redis in production), over a fixed window. One
mechanism, so every throttled page counts and refuses the same way."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from .clientip import client_ip


@dataclass(frozen=True)
class Throttle:
    scope: str  # "units.register"
    limit: int  # attempts allowed per window and address
    window: int  # seconds
    message: str  # shown when refused (Chinese, says when to try again)

    def _key(self, request) -> str:
        return f"throttle:{self.scope}:{client_ip(request) or 'unknown'}"

    def count(self, request) -> int:
        """The address's attempts in the current window."""
        return cache.get(self._key(request)) or 0

    def exceeded(self, request) -> bool:
        """Whether the address has used up its attempts (without counting this one)."""
        return self.count(request) >= self.limit

    def hit(self, request) -> int:
        """Count one attempt of the address; returns the count in the current window."""
        key = self._key(request)
        if cache.add(key, 1, timeout=self.window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window)
            return 1
