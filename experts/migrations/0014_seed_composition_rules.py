"""The composition rule for 高企认定 reviews named in issue 22: at least 5 experts, at least 60% 技术专家,
at least one 财务专家. 平台认定 and 科技计划项目 get no rule here: they draw as before until the bureau
enters its own on the 评审组组成规则 page (experts.subjects.REVIEW_KINDS lists the kinds). Every existing
expert is a 技术专家 (the field's default) until the bureau sets the category."""

from django.db import migrations

RULES = [
    {
        "kind": "gaoqi",
        "min_size": 5,
        "min_technical_share": 60,
        "min_financial": 1,
        "min_management": 0,
        "yearly_cap": None,
        "notes": "高企认定评审专家组：不少于 5 人，技术专家不少于 60%，至少 1 名财务专家",
    },
]


def seed(apps, schema_editor):
    CompositionRule = apps.get_model("experts", "CompositionRule")
    for rule in RULES:
        CompositionRule.objects.get_or_create(kind=rule["kind"], defaults=rule)


def unseed(apps, schema_editor):
    CompositionRule = apps.get_model("experts", "CompositionRule")
    CompositionRule.objects.filter(kind__in=[rule["kind"] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("experts", "0013_composition_rules")]

    operations = [migrations.RunPython(seed, unseed)]
