from django.db import migrations

from kejiju.accounts.regions import CITY, COUNTY_LEVEL

ROLE_GROUPS = ["局业务人员", "局领导", "县区科技局", "系统管理员", "安全审计员"]


def seed(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    Group = apps.get_model("auth", "Group")
    code, gb, name, kind = CITY
    city, _ = Region.objects.update_or_create(
        code=code, defaults={"gb2260_code": gb, "name": name, "kind": kind, "sort_order": 0}
    )
    for order, (code, gb, name, kind) in enumerate(COUNTY_LEVEL, start=1):
        Region.objects.update_or_create(
            code=code,
            defaults={"gb2260_code": gb, "name": name, "kind": kind, "parent": city, "sort_order": order},
        )
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
