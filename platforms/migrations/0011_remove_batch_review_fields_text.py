from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("platforms", "0010_batch_review_fields_library")]

    operations = [migrations.RemoveField("recognitionbatch", "review_fields_text")]
