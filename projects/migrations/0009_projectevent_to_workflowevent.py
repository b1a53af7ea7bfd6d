"""Copy every projects.ProjectEvent row into core.WorkflowEvent (workflow "projects.project"), and give
every existing 变更 request its own timeline (workflow "projects.changerequest").

Transitions keep action, label, from/to, actor, comment and the time recorded; steps that kept the state
(年报, 拨付, 中期检查, 变更, 附件) take the state the project was in then (replayed from its transitions).
The effective date is the step's own date where the row can be matched to one (拨付日期, 报送日期, 检查日期),
else the local date of the time recorded."""

import re
from decimal import Decimal, InvalidOperation

from django.db import migrations
from django.utils import timezone

PROJECT_FLOW = "projects.project"
CHANGE_FLOW = "projects.changerequest"


def _local_date(moment):
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    ChangeRequest = apps.get_model("projects", "ChangeRequest")
    Disbursement = apps.get_model("projects", "Disbursement")
    AnnualReport = apps.get_model("projects", "AnnualReport")
    MidtermCheck = apps.get_model("projects", "MidtermCheck")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    project_type, _ = ContentType.objects.get_or_create(app_label="projects", model="project")
    change_type, _ = ContentType.objects.get_or_create(app_label="projects", model="changerequest")

    used_disbursements: set[int] = set()

    def step_date(row):
        if row.action == "disburse":
            match = re.search(r"([\d.]+)\s*元", row.label)
            try:
                amount = Decimal(match.group(1)) if match else None
            except InvalidOperation:
                amount = None
            found = (
                Disbursement.objects.filter(project_id=row.project_id, amount=amount)
                .exclude(pk__in=used_disbursements)
                .order_by("paid_on", "pk")
                .first()
            )
            if found:
                used_disbursements.add(found.pk)
                return found.paid_on
        elif row.action == "annual_report":
            match = re.search(r"(\d{4})", row.label)
            if match:
                report = AnnualReport.objects.filter(
                    project_id=row.project_id, year=int(match.group(1))
                ).first()
                if report:
                    return report.filed_on
        elif row.action == "midterm_check":
            check = (
                MidtermCheck.objects.filter(project_id=row.project_id, findings=row.comment)
                .order_by("checked_on")
                .first()
            )
            if check:
                return check.checked_on
        return _local_date(row.created_at)

    batch = []
    state: dict[int, str] = {}
    for row in ProjectEvent.objects.order_by("project_id", "created_at", "pk").iterator(chunk_size=2000):
        transition = bool(row.to_state)
        if transition:
            from_state, to_state = row.from_state, row.to_state
            state[row.project_id] = row.to_state
        else:
            current = state.get(row.project_id, "")
            from_state = to_state = current
        batch.append(
            WorkflowEvent(
                content_type_id=project_type.pk,
                object_id=row.project_id,
                workflow=PROJECT_FLOW,
                action=row.action[:32],
                label=row.label[:100],
                from_state=from_state,
                to_state=to_state,
                effective_on=_local_date(row.created_at) if transition else step_date(row),
                recorded_at=row.created_at,
                actor_id=row.actor_id,
                comment=row.comment,
                data={},
            )
        )
        if len(batch) >= 2000:
            WorkflowEvent.objects.bulk_create(batch)
            batch = []
    for request in ChangeRequest.objects.order_by("pk").iterator(chunk_size=2000):
        batch.append(
            WorkflowEvent(
                content_type_id=change_type.pk,
                object_id=request.pk,
                workflow=CHANGE_FLOW,
                action="change_request",
                label="提出变更",
                from_state="",
                to_state="pending",
                effective_on=_local_date(request.requested_at),
                recorded_at=request.requested_at,
                comment=request.reason,
                data={},
            )
        )
        if request.decision != "pending":
            decided_at = request.decided_at or request.requested_at
            approved = request.decision == "approved"
            batch.append(
                WorkflowEvent(
                    content_type_id=change_type.pk,
                    object_id=request.pk,
                    workflow=CHANGE_FLOW,
                    action="approve" if approved else "refuse",
                    label="批准变更" if approved else "驳回变更",
                    from_state="pending",
                    to_state=request.decision,
                    effective_on=_local_date(decided_at),
                    recorded_at=decided_at,
                    actor_id=request.decided_by_id,
                    comment=request.decision_comment,
                    data={},
                )
            )
        if len(batch) >= 2000:
            WorkflowEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        WorkflowEvent.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    project_type = ContentType.objects.filter(app_label="projects", model="project").first()
    rows = WorkflowEvent.objects.filter(workflow=PROJECT_FLOW)
    if project_type is not None:
        rows = rows.filter(content_type=project_type)
    ProjectEvent.objects.bulk_create(
        [
            ProjectEvent(
                project_id=row.object_id,
                action=row.action,
                label=row.label,
                from_state=row.from_state if row.from_state != row.to_state else "",
                to_state=row.to_state if row.from_state != row.to_state else "",
                comment=row.comment,
                actor_id=row.actor_id,
                created_at=row.recorded_at,
            )
            for row in rows.iterator()
        ],
        batch_size=2000,
    )
    WorkflowEvent.objects.filter(workflow__in=[PROJECT_FLOW, CHANGE_FLOW]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0010_workflowevent"),
        ("projects", "0008_workflow_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
