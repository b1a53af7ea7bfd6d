"""The city grant on the project's timeline, so that the commitment on any day is read from dated events
and never from today's Project.city_grant (overwritten by every approved budget change):

- each approved 经费预算 change (ChangeRequest.kind "budget" with a new city grant) puts the amount it set
  on the project's `change_decision` step (data.city_grant), matched to the step by its label (批准…经费…)
  and the nearest recorded time to the decision; where no step can be matched, one is written, effective
  on the local date of the decision;
- a 立项 (approve) event that does not state the grant approved (events copied from the old ProjectEvent
  table carry no data) gets data.granted: today's city grant when no budget change was approved since
  (it is still the one approved at 立项), else the requested grant (立项 approves it when none is typed).

Backwards: the keys written here are removed and the steps written here deleted."""

from django.db import migrations
from django.utils import timezone

PROJECT_FLOW = "projects.project"
BACKFILLED = "backfilled"


def _local_date(moment):
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _distance(event, moment):
    if moment is None:
        return 0
    return abs((event.recorded_at - moment).total_seconds())


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ChangeRequest = apps.get_model("projects", "ChangeRequest")
    Project = apps.get_model("projects", "Project")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    project_type, _ = ContentType.objects.get_or_create(app_label="projects", model="project")
    events = WorkflowEvent.objects.filter(content_type=project_type, workflow=PROJECT_FLOW)

    changed_projects: set[int] = set()
    budget_changes = ChangeRequest.objects.filter(
        kind="budget", decision="approved", new_city_grant__isnull=False
    ).order_by("decided_at", "pk")
    for request in budget_changes.iterator(chunk_size=2000):
        changed_projects.add(request.project_id)
        candidates = [
            event
            for event in events.filter(
                object_id=request.project_id, action="change_decision", label__startswith="批准"
            )
            if "经费" in event.label and "city_grant" not in (event.data or {})
        ]
        amount = str(request.new_city_grant)
        if candidates:
            event = min(candidates, key=lambda e: _distance(e, request.decided_at))
            event.data = {**(event.data or {}), "city_grant": amount}
            event.save(update_fields=["data"])
            continue
        decided_at = request.decided_at or request.requested_at
        state = Project.objects.filter(pk=request.project_id).values_list("state", flat=True).first()
        WorkflowEvent.objects.create(
            content_type=project_type,
            object_id=request.project_id,
            workflow=PROJECT_FLOW,
            action="change_decision",
            label="批准经费预算变更",
            from_state=state or "",
            to_state=state or "",
            effective_on=_local_date(decided_at),
            recorded_at=decided_at,
            actor_id=request.decided_by_id,
            comment=request.decision_comment,
            data={"city_grant": amount, BACKFILLED: True},
        )

    grants = dict(Project.objects.values_list("pk", "city_grant"))
    requested = dict(Project.objects.values_list("pk", "requested_grant"))
    for event in events.filter(action="approve").iterator(chunk_size=2000):
        if "granted" in (event.data or {}):
            continue
        project_id = int(event.object_id)
        amount = requested.get(project_id) if project_id in changed_projects else grants.get(project_id)
        if amount is None:
            amount = requested.get(project_id)
        if amount is None:
            continue
        event.data = {**(event.data or {}), "granted": str(amount), BACKFILLED: True}
        event.save(update_fields=["data"])


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    project_type = ContentType.objects.filter(app_label="projects", model="project").first()
    if project_type is None:
        return
    events = WorkflowEvent.objects.filter(content_type=project_type, workflow=PROJECT_FLOW)
    events.filter(action="change_decision", data__has_key=BACKFILLED).delete()
    for event in events.filter(action="approve", data__has_key=BACKFILLED).iterator():
        event.data = {k: v for k, v in event.data.items() if k not in ("granted", BACKFILLED)}
        event.save(update_fields=["data"])
    for event in events.filter(action="change_decision", data__has_key="city_grant").iterator():
        event.data = {k: v for k, v in event.data.items() if k != "city_grant"}
        event.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0010_workflowevent"),
        ("projects", "0010_delete_projectevent"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
