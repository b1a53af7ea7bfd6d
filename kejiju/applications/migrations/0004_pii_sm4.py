# Personal data moves to SM4-GCM bound to its row (kejiju.core.pii): each row gets its pii_row, and the
# cipher columns become SealedFields (the same text column; `manage.py rotate_pii_key` re-encrypts them).

from django.db import migrations

import kejiju.core.pii
from kejiju.core.pii import pii_row_operations


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_leader_id_number")]

    operations = [
        *pii_row_operations("applications", "application"),
        migrations.AlterField(
            model_name="application",
            name="leader_id_number_cipher",
            field=kejiju.core.pii.SealedField("负责人身份证号（密文）", blank=True, editable=False),
        ),
        *pii_row_operations("applications", "teammember"),
        migrations.AlterField(
            model_name="teammember",
            name="id_number_cipher",
            field=kejiju.core.pii.SealedField("身份证号（密文）", editable=False),
        ),
    ]
