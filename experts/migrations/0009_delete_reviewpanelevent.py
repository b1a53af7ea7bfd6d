from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0008_reviewpanelevent_to_workflowevent"),
    ]

    operations = [
        migrations.DeleteModel(
            name="ReviewPanelEvent",
        ),
    ]
