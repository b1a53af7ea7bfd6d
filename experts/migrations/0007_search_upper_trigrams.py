"""icontains search served by trigram indexes on UPPER(column) (the bare-column indexes it replaces were
never used by Django's UPPER(col) LIKE UPPER(…)); see kejiju/core/trigram.py."""

from django.db import migrations

from kejiju.core.trigram import upper_trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("experts", "0006_list_indexes")]

    operations = [
        upper_trigram_indexes(
            [("expert_name_upper_trgm", "experts_expert", "name"), ("expert_specialty_upper_trgm", "experts_expert", "specialty"), ("expert_panel_title_upper_trgm", "experts_reviewpanel", "title"), ("expert_vp_name_upper_trgm", "experts_vicepresidentplacement", "name"), ("expert_commissioner_name_upper_trgm", "experts_commissioner", "name")],
            replaces=("experts_expert_name_trgm", "experts_reviewpanel_title_trgm", "experts_vp_name_trgm", "experts_commissioner_name_trgm"),
        )
    ]
