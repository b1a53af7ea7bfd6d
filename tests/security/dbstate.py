"""Before/after picture of the database: row counts of every table and a hash of every business row."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.db import connection

# Tables whose rows a refused request may legitimately touch (the login session itself, and its 在线用户
# row's last activity).
UNHASHED = {"django_session", "accounts_usersession"}


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("pg_")]
        # Table names from introspection, not from input.
        query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)  # noqa: S608
        cursor.execute(query)
        return dict(cursor.fetchall())


def _row_hash_sql(table: str, key: str) -> str:
    """md5 over the md5 of each row's text, in key order (names from the model registry, not input)."""
    rows = f"coalesce(string_agg(md5(t::text), '' ORDER BY t.\"{key}\"), '')"
    return f"SELECT '{table}', md5({rows}) FROM \"{table}\" t"  # noqa: S608


def business_hash(exclude: frozenset[str] = frozenset()) -> str:
    """SHA-256 over every row of every model table, each table ordered by primary key (on PostgreSQL the
    rows are hashed by the server: md5 of each row's text, in key order)."""
    digest = hashlib.sha256()
    models = [
        model
        for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table)
        if model._meta.db_table not in UNHASHED | exclude and not model._meta.proxy and model._meta.managed
    ]
    if connection.vendor == "postgresql":
        parts = [_row_hash_sql(m._meta.db_table, m._meta.pk.column) for m in models]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts))
            for table, value in sorted(cursor.fetchall()):
                digest.update(f"{table}:{value}".encode())
        return digest.hexdigest()
    for model in models:
        digest.update(model._meta.db_table.encode())
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def snapshot(exclude: frozenset[str] = frozenset()) -> tuple[dict[str, int], str]:
    return table_counts(), business_hash(exclude)
