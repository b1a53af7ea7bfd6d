"""pg_trgm GIN indexes behind the `icontains` search on enterprise names and codes.

Django's `icontains` on PostgreSQL compiles to `UPPER(col::text) LIKE UPPER(%s)`, so the trigram indexes are
on `UPPER(col)`. Both operations do nothing on other databases (SQLite, the embedded `make run` default),
and the indexes are kept out of the migration state so that SQLite table rebuilds never meet them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = (
    ("enterprise_name_trgm", "enterprises_enterprise", "name"),
    ("enterprise_uscc_trgm", "enterprises_enterprise", "uscc"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [
        TrigramExtension(),  # skipped by Django itself unless the database is PostgreSQL
        migrations.RunPython(create_indexes, drop_indexes),
    ]
