"""Filing attachments are stored under generated names; the client's name stays in `original_name` (the
former `name` column, widened to 255 characters), used for display and for Content-Disposition."""

import django.core.validators
from django.db import migrations, models

import kejiju.core.uploads


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_researcher_targets"),
    ]

    operations = [
        migrations.RenameField(model_name="filingattachment", old_name="name", new_name="original_name"),
        migrations.AlterField(
            model_name="filingattachment",
            name="original_name",
            field=models.CharField(max_length=255, verbose_name="原文件名"),
        ),
        migrations.AlterField(
            model_name="filingattachment",
            name="file",
            field=models.FileField(
                max_length=255,
                upload_to=kejiju.core.uploads.GeneratedName("reporting"),
                validators=[
                    django.core.validators.FileExtensionValidator(
                        ["pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png", "zip"]
                    )
                ],
                verbose_name="附件",
            ),
        ),
    ]
