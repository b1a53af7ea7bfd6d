"""Before/after picture of the database: row counts of every table and a hash of every business row."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.db import connection

# Tables whose rows a refused request may legitimately touch (the login session itself).
UNHASHED = {"django_session"}


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("pg_")]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def business_hash(exclude: frozenset[str] = frozenset()) -> str:
    """SHA-256 over every row of every model table, each table ordered by primary key."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        table = model._meta.db_table
        if table in UNHASHED or table in exclude or model._meta.proxy or not model._meta.managed:
            continue
        digest.update(table.encode())
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def snapshot(exclude: frozenset[str] = frozenset()) -> tuple[dict[str, int], str]:
    return table_counts(), business_hash(exclude)
