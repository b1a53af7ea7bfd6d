"""Shared pieces of the scale data generators (`manage.py seed_scale`): the sizes of each scale and fast
bulk inserts. Core knows no domain app: each app's `<app>/scale.py` uses these and reads its own size."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Any

from django.db import connection

from kejiju.core import demodata


@dataclass(frozen=True)
class Scale:
    name: str
    enterprises: int
    enterprise_years: int
    platforms: int
    projects: int
    experts: int
    review_scores: int
    county_units: int  # county-level regions in all (the 16 of the deployment included)
    cities: int
    filing_years: int


SCALES: dict[str, Scale] = {
    "city": Scale("city", 2_000, 5, 400, 600, 400, 2_000, 16, 1, 2),
    "province": Scale("province", 100_000, 5, 20_000, 30_000, 20_000, 100_000, 130, 11, 10),
}

BATCH = 5_000
FIRST_YEAR = 2020  # the first year of figures / filings is the current year minus this span


def chunks(iterable, size: int = BATCH):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk(model, objects, *, size: int = BATCH) -> int:
    """bulk_create in batches; returns the number of rows written."""
    written = 0
    for batch in chunks(objects, size):
        model.objects.bulk_create(batch, batch_size=size)
        written += len(batch)
    return written


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in the order of `columns`, column names as in the table) into the model's table."""
    table = model._meta.db_table
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
    return written


def reset_sequence(model) -> None:
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        sql = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk}'), "
        sql += f'COALESCE((SELECT MAX("{pk}") FROM "{table}"), 1))'  # noqa: S608 - names from the model
        cursor.execute(sql)


def app_rng(seed: int, label: str) -> random.Random:
    """A generator of its own for each app, so one app's output does not depend on another's draws."""
    return random.Random(f"{seed}:{label}")


@cache
def _names() -> dict[str, Any]:
    """The surnames, given-name characters, name words and trades of generated people and units
    (data/scale_names.json), read once: the generators call for hundreds of thousands of names."""
    return demodata.read("core", "scale_names")


def person_name(rng: random.Random) -> str:
    names = _names()
    return rng.choice(names["surnames"]) + "".join(
        rng.choice(names["given"]) for _ in range(rng.choice((1, 2)))
    )


def unit_name(rng: random.Random, index: int, suffix: str = "有限公司") -> str:
    words, trades = _names()["words"], _names()["trades"]
    return f"{rng.choice(words)}{rng.choice(words)}{rng.choice(trades)}{suffix}{index:06d}"


def copy_objects(model, objects) -> int:
    """COPY unsaved model instances (their pk set by the caller, or left to the sequence) into the table:
    every concrete column, with defaults and auto_now values as Django would save them. Many times faster
    than bulk_create for hundreds of thousands of rows; no signals (so no audit log rows), no validation."""
    iterator = iter(objects)
    first = next(iterator, None)
    if first is None:
        return 0
    with_pk = first.pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = [f'"{f.column}"' for f in fields]

    def rows():
        for obj in _chain(first, iterator):
            yield tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)

    written = copy_rows(model, columns, rows())
    if with_pk:
        reset_sequence(model)
    return written


def _chain(first, rest):
    yield first
    yield from rest


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
