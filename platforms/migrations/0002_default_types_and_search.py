"""The platform types the bureau starts with (staff add more in the portal), the default evaluation rule,
and trigram indexes for searching Chinese names (PostgreSQL only; SQLite, used for the embedded demo,
falls back to a scan)."""

from django.db import migrations

TYPES = [
    ("重点实验室", "XZKL", 10),
    ("技术创新中心", "XZJC", 20),
    ("中试基地", "XZZS", 30),
    ("众创空间", "XZZC", 40),
    ("新型研发机构", "XZYF", 50),
    ("农业科技园区", "XZNY", 60),
    ("科技企业孵化器", "XZFH", 70),
    ("高校科研平台延伸基地", "XZYS", 80),
    ("科创驿站", "XZKC", 90),
    ("科普基地", "XZKP", 100),
    ("高校科技成果转化基地", "XZZH", 110),
]

TRGM_INDEXES = [
    ("platforms_platform_name_trgm", "platforms_platform", "name"),
    ("platforms_application_name_trgm", "platforms_platformapplication", "platform_name"),
    ("platforms_batch_title_trgm", "platforms_recognitionbatch", "title"),
]


def forwards(apps, schema_editor):
    PlatformType = apps.get_model("platforms", "PlatformType")
    EvaluationPolicy = apps.get_model("platforms", "EvaluationPolicy")
    for name, code, order in TYPES:
        PlatformType.objects.get_or_create(name=name, defaults={"code": code, "sort_order": order})
    if not EvaluationPolicy.objects.exists():
        EvaluationPolicy.objects.create()
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index, table, column in TRGM_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column} gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index, _table, _column in TRGM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [("platforms", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
