from django.db import migrations

from kejiju.accounts.regions import ensure_regions

ROLE_GROUPS = ["局业务人员", "局领导", "县区科技局", "系统管理员", "安全审计员"]


def seed(apps, schema_editor):
    ensure_regions(apps.get_model("accounts", "Region"))
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
