"""Template tags other apps use to show a reviewed object's panel: {% load experts_tags %}
{% review_panel_card object %}."""

from __future__ import annotations

from django import template

from ..models import ReviewPanel
from ..selectors import panel_add_url, panel_result, review_subject_for

register = template.Library()


@register.inclusion_tag("experts/_review_panel_card.html", takes_context=True)
def review_panel_card(context, subject):
    request = context.get("request")
    user = getattr(request, "user", None)
    reviewed = review_subject_for(subject=subject)
    panel = reviewed.panel if reviewed is not None else None
    can_view = bool(user and user.has_perm("experts.view_reviewpanel"))
    can_start = bool(
        user
        and user.has_perm("experts.add_reviewpanel")
        and (panel is None or panel.state == ReviewPanel.State.CLOSED)
    )
    return {
        "panel": panel if can_view else None,
        "reviewed": reviewed if can_view else None,
        "result": panel_result(panel, reviewed) if panel is not None and can_view else None,
        "add_url": panel_add_url(subject) if can_start else None,
        "can_view": can_view,
    }
