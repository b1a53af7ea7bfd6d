# Personal data moves to SM4-GCM bound to its row (kejiju.core.pii): each row gets its pii_row, and the
# cipher columns become SealedFields (the same text column; `manage.py rotate_pii_key` re-encrypts them).

from django.db import migrations

import kejiju.core.pii
from kejiju.core.pii import pii_row_operations


class Migration(migrations.Migration):
    dependencies = [("experts", "0020_online_review_reminders")]

    operations = [
        *pii_row_operations("experts", "expert"),
        migrations.AlterField(
            model_name="expert",
            name="id_number_cipher",
            field=kejiju.core.pii.SealedField("身份证号（密文）", editable=False),
        ),
        migrations.AlterField(
            model_name="expert",
            name="mobile_cipher",
            field=kejiju.core.pii.SealedField("手机号（密文）", blank=True, editable=False),
        ),
    ]
