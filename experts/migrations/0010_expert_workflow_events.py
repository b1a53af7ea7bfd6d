"""Write the dated history of every expert in the flow experts.expert (issue 18): the annual figures count
the 入库 and 重新入库 events effective in a year, never Expert.admitted_on (overwritten by a re-admission).

For each expert, the django-auditlog history of the row is replayed when it is complete (a creation entry,
then every change of `state` with the dates written with it): 入库 on the created admitted_on, then
暂停 / 出库 on the exited_on written with the change, 重新入库 on the admitted_on written with it, and
恢复在库 on the day the change was logged (that step kept no date). The replay is used only when it ends in
the expert's current state with its dates in order; the current tenure's dates are then aligned with the
record (admitted_on, exited_on: later corrections made in the edit form). Otherwise — no log, a log without
its creation, or a history that does not add up — the record's own dates give the latest tenure only: 入库
on admitted_on, plus 暂停 / 出库 on exited_on for an expert not 在库; earlier tenures overwritten by a
re-admission are then lost (the comment of each written event says which source it came from)."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

FLOW = "experts.expert"
ACTIVE, SUSPENDED, EXITED = "在库", "暂停", "出库"
LABELS = {"admit": "入库", "suspend": "暂停", "resume": "恢复在库", "exit": "出库", "readmit": "重新入库"}
FROM_LOG = "据操作日志补记"
FROM_RECORD = "据专家记录补记"


def _date(value):
    if value in (None, "", "None"):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _local(moment):
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _leave_action(state):
    return "exit" if state == EXITED else "suspend"


def replay(expert, entries):
    """The steps [(action, from, to, date, recorded_at)] the log shows, or None when it does not add up."""
    if not entries or entries[0].action != 0:
        return None
    values: dict[str, str] = {}
    steps = []
    state = None
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name, pair in changes.items():
            if isinstance(pair, list | tuple) and len(pair) == 2:
                values[name] = pair[1]
        if entry.action == 0:
            admitted = _date(values.get("admitted_on"))
            if admitted is None:
                return None
            steps.append(("admit", "", ACTIVE, admitted, entry.timestamp))
            state = values.get("state") or ACTIVE
            if state != ACTIVE:
                left = _date(values.get("exited_on")) or admitted
                steps.append((_leave_action(state), ACTIVE, state, left, entry.timestamp))
        elif entry.action == 1 and "state" in changes:
            old, new = changes["state"]
            if old != state or new == state:
                return None
            if new == ACTIVE and old == EXITED:
                step = ("readmit", _date(values.get("admitted_on")) or _local(entry.timestamp))
            elif new == ACTIVE:
                step = ("resume", _local(entry.timestamp))
            elif new == EXITED and old in (ACTIVE, SUSPENDED) or new == SUSPENDED and old == ACTIVE:
                step = (_leave_action(new), _date(values.get("exited_on")) or _local(entry.timestamp))
            else:
                return None
            steps.append((step[0], old, new, step[1], entry.timestamp))
            state = new
        elif entry.action == 2:
            return None
    if state != expert.state:
        return None
    # The current tenure follows the record (dates corrected later in the edit form).
    steps = [list(step) for step in steps]
    admissions = [i for i, step in enumerate(steps) if step[0] in ("admit", "readmit")]
    steps[admissions[-1]][3] = expert.admitted_on
    if expert.state != ACTIVE and expert.exited_on and steps[-1][0] in ("exit", "suspend"):
        steps[-1][3] = expert.exited_on
    days = [step[3] for step in steps]
    if days != sorted(days):
        return None
    return [tuple(step) for step in steps]


def from_record(expert):
    recorded = expert.created_at or timezone.now()
    steps = [("admit", "", ACTIVE, expert.admitted_on, recorded)]
    if expert.state != ACTIVE:
        steps.append(
            (
                _leave_action(expert.state),
                ACTIVE,
                expert.state,
                max(expert.exited_on or expert.admitted_on, expert.admitted_on),
                expert.updated_at or recorded,
            )
        )
    return steps


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Expert = apps.get_model("experts", "Expert")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    if not Expert.objects.exists():
        return
    expert_type, _ = ContentType.objects.get_or_create(app_label="experts", model="expert")
    done = set(
        WorkflowEvent.objects.filter(content_type=expert_type).values_list("object_id", flat=True).distinct()
    )
    try:
        LogEntry = apps.get_model("auditlog", "LogEntry")
    except LookupError:
        LogEntry = None
    batch = []
    for expert in Expert.objects.order_by("pk").iterator(chunk_size=2000):
        if expert.pk in done:
            continue
        entries = []
        if LogEntry is not None:
            entries = list(
                LogEntry.objects.filter(content_type_id=expert_type.pk, object_id=expert.pk).order_by(
                    "timestamp", "pk"
                )
            )
        steps = replay(expert, entries)
        source = FROM_LOG
        if steps is None:
            steps, source = from_record(expert), FROM_RECORD
        for action, from_state, to_state, day, recorded_at in steps:
            reason = ""
            if action in ("admit", "readmit") and day == expert.admitted_on:
                reason = expert.admission_reason
            elif action in ("exit", "suspend") and to_state == expert.state:
                reason = expert.exit_reason
            batch.append(
                WorkflowEvent(
                    content_type_id=expert_type.pk,
                    object_id=expert.pk,
                    workflow=FLOW,
                    action=action,
                    label=LABELS[action],
                    from_state=from_state,
                    to_state=to_state,
                    effective_on=day,
                    recorded_at=recorded_at,
                    comment=f"{reason}（{source}）" if reason else f"（{source}）",
                    data={},
                )
            )
        if len(batch) >= 2000:
            WorkflowEvent.objects.bulk_create(batch)
            batch = []
    WorkflowEvent.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    WorkflowEvent.objects.filter(workflow=FLOW).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0010_workflowevent"),
        ("experts", "0009_delete_reviewpanelevent"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
