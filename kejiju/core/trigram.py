"""pg_trgm GIN indexes behind `icontains` searches, for migrations.

Django's `icontains` on PostgreSQL compiles to `UPPER(col::text) LIKE UPPER(%s)`: an index on the bare column
is never used for it, so these indexes are on `UPPER(col)`. They exist on PostgreSQL only (SQLite, the
embedded demo, scans) and stay out of the migration state so that SQLite table rebuilds never meet them.
"""

from __future__ import annotations

from django.db import migrations


def upper_trigram_indexes(
    indexes: list[tuple[str, str, str]], *, replaces: tuple[str, ...] = ()
) -> migrations.RunPython:
    """A migration operation creating `(index name, table, column)` GIN trigram indexes on UPPER(column),
    dropping the indexes named in `replaces` (bare-column trigram indexes that `icontains` cannot use)."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name in replaces:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        for name, table, column in indexes:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _table, _column in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop)
