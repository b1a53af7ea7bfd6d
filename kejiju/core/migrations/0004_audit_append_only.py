"""Audit rows are append-only for the application's database role: a trigger refuses UPDATE and DELETE on
core_auditevent and auditlog_logentry unless the transaction has set `kejiju.audit_archive = 'on'`, which
only `manage.py archive_audit` does (SET LOCAL, so it ends with that transaction). PostgreSQL only; SQLite
(the embedded demo) migrates without it."""

from django.db import migrations

AUDIT_TABLES = ("core_auditevent", "auditlog_logentry")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION kejiju_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('kejiju.audit_archive', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

CREATE_TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION kejiju_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:  # no parameters: the % in the body stays as is
        cursor.execute(CREATE_FUNCTION)
    for table in AUDIT_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(CREATE_TRIGGER.format(table=table))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in AUDIT_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS kejiju_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_auditevent_archive_type"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
