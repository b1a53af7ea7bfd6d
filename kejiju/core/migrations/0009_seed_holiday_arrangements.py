"""The 节假日安排 of 2019-2026 as published (the table kejiju.core.workdays held until now), so that working
days are computed from the database from the first migrate on."""

from django.db import migrations

from kejiju.core.holidays import ensure_published_arrangements


def seed(apps, schema_editor):
    ensure_published_arrangements(apps.get_model("core", "HolidayArrangement"))


class Migration(migrations.Migration):
    dependencies = [("core", "0008_holidayarrangement")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
