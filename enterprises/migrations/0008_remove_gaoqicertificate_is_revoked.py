"""`revoked_on` is the one record of a revocation (0007 copied the flag into it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0007_certificate_revoked_on")]

    operations = [migrations.RemoveField(model_name="gaoqicertificate", name="is_revoked")]
