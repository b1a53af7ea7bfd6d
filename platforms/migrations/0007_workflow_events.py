"""Move the platform timeline (PlatformEvent) into the one event table (core.WorkflowEvent), then drop it.

Every row keeps its action, label, states, actor, time recorded, comment and effective date; the levels and
the recognising application go into the event's data."""

from django.db import migrations

LABELS = {
    "register": "登记",
    "prepare": "纳入筹建",
    "recognise": "认定",
    "upgrade": "升级认定",
    "revoke": "撤销",
    "restore": "恢复培育",
}


def forwards(apps, schema_editor):
    PlatformEvent = apps.get_model("platforms", "PlatformEvent")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not PlatformEvent.objects.exists():
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="platforms", model="platform")
    batch = []
    for event in PlatformEvent.objects.select_related("application__batch").order_by("pk").iterator():
        data = {"to_level": event.to_level}
        if event.from_level:
            data = {"from_level": event.from_level, **data}
        if event.application_id:
            data["application"] = event.application_id
            data["batch"] = event.application.batch.title
        batch.append(
            WorkflowEvent(
                content_type=content_type,
                object_id=event.platform_id,
                workflow="platforms.platform",
                action=event.action,
                label=LABELS.get(event.action, event.action),
                from_state=event.from_state,
                to_state=event.to_state,
                effective_on=event.effective_on,
                recorded_at=event.created_at,
                actor_id=event.actor_id,
                comment=event.comment,
                data=data,
            )
        )
        if len(batch) >= 2000:
            WorkflowEvent.objects.bulk_create(batch)
            batch = []
    WorkflowEvent.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    PlatformEvent = apps.get_model("platforms", "PlatformEvent")
    PlatformApplication = apps.get_model("platforms", "PlatformApplication")
    applications = set(PlatformApplication.objects.values_list("pk", flat=True))
    rows = []
    for event in WorkflowEvent.objects.filter(workflow="platforms.platform").order_by("pk").iterator():
        data = event.data or {}
        application = data.get("application")
        rows.append(
            PlatformEvent(
                platform_id=event.object_id,
                action=event.action,
                from_state=event.from_state,
                to_state=event.to_state,
                from_level=data.get("from_level", ""),
                to_level=data.get("to_level", ""),
                effective_on=event.effective_on,
                comment=event.comment,
                application_id=application if application in applications else None,
                actor_id=event.actor_id,
            )
        )
    PlatformEvent.objects.bulk_create(rows)
    WorkflowEvent.objects.filter(workflow="platforms.platform").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0006_outreach_photos_generated_names"),
        ("core", "0010_workflowevent"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="PlatformEvent"),
    ]
