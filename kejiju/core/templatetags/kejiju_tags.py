import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from kejiju.core import presentation

register = template.Library()


@register.filter
def present(value) -> str:
    """A value as every page shows it (kejiju.core.presentation.text): local time, 是/否, money in 元, "—"."""
    return presentation.text(value)


@register.filter
def money(value) -> str:
    """An amount in 元: "300,000.00 元"."""
    return presentation.money(value)


@register.filter
def wan(value) -> str:
    """元 as 万元 with two decimals (leadership views): "437.40万元"."""
    return presentation.wan(value)


@register.filter
def wan_amount(value) -> str:
    """元 as the number of 万元 under a header that names the unit: "437.40"."""
    return presentation.wan_amount(value)


_AUDIT_ACTIONS = {0: "创建", 1: "修改", 2: "删除", 3: "访问"}


@register.filter
def audit_action(entry) -> str:
    return _AUDIT_ACTIONS.get(entry.action, str(entry.action))


@register.filter
def change_value(value) -> str:
    """django-auditlog writes a missing value as the text "None"."""
    if value in (None, "", "None"):
        return "—"
    if value == "True":
        return "是"
    if value == "False":
        return "否"
    return str(value)


_M2M_OPERATIONS = {"add": "新增", "delete": "移除", "clear": "清空"}


@register.filter
def history_changes(entry) -> list[tuple[str, str]]:
    """(field label, what changed) of an audit log entry: "old → new" for a field, "新增：a、b" for a
    many-to-many change (django-auditlog's display dict turns those into their keys, "type → operation")."""
    raw = list((entry.changes_dict or {}).items())
    display = list(entry.changes_display_dict.items())
    if len(display) != len(raw):  # two fields of one label: no display pairing to trust
        display = raw
    lines = []
    for (_, values), (label, shown) in zip(raw, display, strict=True):
        if isinstance(values, dict) and values.get("type") == "m2m":
            operation = _M2M_OPERATIONS.get(values.get("operation"), values.get("operation"))
            objects = "、".join(str(name) for name in values.get("objects") or [])
            lines.append((label, f"{operation}：{objects}" if objects else str(operation)))
        else:
            old, new = [*shown, None, None][:2]
            lines.append((label, f"{change_value(old)} → {change_value(new)}"))
    return lines


# A refusal names the record behind it as "<label>：/path/" (e.g. 失信记录：/integrity/12/): on a page the
# path becomes a link, the rest stays escaped text.
_RECORD_PATH = re.compile(r"(?P<label>[\u4e00-\u9fff]{2,8})：(?P<path>/[a-z0-9_\-/]+/)")


@register.filter
def link_record_paths(text) -> str:
    escaped = str(conditional_escape(text))
    return mark_safe(  # noqa: S308 - the input is escaped above; the path's characters are [a-z0-9_-/]
        _RECORD_PATH.sub(lambda m: f'{m["label"]}：<a href="{m["path"]}">查看{m["label"]}</a>', escaped)
    )
