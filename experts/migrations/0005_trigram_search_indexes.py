"""Trigram (pg_trgm) GIN indexes behind the icontains searches on names and titles (PostgreSQL only;
SQLite, the embedded demo, scans)."""

from django.db import migrations

INDEXES = [
    ("experts_expert_name_trgm", "experts_expert", "name"),
    ("experts_reviewpanel_title_trgm", "experts_reviewpanel", "title"),
    ("experts_vp_name_trgm", "experts_vicepresidentplacement", "name"),
    ("experts_commissioner_name_trgm", "experts_commissioner", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("experts", "0004_one_open_panel_per_subject")]

    operations = [migrations.RunPython(create, drop)]
