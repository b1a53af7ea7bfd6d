"""GIN trigram indexes behind the list pages' icontains search (PostgreSQL only; SQLite scans)."""

from django.db import migrations

INDEXES = [
    ("projects_project_title_trgm", "projects_project", "title"),
    ("projects_project_pi_name_trgm", "projects_project", "pi_name"),
    ("projects_coop_title_trgm", "projects_cooperationproject", "title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
