from django.db import migrations, models


class Migration(migrations.Migration):
    """A project's call year, copied onto the project so that the default order is one index scan."""

    dependencies = [("projects", "0004_search_upper_trigrams")]

    operations = [
        migrations.AddField(
            model_name="project",
            name="year",
            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="年度"),
        ),
        migrations.RunSQL(
            "UPDATE projects_project SET year = (SELECT year FROM projects_call WHERE id = call_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="project",
            name="year",
            field=models.PositiveIntegerField(editable=False, verbose_name="年度"),
        ),
        migrations.AlterModelOptions(
            name="project",
            options={
                "ordering": ["-year", "number"],
                "permissions": [("transition_project", "办理项目流程")],
                "verbose_name": "科技计划项目",
                "verbose_name_plural": "科技计划项目",
            },
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["-year", "number", "id"], name="projects_year_number"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["region", "state", "-year", "number"], name="projects_region_state_year"),
        ),
    ]
