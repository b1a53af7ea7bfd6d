import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from kejiju.core import presentation
from kejiju.core.history import entry_changes

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
def history_changes(entry) -> list[tuple[str, str]]:
    """(field label, "old → new" or "新增：a、b") of an audit log entry (kejiju.core.history)."""
    return [(row.label, row.text) for row in entry_changes(entry)]


# A refusal names the record behind it as "<label>：/path/" (e.g. 失信记录：/integrity/12/): on a page the
# path becomes a link, the rest stays escaped text.
_RECORD_PATH = re.compile(r"(?P<label>[\u4e00-\u9fff]{2,8})：(?P<path>/[a-z0-9_\-/]+/)")


@register.filter
def link_record_paths(text) -> str:
    escaped = str(conditional_escape(text))
    return mark_safe(  # noqa: S308 - the input is escaped above; the path's characters are [a-z0-9_-/]
        _RECORD_PATH.sub(lambda m: f'{m["label"]}：<a href="{m["path"]}">查看{m["label"]}</a>', escaped)
    )
