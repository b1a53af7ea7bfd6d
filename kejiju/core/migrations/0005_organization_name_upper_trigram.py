"""icontains search served by trigram indexes on UPPER(column) (the bare-column indexes it replaces were
never used by Django's UPPER(col) LIKE UPPER(…)); see kejiju/core/trigram.py."""

from django.db import migrations

from kejiju.core.trigram import upper_trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_append_only")]

    operations = [
        upper_trigram_indexes(
            [("organization_name_upper_trgm", "core_organization", "name")],
            replaces=(),
        )
    ]
