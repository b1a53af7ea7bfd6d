"""Give recognition batches, applications and performance evaluations their timelines in the one event
table (core.WorkflowEvent), now that their flows are declared workflows.

Before, a batch's progress and an application's review were kept only as their state and a few dates (the
security log held a line per step). Each record gets its creation event, and the steps its state and dates
imply, dated by the record's own dates (申报截止日期, 公示开始日期, 认定日期) and marked as restored; each
evaluation becomes a 绩效评价 step on its platform's timeline."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

RESTORED = "据迁移前的记录补记"
BATCH_STEPS = [  # (state reached, action, label, the batch's date field)
    ("formal", "close_applications", "截止申报，进入形式审查", "deadline"),
    ("review", "start_review", "进入专家评审", "deadline"),
    ("publicity", "publicise", "排名并公示", "publicity_start"),
    ("done", "recognise", "认定", "recognised_on"),
]
BATCH_ORDER = ["open", "formal", "review", "publicity", "done"]
# The application steps each state implies, after 申报: (action, label, from, to, the batch date field).
APPLICATION_PATHS = {
    "submitted": [],
    "accepted": [("accept", "形式审查通过", "submitted", "accepted", "deadline")],
    "rejected": [("reject", "形式审查不通过", "submitted", "rejected", "deadline")],
    "proposed": [
        ("accept", "形式审查通过", "submitted", "accepted", "deadline"),
        ("propose", "列为拟认定", "accepted", "proposed", "publicity_start"),
    ],
    "not_proposed": [
        ("accept", "形式审查通过", "submitted", "accepted", "deadline"),
        ("not_propose", "未入选", "accepted", "not_proposed", "publicity_start"),
    ],
    "objected": [
        ("accept", "形式审查通过", "submitted", "accepted", "deadline"),
        ("propose", "列为拟认定", "accepted", "proposed", "publicity_start"),
        ("object", "公示异议成立", "proposed", "objected", "publicity_start"),
    ],
    "recognised": [
        ("accept", "形式审查通过", "submitted", "accepted", "deadline"),
        ("propose", "列为拟认定", "accepted", "proposed", "publicity_start"),
        ("recognise", "认定", "proposed", "recognised", "recognised_on"),
    ],
}


def _local_date(moment) -> dt.date:
    return timezone.localtime(moment).date() if moment else timezone.localdate()


def forwards(apps, schema_editor):
    RecognitionBatch = apps.get_model("platforms", "RecognitionBatch")
    PlatformApplication = apps.get_model("platforms", "PlatformApplication")
    PlatformEvaluation = apps.get_model("platforms", "PlatformEvaluation")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    now = timezone.now()
    rows = []

    def event(content_type, object_id, workflow, action, label, from_state, to_state, on, **extra):
        rows.append(
            WorkflowEvent(
                content_type=content_type,
                object_id=object_id,
                workflow=workflow,
                action=action,
                label=label,
                from_state=from_state,
                to_state=to_state,
                effective_on=on,
                recorded_at=extra.pop("recorded_at", now),
                comment=extra.pop("comment", RESTORED),
                **extra,
            )
        )

    batch_type, _ = ContentType.objects.get_or_create(app_label="platforms", model="recognitionbatch")
    app_type, _ = ContentType.objects.get_or_create(app_label="platforms", model="platformapplication")
    platform_type, _ = ContentType.objects.get_or_create(app_label="platforms", model="platform")
    batch_dates = {}
    for batch in RecognitionBatch.objects.order_by("pk"):
        created = _local_date(batch.created_at)
        dates = {name: getattr(batch, name) for name in ("deadline", "publicity_start", "recognised_on")}
        known = [d for d in dates.values() if d]
        start = min([created, *known])
        batch_dates[batch.pk] = {name: value or start for name, value in dates.items()}
        event(
            batch_type,
            batch.pk,
            "platforms.recognitionbatch",
            "create",
            "发布批次",
            "",
            "open",
            start,
            recorded_at=batch.created_at or now,
            comment="",
        )
        reached = BATCH_ORDER.index(batch.state) if batch.state in BATCH_ORDER else 0
        previous = "open"
        for state, action, label, field in BATCH_STEPS:
            if BATCH_ORDER.index(state) > reached:
                break
            event(
                batch_type,
                batch.pk,
                "platforms.recognitionbatch",
                action,
                label,
                previous,
                state,
                batch_dates[batch.pk][field],
            )
            previous = state
    for app in PlatformApplication.objects.order_by("pk"):
        dates = batch_dates.get(app.batch_id, {})
        created = _local_date(app.created_at)
        event(
            app_type,
            app.pk,
            "platforms.platformapplication",
            "submit",
            "申报",
            "",
            "submitted",
            min([created, *[d for d in dates.values() if d]]) if dates else created,
            recorded_at=app.created_at or now,
            comment="",
            actor_id=app.submitted_by_id,
        )
        for action, label, from_state, to_state, field in APPLICATION_PATHS.get(app.state, []):
            comment = RESTORED
            data = {}
            if action in ("accept", "reject") and app.formal_comment:
                comment = app.formal_comment
            if action == "object" and app.objection:
                comment = app.objection
            if action in ("propose", "not_propose") and app.rank:
                data = {"rank": app.rank, "review_score": str(app.review_score or "")}
            if action == "recognise" and app.certificate_no:
                data = {"certificate_no": app.certificate_no}
            event(
                app_type,
                app.pk,
                "platforms.platformapplication",
                action,
                label,
                from_state,
                to_state,
                dates.get(field) or created,
                comment=comment,
                data=data,
            )
    for evaluation in PlatformEvaluation.objects.select_related("platform").order_by("pk"):
        state = evaluation.platform.state
        event(
            platform_type,
            evaluation.platform_id,
            "platforms.platform",
            "evaluate",
            "绩效评价",
            state,
            state,
            _local_date(evaluation.created_at),
            recorded_at=evaluation.created_at or now,
            comment=evaluation.comment,
            actor_id=evaluation.evaluated_by_id,
            data={
                "year": evaluation.year,
                "score": str(evaluation.score),
                "grade": evaluation.grade,
                "revocation_proposed": evaluation.revocation_proposed,
            },
        )
    WorkflowEvent.objects.bulk_create(rows, batch_size=2000)


def backwards(apps, schema_editor):
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    WorkflowEvent.objects.filter(
        workflow__in=["platforms.recognitionbatch", "platforms.platformapplication"]
    ).delete()
    WorkflowEvent.objects.filter(workflow="platforms.platform", action="evaluate").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0007_workflow_events"),
        ("core", "0010_workflowevent"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
