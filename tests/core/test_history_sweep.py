"""Readable history (kejiju.core.history), swept over every model registered with django-auditlog and every
workflow transition: what the 变更历史 panels, the 数据变更日志 page and its export show has verbose field
names, labels for codes, 是/否, the names of related records, local times and "—", never "None", "True",
an attname, a bare id, a UTC time, a reverse relation or an internal column."""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid

import pytest
from auditlog.diff import model_instance_diff, track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from kejiju.accounts.models import Region
from kejiju.accounts.tables import ChangeLogTable
from kejiju.core.history import _is_internal, readable_changes
from kejiju.core.models import WorkflowEvent
from kejiju.core.templatetags.kejiju_tags import history_changes
from kejiju.core.workflow.declarations import workflows

pytestmark = pytest.mark.django_db

MISSING_PK = 987_654_321  # the id of a related row that does not exist: never shown bare
UTC_OLD = dt.datetime(2026, 3, 4, 2, 5, tzinfo=dt.UTC)  # 10:05 in Asia/Shanghai
UTC_NEW = dt.datetime(2026, 3, 5, 17, 40, tzinfo=dt.UTC)  # 2026-03-06 01:40 in Asia/Shanghai
RAW = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\+00:00|\d{2}:\d{2}:\d{2}|02:05|17:40")


def _registered() -> list[type[models.Model]]:
    return sorted(auditlog.get_models(), key=lambda model: model._meta.label)


def _tracked(model) -> list[models.Field]:
    options = auditlog.get_model_fields(model)
    fields = []
    for field in model._meta.get_fields():
        if not track_field(field) or not getattr(field, "concrete", False) or field.many_to_many:
            continue
        if options["include_fields"] and field.name not in options["include_fields"]:
            continue
        if field.name in options["exclude_fields"]:
            continue
        fields.append(field)
    return fields


def _pair(field: models.Field, related: dict) -> tuple:
    """An old and a new value of the field's kind, the two different."""
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        target = related.get(field.related_model)
        key = getattr(target, field.target_field.attname) if target is not None else None
        return (
            key,
            MISSING_PK if isinstance(field.target_field, models.AutoField | models.IntegerField) else key,
        )
    if field.choices:
        keys = [key for key, _ in field.flatchoices if key not in ("", None)]
        return keys[0], keys[-1] if len(keys) > 1 else None
    base = getattr(field, "base_field", None)
    if base is not None:
        if base.choices:
            keys = [key for key, _ in base.flatchoices]
            return [keys[0]], keys[:2]
        return [], ["甲", "乙"]
    if isinstance(field, models.BooleanField):
        return True, False
    if isinstance(field, models.DateTimeField):
        return UTC_OLD, UTC_NEW
    if isinstance(field, models.DateField):
        return dt.date(2026, 3, 4), None
    if isinstance(field, models.TimeField):
        return dt.time(9, 30), dt.time(10, 45)
    if isinstance(field, models.DecimalField):
        return decimal.Decimal("1.50"), None
    if isinstance(field, models.IntegerField | models.FloatField):
        return 3, 7
    if isinstance(field, models.UUIDField):
        return uuid.uuid4(), uuid.uuid4()
    if isinstance(field, models.JSONField):
        return [], [{"名称": "甲", "启用": True}]
    if isinstance(field, models.GenericIPAddressField):
        return "10.0.0.1", None
    if isinstance(field, models.FileField):
        return "", "attachments/a.pdf"
    return "", "新的内容"


def _instance(model, values: dict):
    obj = model()
    obj.pk = MISSING_PK
    for field, value in values.items():
        setattr(obj, field.attname, value)
    return obj


def _entries(model, related: dict) -> list[LogEntry]:
    """A create entry (auditlog's own diff from nothing) and an update entry changing every tracked field,
    plus a many-to-many entry per many-to-many field."""
    fields = _tracked(model)
    pairs = {field: _pair(field, related) for field in fields}
    old = _instance(model, {field: pair[0] for field, pair in pairs.items()})
    new = _instance(model, {field: pair[1] for field, pair in pairs.items()})
    kind = ContentType.objects.get_for_model(model)
    made = []
    for action, changes in (
        (LogEntry.Action.CREATE, model_instance_diff(None, new)),
        (LogEntry.Action.UPDATE, model_instance_diff(old, new)),
    ):
        made.append(
            LogEntry(
                content_type=kind,
                object_pk=str(MISSING_PK),
                object_repr="样例",
                action=action,
                changes=changes,
            )
        )
    m2m = auditlog.get_model_fields(model).get("m2m_fields") or set()
    for name in m2m:
        made.append(
            LogEntry(
                content_type=kind,
                object_pk=str(MISSING_PK),
                object_repr="样例",
                action=LogEntry.Action.UPDATE,
                changes={name: {"type": "m2m", "operation": "add", "objects": ["甲"]}},
            )
        )
    return made


@pytest.fixture
def related_rows(world):
    """One row of each model a registered model refers to, where the test world has one."""
    rows = {}
    for model in _registered():
        for field in _tracked(model):
            if isinstance(field, models.ForeignKey | models.OneToOneField):
                target = field.related_model
                if target not in rows:
                    rows[target] = target._base_manager.order_by("pk").first()
    return rows


@pytest.mark.parametrize("model", _registered(), ids=lambda model: model._meta.label)
def test_history_of_every_registered_model_is_readable(model, related_rows):
    entries = _entries(model, related_rows)
    readable_changes(entries)
    table = ChangeLogTable(entries)
    names = {
        name for field in model._meta.get_fields() for name in (field.name, getattr(field, "attname", ""))
    }
    names.discard("")
    labels = {
        str(field.verbose_name)
        for field in model._meta.get_fields()
        if getattr(field, "verbose_name", None) and not field.auto_created
    }
    for entry in entries:
        lines = history_changes(entry)
        cell = table._changes(entry)
        text = " ".join(f"{label}：{change}" for label, change in lines) + " " + cell
        assert not RAW.search(text), (model, text)
        assert str(MISSING_PK) not in text, (model, text)
        for label, _change in lines:
            assert label in labels, (model, label)
            assert label not in names, (model, label)
            assert label not in {"ID", "id"}, (model, label)
        assert "<" not in text and "manager" not in text.lower(), (model, text)
    update_lines = dict(history_changes(entries[1]))
    for field in _tracked(model):
        if field.primary_key or _is_internal(field):
            assert str(field.verbose_name) not in update_lines, (model, field.name)
            continue
        if isinstance(field, models.DateTimeField) and not field.auto_now and not field.auto_now_add:
            assert update_lines[str(field.verbose_name)] == "2026-03-04 10:05 → 2026-03-06 01:40", (
                model,
                field,
            )
        if isinstance(field, models.BooleanField) and not field.choices:
            assert update_lines[str(field.verbose_name)] == "是 → 否", (model, field)
        if isinstance(field, models.ForeignKey | models.OneToOneField):
            target = related_rows.get(field.related_model)
            if target is not None:
                assert update_lines[str(field.verbose_name)].startswith(f"{target} → "), (model, field)


def _region_entries(count: int) -> list[LogEntry]:
    regions = list(Region.objects.order_by("pk")[:2])
    kind = ContentType.objects.get_for_model(Region)
    return [
        LogEntry.objects.create(
            content_type=kind,
            object_pk=str(regions[0].pk),
            object_repr=str(regions[0]),
            action=LogEntry.Action.UPDATE,
            changes={"parent": [str(regions[1].pk), str(regions[0].pk)], "is_active": ["True", "False"]},
        )
        for _ in range(count)
    ]


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_a_history_batch_reads_related_names_in_constant_queries(world):
    one, twenty = _region_entries(1), _region_entries(20)
    fresh = lambda entries: list(LogEntry.objects.filter(pk__in=[e.pk for e in entries]))  # noqa: E731
    one, twenty = fresh(one), fresh(twenty)
    assert _queries(lambda: readable_changes(one)) == _queries(lambda: readable_changes(twenty)) <= 1


def test_the_change_log_page_keeps_its_queries_constant(client, auditor_user):
    client.force_login(auditor_user)
    client.get("/accounts/audit/changes/")  # warm caches (content types, parameters)
    _region_entries(1)
    with CaptureQueriesContext(connection) as first:
        page = client.get("/accounts/audit/changes/")
    assert page.status_code == 200
    _region_entries(20)
    with CaptureQueriesContext(connection) as second:
        page = client.get("/accounts/audit/changes/")
    body = page.content.decode()
    assert "是 → 否" in body and "is_active" not in body and "上级" in body
    assert len(second.captured_queries) <= len(first.captured_queries)


def test_the_detail_page_history_keeps_its_queries_constant(client, sysadmin_user):
    region = Region.objects.order_by("pk").first()
    client.force_login(sysadmin_user)
    url = region.get_absolute_url()
    client.get(url)
    kind = ContentType.objects.get_for_model(Region)
    other = Region.objects.exclude(pk=region.pk).order_by("pk").first()

    def log(count):
        for _ in range(count):
            LogEntry.objects.create(
                content_type=kind,
                object_pk=str(region.pk),
                object_id=region.pk,
                object_repr=str(region),
                action=LogEntry.Action.UPDATE,
                changes={"parent": [str(other.pk), "None"]},
            )

    log(1)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    log(19)
    with CaptureQueriesContext(connection) as second:
        body = client.get(url).content.decode()
    assert f"上级：{other} → —" in body
    assert len(second.captured_queries) == len(first.captured_queries)


def _transitions():
    for key, flow in sorted(workflows().items()):
        for transition in flow.transitions:
            for source in sorted(transition.sources):
                yield pytest.param(
                    key, source, str(transition.target), id=f"{key}:{transition.action}:{source}"
                )


@pytest.mark.parametrize(("workflow", "source", "target"), list(_transitions()))
def test_every_workflow_transition_is_told_by_its_state_labels(workflow, source, target):
    """The 安全事件 of a transition (and the 流程记录) say "已提交 → 已审核", never the state codes."""
    event = WorkflowEvent(workflow=workflow, from_state=source, to_state=target)
    for code, label in ((source, event.from_label), (target, event.to_label)):
        assert label, (workflow, code)  # some flows' states are their Chinese names already
        assert not re.search(r"[A-Za-z_]", label), (workflow, code, label)


def test_the_change_log_export_is_readable(world):
    from io import BytesIO
    from types import SimpleNamespace

    from openpyxl import load_workbook

    from kejiju.accounts.jobs import build_changelog_export

    _region_entries(3)
    output = build_changelog_export(SimpleNamespace(parameters={"query": ""}))
    sheet = load_workbook(BytesIO(output.content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    changes = [text for text in cells if "启用" in text]
    assert changes and all("是 → 否" in text and "上级：" in text for text in changes)
    assert not any(RAW.search(text) or "is_active" in text or "parent" in text for text in changes)


def test_the_change_log_export_reads_names_per_chunk_not_per_row(world):
    from types import SimpleNamespace

    from kejiju.accounts.jobs import build_changelog_export

    job = SimpleNamespace(parameters={"query": ""})
    _region_entries(1)
    build_changelog_export(job)  # warm caches
    one = _queries(lambda: build_changelog_export(job))
    _region_entries(20)
    assert _queries(lambda: build_changelog_export(job)) == one


@pytest.mark.parametrize("kind", ["changelog", "events"])
def test_the_audit_exports_give_local_times(world, kind):
    from io import BytesIO
    from types import SimpleNamespace

    from django.utils import timezone
    from openpyxl import load_workbook

    from kejiju.accounts.jobs import build_audit_events_export, build_changelog_export
    from kejiju.core.models import AuditEvent

    _region_entries(1)
    AuditEvent.objects.create(event_type=AuditEvent.Type.LOGIN, username="someone")
    build = build_changelog_export if kind == "changelog" else build_audit_events_export
    sheet = load_workbook(BytesIO(build(SimpleNamespace(parameters={"query": ""})).content)).active
    times = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert times and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", str(t)) for t in times), times
    assert timezone.localtime().strftime("%Y-%m-%d %H:") in " ".join(str(t) for t in times)


def _value_label_fields():
    from kejiju.core.history import _value_labels

    return sorted(_value_labels)


@pytest.mark.parametrize(("model_label", "field_name"), _value_label_fields())
def test_codes_without_choices_read_as_their_registered_labels(model_label, field_name):
    from django.apps import apps

    from kejiju.core.history import _value_labels

    model = apps.get_model(model_label)
    labels = dict(_value_labels[(model_label, field_name)]())
    assert labels, (model_label, field_name)
    kind = ContentType.objects.get_for_model(model)
    entries = [
        LogEntry(
            content_type=kind,
            object_pk="1",
            object_repr="样例",
            action=LogEntry.Action.UPDATE,
            changes={field_name: [code, "None"]},
        )
        for code in labels
    ]
    for entry, label in zip(entries, labels.values(), strict=True):
        assert history_changes(entry) == [
            (str(model._meta.get_field(field_name).verbose_name), f"{label} → —")
        ]


def test_the_coded_fields_the_demo_showed_raw_have_labels():
    from kejiju.core.history import _value_labels

    assert {
        ("reporting.FigureEntry", "key"),
        ("experts.ReviewScore", "criterion"),
        ("experts.CompositionRule", "kind"),
    } <= set(_value_labels)
