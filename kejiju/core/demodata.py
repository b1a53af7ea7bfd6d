"""The one reader of demo and scale data files: `<app>/data/<name>.json`, UTF-8 JSON.

The seeding code (each app's `demo.py`/`scale.py`, imported only by `seed_demo`/`seed_scale`) keeps the how;
the files keep the what (names, units, figures, dates as ISO strings), so a bureau can read and change its
demo world without reading Python."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps


@cache
def _text(app_label: str, name: str) -> str:
    return (Path(apps.get_app_config(app_label).path) / "data" / f"{name}.json").read_text(encoding="utf-8")


def read(app_label: str, name: str = "demo") -> Any:
    """The parsed data file (a fresh copy each call: seeders may change what they read). Numbers with a
    fraction come back as Decimal, never float (money and scores)."""
    return json.loads(_text(app_label, name), parse_float=Decimal)


def date(value: str | None) -> dt.date | None:
    """An ISO date of a data file, or None for an empty one."""
    return dt.date.fromisoformat(value) if value else None
