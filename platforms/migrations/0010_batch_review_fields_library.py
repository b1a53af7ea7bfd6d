"""The batch's 评审专业领域 become the expert library's fields (one vocabulary): the text, split at 、 , ，
; ；, is matched to ExpertField by name; a name the library does not have yet is added to it."""

import re

from django.db import migrations, models


def forwards(apps, schema_editor):
    RecognitionBatch = apps.get_model("platforms", "RecognitionBatch")
    ExpertField = apps.get_model("experts", "ExpertField")
    for batch in RecognitionBatch.objects.exclude(review_fields_text=""):
        names = [name.strip() for name in re.split(r"[、,，;；]+", batch.review_fields_text) if name.strip()]
        fields = [ExpertField.objects.get_or_create(name=name[:50])[0] for name in names]
        batch.review_fields.set(fields)


def backwards(apps, schema_editor):
    RecognitionBatch = apps.get_model("platforms", "RecognitionBatch")
    for batch in RecognitionBatch.objects.all():
        batch.review_fields_text = "、".join(batch.review_fields.values_list("name", flat=True))[:200]
        batch.save(update_fields=["review_fields_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0019_panels_review_subjects"),
        ("platforms", "0009_unique_messages"),
    ]

    operations = [
        migrations.RenameField("recognitionbatch", "review_fields", "review_fields_text"),
        migrations.AddField(
            model_name="recognitionbatch",
            name="review_fields",
            field=models.ManyToManyField(
                blank=True,
                help_text="从专家库的专业领域中选择；抽取评审专家时预先选中",
                related_name="recognition_batches",
                to="experts.expertfield",
                verbose_name="评审专业领域",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
