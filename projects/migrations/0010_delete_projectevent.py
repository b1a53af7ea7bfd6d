from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_projectevent_to_workflowevent"),
    ]

    operations = [
        migrations.DeleteModel(
            name="ProjectEvent",
        ),
    ]
