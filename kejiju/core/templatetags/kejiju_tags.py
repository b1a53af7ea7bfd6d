from django import template

register = template.Library()

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
