"""高企 certificates: revocation becomes a dated act (`revoked_on`). A revoked certificate takes the day its
revocation was logged (django-auditlog's LogEntry for the certificate whose changes set 已取消资格), else its
issue date: it then never counted in any year, exactly as the undated flag made every past figure read."""

import json

from django.db import migrations, models
from django.utils import timezone

TRUE = {"true", "1", "yes"}


def _changes(entry) -> dict:
    changes = entry.changes
    if isinstance(changes, str):
        try:
            changes = json.loads(changes or "{}")
        except ValueError:
            return {}
    return changes if isinstance(changes, dict) else {}


def _revoked_in(entry) -> bool:
    change = _changes(entry).get("is_revoked")
    if not isinstance(change, list | tuple) or len(change) != 2:
        return False
    return str(change[1]).strip().lower() in TRUE and str(change[0]).strip().lower() not in TRUE


def backfill(apps, schema_editor):
    Certificate = apps.get_model("enterprises", "GaoqiCertificate")
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    content_type = ContentType.objects.filter(app_label="enterprises", model="gaoqicertificate").first()
    for certificate in Certificate.objects.filter(is_revoked=True).iterator():
        revoked_on = None
        if content_type is not None:
            entries = LogEntry.objects.filter(
                content_type=content_type, object_pk=str(certificate.pk)
            ).order_by("-timestamp", "-pk")
            for entry in entries:  # the latest logged change to 已取消资格
                if _revoked_in(entry):
                    revoked_on = timezone.localtime(entry.timestamp).date()
                    break
        if revoked_on is None or revoked_on < certificate.issued_on:
            revoked_on = certificate.issued_on
        Certificate.objects.filter(pk=certificate.pk).update(revoked_on=revoked_on)


def restore(apps, schema_editor):
    Certificate = apps.get_model("enterprises", "GaoqiCertificate")
    Certificate.objects.filter(revoked_on__isnull=False).update(is_revoked=True)


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0006_drop_transition_logs"),
        ("auditlog", "0015_alter_logentry_changes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="gaoqicertificate",
            name="revoked_on",
            field=models.DateField(blank=True, null=True, verbose_name="取消资格日期"),
        ),
        migrations.RunPython(backfill, restore),
    ]
