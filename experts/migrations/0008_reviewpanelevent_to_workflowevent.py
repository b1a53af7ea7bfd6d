"""Copy every experts.ReviewPanelEvent row into core.WorkflowEvent (workflow "experts.reviewpanel").

The action code comes from the Chinese action text (kept as the label); the states are replayed in time
order from 抽取中: 专家已确认 → 已确认, 录入评分 on 已确认 → 评分中, 完成评审 → 已完成, 撤销评审组 → 已撤销,
登记拒绝 on 已确认 → 抽取中; the other steps keep the state. The note becomes the comment; the step took
effect on the local date it was recorded."""

from django.db import migrations
from django.utils import timezone

PANEL_FLOW = "experts.reviewpanel"
DRAWING, CONFIRMED, SCORING, CLOSED, CANCELLED = "抽取中", "已确认", "评分中", "已完成", "已撤销"

# The old event's action text -> the workflow's action code.
ACTIONS = {
    "抽取专家": "draw",
    "确认专家": "confirm",
    "专家已确认": "seat",
    "登记拒绝": "refuse",
    "备选递补": "promote",
    "备选不足": "reserves_exhausted",
    "指定组长": "leader",
    "补充抽取": "supplement",
    "录入评分": "score",
    "完成评审": "close",
    "撤销评审组": "cancel",
}


def next_state(text: str, state: str) -> str:
    """The panel's state after an old event `text` taken in `state` (`""`: before the draw)."""
    if text == "抽取专家":
        return DRAWING
    if text == "专家已确认":
        return CONFIRMED
    if text == "录入评分" and state == CONFIRMED:
        return SCORING
    if text == "完成评审":
        return CLOSED
    if text == "撤销评审组":
        return CANCELLED
    if text == "登记拒绝" and state == CONFIRMED:
        return DRAWING
    return state or DRAWING


def _local_date(moment):
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReviewPanelEvent = apps.get_model("experts", "ReviewPanelEvent")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    if not ReviewPanelEvent.objects.exists():
        return
    panel_type, _ = ContentType.objects.get_or_create(app_label="experts", model="reviewpanel")
    state: dict[int, str] = {}
    batch = []
    for row in ReviewPanelEvent.objects.order_by("panel_id", "created_at", "pk").iterator(chunk_size=2000):
        from_state = state.get(row.panel_id, "")
        to_state = next_state(row.action, from_state)
        if from_state == "" and row.action != "抽取专家":
            from_state = DRAWING  # a timeline without its draw: the panel was drawing
        state[row.panel_id] = to_state
        batch.append(
            WorkflowEvent(
                content_type_id=panel_type.pk,
                object_id=row.panel_id,
                workflow=PANEL_FLOW,
                action=ACTIONS.get(row.action, row.action)[:32],
                label=row.action[:100],
                from_state=from_state,
                to_state=to_state,
                effective_on=_local_date(row.created_at),
                recorded_at=row.created_at,
                actor_id=row.actor_id,
                comment=row.note,
                data={},
            )
        )
        if len(batch) >= 2000:
            WorkflowEvent.objects.bulk_create(batch)
            batch = []
    WorkflowEvent.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    ReviewPanelEvent = apps.get_model("experts", "ReviewPanelEvent")
    WorkflowEvent = apps.get_model("core", "WorkflowEvent")
    ReviewPanel = apps.get_model("experts", "ReviewPanel")
    ReviewPanelEvent._meta.get_field("created_at").auto_now_add = False  # keep the time recorded
    panels = set(ReviewPanel.objects.values_list("pk", flat=True))
    rows = WorkflowEvent.objects.filter(workflow=PANEL_FLOW).order_by("recorded_at", "pk")
    ReviewPanelEvent.objects.bulk_create(
        [
            ReviewPanelEvent(
                panel_id=row.object_id,
                action=row.label[:20],
                note=row.comment[:500],
                actor_id=row.actor_id,
                created_at=row.recorded_at,
            )
            for row in rows.iterator()
            if row.object_id in panels
        ],
        batch_size=2000,
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0010_workflowevent"),
        ("experts", "0007_search_upper_trigrams"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
