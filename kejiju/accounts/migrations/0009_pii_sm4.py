# Personal data moves to SM4-GCM bound to its row (kejiju.core.pii): each row gets its pii_row, and the
# cipher columns become SealedFields (the same text column; `manage.py rotate_pii_key` re-encrypts them).

from django.db import migrations

import kejiju.core.pii
from kejiju.core.pii import pii_row_operations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_usersession")]

    operations = [
        *pii_row_operations("accounts", "usersession"),
        migrations.AlterField(
            model_name="usersession", name="key_cipher", field=kejiju.core.pii.SealedField("会话标识密文")
        ),
    ]
