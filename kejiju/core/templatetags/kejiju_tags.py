import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from kejiju.core.history import entry_changes

register = template.Library()

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
