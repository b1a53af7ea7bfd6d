import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("experts", "0016_online_review"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewSubject",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(verbose_name="序号")),
                ("subject_id", models.PositiveBigIntegerField(verbose_name="评审对象编号")),
                ("title", models.CharField(max_length=200, verbose_name="评审对象")),
                (
                    "result",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True, verbose_name="评审得分"),
                ),
                ("is_open", models.BooleanField(default=True, editable=False, verbose_name="评审中")),
                (
                    "applicant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review_subjects",
                        to="core.organization",
                        verbose_name="申报单位",
                    ),
                ),
                (
                    "panel",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subjects",
                        to="experts.reviewpanel",
                        verbose_name="评审组",
                    ),
                ),
                (
                    "subject_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                        verbose_name="评审对象类型",
                    ),
                ),
            ],
            options={
                "verbose_name": "评审对象",
                "verbose_name_plural": "评审对象",
                "ordering": ["panel", "position"],
                "indexes": [models.Index(fields=["subject_type", "subject_id"], name="experts_rev_subject_596090_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("panel", "position"),
                        name="reviewsubject_unique_position",
                        violation_error_message="评审组中已有该序号的评审对象。",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("is_open", True)),
                        fields=("subject_type", "subject_id"),
                        name="reviewsubject_one_open_panel",
                        violation_error_message="该事项已有进行中的评审组，不能再组建。",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReviewSheet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "declared_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="签署回避及保密声明时间"),
                ),
                ("conflict_reason", models.CharField(blank=True, max_length=200, verbose_name="申明回避原因")),
                ("comment", models.TextField(blank=True, verbose_name="评审意见")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sheets",
                        to="experts.reviewmember",
                        verbose_name="评审专家",
                    ),
                ),
                (
                    "subject",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sheets",
                        to="experts.reviewsubject",
                        verbose_name="评审对象",
                    ),
                ),
            ],
            options={
                "verbose_name": "评分表",
                "verbose_name_plural": "评分表",
                "ordering": ["member", "subject"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "subject"),
                        name="reviewsheet_unique",
                        violation_error_message="该专家对此评审对象已有评分表。",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="reviewscore",
            name="sheet",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scores",
                to="experts.reviewsheet",
                verbose_name="评分表",
            ),
        ),
    ]
