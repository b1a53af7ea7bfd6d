"""Writes of the experts app (the service API), by sub-domain: registry (the expert library), draws,
panels (seats, invitations, close), scores, placements (科技副总, 科技特派团/员).

Review panels for other apps (platform recognition, project review, 验收) — the stable contract:
  panel = review_panel_create(subject=obj, title="…", applicant=org_or_None, fields=[ExpertField, …],
      size=5, reserves=2, criteria=[{"key": "c1", "label": "创新性", "max_score": 30, "weight": 1}, …],
      drop_extremes=True, excluded_experts=[], lookback_years=3, user=request.user)
      # draws at once; raises ValidationError (Chinese: how many eligible, why others skipped) if short
  review_panel_create(subjects=[obj, …], title="批次名称", …)  # one panel, one draw for a batch or call
  experts.selectors.review_subject_for(subject=obj) -> the record in its latest non-cancelled panel
      (a ReviewSubject, .panel) or None; its .result -> Decimal once the panel is closed (else None);
      panel_result(panel, reviewed) -> frozen or provisional result
  panel.get_absolute_url() -> the staff page (confirm / refuse + reserve / scores / close / draw audit)
  Start one from a page: experts.selectors.panel_add_url(obj), or in a template
  {% load experts_tags %}{% review_panel_card object %} (state, result, links; the start button for staff).
  The subject may define review_title(), review_applicant() -> Organization and review_criteria() ->
  criteria list, used as the form's defaults. `fields` takes ExpertField rows, names or ids.
"""

from ..selectors import panel_result, review_subject_for
from .draws import composition_rule_save, review_draw_replay
from .panels import (
    invite_pending,
    review_member_confirm,
    review_member_refuse,
    review_member_set_leader,
    review_panel_cancel,
    review_panel_close,
    review_panel_create,
    review_panel_recorded,
    review_panel_supplement,
)
from .placements import PLACEMENT_UNIQUE, commissioner_save, commissioner_team_save, vice_president_save
from .registry import expert_create, expert_field_delete, expert_set_state, expert_update
from .scores import review_scores_enter, review_scores_enter_all

__all__ = [
    "PLACEMENT_UNIQUE",
    "commissioner_save",
    "commissioner_team_save",
    "composition_rule_save",
    "expert_create",
    "expert_field_delete",
    "expert_set_state",
    "expert_update",
    "invite_pending",
    "panel_result",
    "review_draw_replay",
    "review_member_confirm",
    "review_member_refuse",
    "review_member_set_leader",
    "review_panel_cancel",
    "review_panel_close",
    "review_panel_create",
    "review_panel_recorded",
    "review_panel_supplement",
    "review_scores_enter",
    "review_scores_enter_all",
    "review_subject_for",
    "vice_president_save",
]
