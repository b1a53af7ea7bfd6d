"""icontains search served by trigram indexes on UPPER(column) (the bare-column indexes it replaces were
never used by Django's UPPER(col) LIKE UPPER(…)); see kejiju/core/trigram.py."""

from django.db import migrations

from kejiju.core.trigram import upper_trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_ownership_pilot")]

    operations = [
        upper_trigram_indexes(
            [("project_title_upper_trgm", "projects_project", "title"), ("project_number_upper_trgm", "projects_project", "number"), ("project_pi_name_upper_trgm", "projects_project", "pi_name"), ("project_coop_title_upper_trgm", "projects_cooperationproject", "title")],
            replaces=("projects_project_title_trgm", "projects_project_pi_name_trgm", "projects_coop_title_trgm"),
        )
    ]
