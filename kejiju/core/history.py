"""Readable change history: a django-auditlog LogEntry's changes as (field label, old, new) rows.

auditlog stores every value as text: a foreign key as the related row's id, a boolean as "True", a missing
value as "None", a datetime in naive UTC, a reverse relation as its manager's repr
("enterprises.Reward.None").
`readable_changes` turns the changes of a batch of entries into what a person reads: the field's
verbose_name, choice labels, 是/否, the related record's name (one query per related model for the whole
batch), local times, "—" for nothing; the primary key, reverse relations and internal columns (pii_row,
sealed columns, digests, password …) are left out. Every history panel, the 数据变更日志 page and its export
use it (the `history_changes` filter, `HistoryMixin`, `ChangeLogTable`). `changes_search` goes the other
way: the entries whose readable changes show a keyword (a field's verbose name, a choice label)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

EMPTY = "—"
_ABSENT = ("", "None", None)
_M2M_OPERATIONS = {"add": "新增", "delete": "移除", "clear": "清空"}
# Columns no person reads: credentials and the machinery of encrypted personal data.
_INTERNAL_NAMES = frozenset({"password", "last_login", "pii_row"})
_INTERNAL_SUFFIXES = ("_digest", "_cipher", "_hash", "_mac")
_LONG = 200  # characters of a long text shown in a history row


# (model label, field name) -> the labels of the codes a field holds without declaring choices.
_value_labels: dict[tuple[str, str], Callable[[], Mapping[str, str]]] = {}


def register_value_labels(model_label: str, field_name: str, labels: Callable[[], Mapping[str, str]]) -> None:
    """Codes a field holds without declaring choices (a monthly figure's key, a score's criterion): the
    history shows `labels()[code]` (read when shown: registries fill up as the apps start)."""
    _value_labels[(model_label, field_name)] = labels


class ChangeRow(NamedTuple):
    """One changed field. `old` is None for a many-to-many change, whose `new` says what was done."""

    label: str
    old: str | None
    new: str

    @property
    def text(self) -> str:
        return self.new if self.old is None else f"{self.old} → {self.new}"


def _is_internal(field: models.Field) -> bool:
    from kejiju.core.pii import SealedField

    return (
        field.name in _INTERNAL_NAMES
        or field.name.endswith(_INTERNAL_SUFFIXES)
        or isinstance(field, SealedField)
    )


def _shown_field(model: type[models.Model] | None, name: str) -> models.Field | bool | None:
    """The model field behind a change key; False when the change is not shown (reverse relation, primary
    key, internal column); None when the field no longer exists."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not field.concrete and not field.many_to_many:  # reverse and generic relations
        return False
    if field.auto_created and not field.concrete:  # reverse many-to-many
        return False
    if getattr(field, "primary_key", False) or _is_internal(field):
        return False
    return field


def _label(model: type[models.Model] | None, field: models.Field | None, name: str) -> str:
    if model is not None:
        from auditlog.registry import auditlog

        if auditlog.contains(model):
            mapped = auditlog.get_model_fields(model).get("mapping_fields") or {}
            if name in mapped:
                return str(mapped[name])
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return name


def _short(text: str) -> str:
    text = str(text)
    return text if len(text) <= _LONG else text[:_LONG] + "…"


def _datetime_text(value: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if timezone.is_naive(parsed):  # auditlog stores datetimes as naive UTC
        parsed = parsed.replace(tzinfo=dt.UTC)
    return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")


def _date_text(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return value


def _json_text(value: Any) -> str:
    if value in (None, "", [], {}):
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        if all(isinstance(item, list) for item in value):  # rows: 春节 2026-02-15 2026-02-22；…
            return "；".join(" ".join(_json_text(cell) for cell in item) for item in value) or EMPTY
        return "、".join(_json_text(item) for item in value) or EMPTY
    if isinstance(value, dict):
        return "；".join(f"{key}：{_json_text(item)}" for key, item in value.items()) or EMPTY
    return str(value)


def _choices(field: models.Field) -> dict[str, str] | None:
    choices = getattr(field, "choices", None) or getattr(getattr(field, "base_field", None), "choices", None)
    if not choices:
        return None
    flat: dict[str, str] = {}
    for key, label in choices:
        if isinstance(label, list | tuple):  # grouped choices
            flat.update({str(k): str(v) for k, v in label})
        else:
            flat[str(key)] = str(label)
    return flat


def _related_key(field: models.Field, value: str) -> Any:
    """The related row's key (the foreign key's target field) parsed from its stored text, or None."""
    try:
        return field.target_field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None


class _Names:
    """str() of related rows, read with one query per related model for every key a batch names."""

    def __init__(self) -> None:
        self.wanted: dict[tuple[type[models.Model], str], set] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], str], dict] = {}

    def want(self, field: models.Field, value: str) -> None:
        key = _related_key(field, value)
        if key is not None:
            self.wanted[(field.related_model, field.target_field.attname)].add(key)

    def load(self) -> None:
        for (model, attname), keys in self.wanted.items():
            # select_related(): a name made from a parent's (a region's 上级) costs no query per row.
            rows = model._base_manager.select_related().filter(**{f"{attname}__in": keys})
            self.found[(model, attname)] = {getattr(row, attname): str(row) for row in rows}

    def name(self, field: models.Field, value: str) -> str:
        key = _related_key(field, value)
        found = self.found.get((field.related_model, field.target_field.attname), {})
        if key in found:
            return found[key]
        return f"已删除的{field.related_model._meta.verbose_name}"


def _value_text(field: models.Field | None, value: Any, names: _Names) -> str:
    if value in _ABSENT:
        return EMPTY
    if field is None:
        return _short(value)
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        return names.name(field, str(value))
    choices = _choices(field)
    model = getattr(field, "model", None)
    labels = _value_labels.get((model._meta.label, field.name)) if model is not None else None
    if labels is not None:
        choices = {**(choices or {}), **{str(key): str(label) for key, label in labels().items()}}
    if choices:
        if isinstance(value, str) and value.startswith("["):
            try:
                items = json.loads(value.replace("'", '"'))
            except ValueError:
                items = None
            if isinstance(items, list):
                return "、".join(choices.get(str(item), str(item)) for item in items) or EMPTY
        return choices.get(str(value), str(value))
    if isinstance(field, models.BooleanField):
        return {"True": "是", "False": "否"}.get(str(value), str(value))
    if isinstance(field, models.DateTimeField):
        return _datetime_text(str(value))
    if isinstance(field, models.DateField):
        return _date_text(str(value))
    if isinstance(field, models.JSONField):
        try:
            return _json_text(json.loads(value) if isinstance(value, str) else value)
        except ValueError:
            return _short(value)
    return _short(value)


def _model_of(entry) -> type[models.Model] | None:
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def readable_changes(entries: Iterable) -> list[list[ChangeRow]]:
    """The change rows of each entry, in order; the related records they name are read in one query per
    related model for all the entries together. Each entry also gets them as `entry.readable_changes`."""
    entries = list(entries)
    names = _Names()
    plans: list[list[tuple[str, models.Field | None, Any]]] = []
    for entry in entries:
        model = _model_of(entry)
        plan = []
        for name, values in (entry.changes_dict or {}).items():
            field = _shown_field(model, name)
            if field is False:
                continue
            plan.append((_label(model, field, name), field, values))
            if isinstance(field, models.ForeignKey | models.OneToOneField) and isinstance(
                values, list | tuple
            ):
                for value in values:
                    if value not in _ABSENT:
                        names.want(field, str(value))
        plans.append(plan)
    names.load()
    result = []
    for entry, plan in zip(entries, plans, strict=True):
        rows = []
        for label, field, values in plan:
            if isinstance(values, dict) and values.get("type") == "m2m":
                operation = _M2M_OPERATIONS.get(values.get("operation"), "变更")
                objects = "、".join(str(name) for name in values.get("objects") or [])
                rows.append(ChangeRow(label, None, f"{operation}：{objects}" if objects else operation))
                continue
            old, new = [*(values if isinstance(values, list | tuple) else [values]), None, None][:2]
            old_text, new_text = _value_text(field, old, names), _value_text(field, new, names)
            if old_text == new_text:
                continue
            # A created record's fields read as their values ("标题：…"), not "— → …".
            created = entry.action == 0 and old_text == EMPTY
            rows.append(ChangeRow(label, None if created else old_text, new_text))
        entry.readable_changes = rows
        result.append(rows)
    return result


def entry_changes(entry) -> list[ChangeRow]:
    """The change rows of one entry: those `readable_changes` gave it, else read now."""
    rows = getattr(entry, "readable_changes", None)
    if rows is None:
        (rows,) = readable_changes([entry])
    return rows


def changes_text(entry, separator: str = "；") -> str:
    """One line for a table cell or an xlsx export: "状态：已提交 → 已审核；专业领域：新增：新材料"."""
    return separator.join(f"{row.label}：{row.text}" for row in entry_changes(entry))


def with_readable_changes(entries: Sequence) -> list:
    """The entries (a list) with their change rows read for the whole batch (see `readable_changes`)."""
    entries = list(entries)
    readable_changes(entries)
    return entries


def _logged_fields() -> Iterable[tuple[type[models.Model], models.Field, str]]:
    """(model, field, the label the history shows) of every field the history can show."""
    from auditlog.registry import auditlog

    for model in auditlog.get_models():
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            if _shown_field(model, field.name) is not False:
                yield model, field, _label(model, field, field.name)


def changes_search(value: str) -> Q:
    """The LogEntry rows whose readable changes show `value`, as one condition (no query of its own):
    - the stored text holds it (a name typed in, a related record's name in a many-to-many change);
    - a field whose verbose name holds it changed (企业名称: the entries of that model with that key);
    - a field changed to or from a code whose label holds it (已审核: the entries whose value of that field
      is the code "reviewed").
    Each translated term is bound to its model's content type (the indexed content_type_id, joined to the
    content type table by app label and model name), so a big log is narrowed by model before any text is
    compared; the keyword is matched against the models' labels in Python, never against the log."""
    value = value.strip()
    condition = Q(changes__icontains=value)
    if len(value) < 2:  # a single character names half the fields of the portal
        return condition
    needle = value.casefold()
    for model, field, label in _logged_fields():
        content_type = Q(
            content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
        )
        if needle in label.casefold():
            condition |= content_type & Q(changes__has_key=field.name)
        labels = _choices(field) or {}
        registered = _value_labels.get((model._meta.label, field.name))
        if registered is not None:
            labels |= {str(key): str(label) for key, label in registered().items()}
        codes = [code for code, label in labels.items() if needle in label.casefold()]
        for code in codes:
            condition |= content_type & Q(**{f"changes__{field.name}__icontains": json.dumps(code)})
    return condition
