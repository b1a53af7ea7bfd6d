"""Copy the 科小 and 培育库 transition logs into core.WorkflowEvent (one event per log row)."""

from django.db import migrations
from django.utils import timezone

SMES_LABELS = {
    "submitted": ("submit", "企业填报"),
    "reviewed": ("review_pass", "形式审查通过"),
    "returned": ("review_return", "形式审查退回"),
    "publicity": ("start_publicity", "开始公示"),
    "admitted": ("admit", "入库"),
    "rejected": ("reject", "不予入库"),
    "revoked": ("revoke", "撤销入库"),
}
# The record's date field that holds each step's date (the target state decides the step).
SMES_DATE_FIELDS = {
    "submitted": "submitted_on",
    "reviewed": "reviewed_on",
    "returned": "reviewed_on",
    "publicity": "publicity_start",
    "admitted": "admitted_on",
    "revoked": "revoked_on",
}
POOL_LABELS = {
    "recommended": ("recommend", "县区推荐"),
    "admitted": ("admit", "入库"),
    "declined": ("decline", "不予入库"),
    "applied": ("apply", "标记已申报"),
    "certified": ("certify", "标记已认定"),
    "exited": ("exit", "出库"),
}
POOL_DATE_FIELDS = {
    "recommended": "recommended_on",
    "admitted": "admitted_on",
    "certified": "certified_on",
    "exited": "exited_on",
}


def _copy(apps, *, log_model, owner_field, model_name, key, labels, date_fields, extra):
    ContentType = apps.get_model("contenttypes", "ContentType")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    Log = apps.get_model("enterprises", log_model)
    content_type, _ = ContentType.objects.get_or_create(app_label="enterprises", model=model_name)
    events = []
    for log in Log.objects.select_related(owner_field).order_by("at", "pk").iterator():
        record = getattr(log, owner_field)
        if log.from_state == "":
            action, label = next(iter(labels.values()))  # the step that created the record
        else:
            action, label = labels.get(log.to_state, (log.to_state, log.to_state))
        field = date_fields.get(log.to_state)
        effective_on = getattr(record, field, None) if field else None
        if effective_on is None:
            effective_on = timezone.localdate(log.at) if log.at else timezone.localdate()
        events.append(
            WorkflowEvent(
                content_type_id=content_type.pk,
                object_id=record.pk,
                workflow=key,
                action=action,
                label=label,
                from_state=log.from_state,
                to_state=log.to_state,
                effective_on=effective_on,
                recorded_at=log.at or timezone.now(),
                actor_id=log.actor_id,
                comment=log.comment,
                data=extra(record, log.to_state),
            )
        )
        if len(events) >= 1000:
            WorkflowEvent.objects.bulk_create(events)
            events = []
    WorkflowEvent.objects.bulk_create(events)


def _smes_extra(evaluation, state):
    if state == "admitted":
        return {
            "registration_number": evaluation.registration_number,
            "admitted_on": evaluation.admitted_on.isoformat() if evaluation.admitted_on else None,
        }
    if state == "revoked":
        return {"revoked_on": evaluation.revoked_on.isoformat() if evaluation.revoked_on else None}
    return {}


def _pool_extra(entry, state):
    if state == "admitted":
        return {
            "year": entry.admitted_year,
            "admitted_on": entry.admitted_on.isoformat() if entry.admitted_on else None,
        }
    if state == "applied":
        return {"year": entry.applied_year}
    return {}


def forward(apps, schema_editor):
    _copy(
        apps,
        log_model="SmesEvaluationLog",
        owner_field="evaluation",
        model_name="smesevaluation",
        key="enterprises.smesevaluation",
        labels=SMES_LABELS,
        date_fields=SMES_DATE_FIELDS,
        extra=_smes_extra,
    )
    _copy(
        apps,
        log_model="PoolEntryLog",
        owner_field="entry",
        model_name="poolentry",
        key="enterprises.poolentry",
        labels=POOL_LABELS,
        date_fields=POOL_DATE_FIELDS,
        extra=_pool_extra,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0004_smes_reviewed_on"),
        ("core", "0010_workflowevent"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
