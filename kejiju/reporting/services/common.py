"""The clock the reporting services share: a `now` a caller may pin (tests, the beat), else the time now."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def current_time(now: dt.datetime | None = None) -> dt.datetime:
    return now or timezone.now()
