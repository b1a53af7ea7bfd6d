"""icontains search served by trigram indexes on UPPER(column) (the bare-column indexes it replaces were
never used by Django's UPPER(col) LIKE UPPER(…)); see kejiju/core/trigram.py."""

from django.db import migrations

from kejiju.core.trigram import upper_trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("platforms", "0004_list_indexes")]

    operations = [
        upper_trigram_indexes(
            [("platform_name_upper_trgm", "platforms_platform", "name"), ("platform_certificate_upper_trgm", "platforms_platform", "certificate_no"), ("platform_application_name_upper_trgm", "platforms_platformapplication", "platform_name"), ("platform_batch_title_upper_trgm", "platforms_recognitionbatch", "title")],
            replaces=("platforms_platform_name_trgm", "platforms_application_name_trgm", "platforms_batch_title_trgm"),
        )
    ]
