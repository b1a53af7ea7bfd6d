"""No two units of the 单位库 share a name (0012 merged the namesakes recorded before the rule)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_merge_namesake_organizations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="name",
            field=models.CharField(max_length=200, verbose_name="单位名称"),
        ),
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.UniqueConstraint(
                fields=("name",),
                name="organization_name_unique",
                violation_error_message="单位库中已有同名单位，请核对单位名称。",
            ),
        ),
    ]
