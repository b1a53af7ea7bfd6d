"""The 专家评审 step of a recognition batch, through the expert library's review panels.

The accepted applications of a batch are the subjects of one panel (experts know them only by content
type and id): staff start it from the batch page for every accepted application still without a panel
(`experts:panel_add?subject_type=…&subject_id=…&subject_id=…`, one draw, one group of experts, the batch's
fields pre-filled), or for one application from its row; the experts app draws, seats and scores the
experts and closes the panel; each application's result, put on a 100-point scale, is its review score,
which ranks the batch when it goes to 公示. The pages show the panel in their
own card rather than experts' `review_panel_card`, because a panel may be started only while the batch is
in its 专家评审 step and only for an application that passed the 形式审查.

A review held outside the portal (e.g. a batch entered after the fact) may instead be recorded as the score
of its signed score sheet; an application with a panel takes the panel's result only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from experts.models import ReviewPanel, ReviewSubject
from experts.selectors import panel_add_url, review_subjects_for

from .models import PlatformApplication
from .rules import ApplicationState, BatchState

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def score_on_100(result: Decimal | None, max_total: Decimal) -> Decimal | None:
    """A panel's result on the 100-point scale of the batch's 认定分数线 (criteria may total otherwise)."""
    if result is None or not max_total:
        return None
    if max_total == HUNDRED:
        return result
    return (result * HUNDRED / max_total).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def panel_score(reviewed: ReviewSubject | None) -> Decimal | None:
    """The application's result in its closed panel, on 100 points; None while the panel is open or when
    there is none."""
    if reviewed is None or reviewed.panel.state != ReviewPanel.State.CLOSED:
        return None
    return score_on_100(reviewed.result, reviewed.panel.max_total)


def panels_by_application(ids: Iterable[int]) -> dict[int, ReviewSubject]:
    """Each application in its latest non-cancelled panel (the panel with it), in one query."""
    return review_subjects_for(model=PlatformApplication, ids=ids)


@dataclass(frozen=True)
class ReviewInfo:
    reviewed: ReviewSubject | None
    panel: ReviewPanel | None
    score: Decimal | None  # the panel's result on 100 points, or the recorded score
    start_url: str | None  # where staff start a panel, when one may be started now
    may_record: bool  # staff may record an off-portal review's score instead

    @property
    def panel_open(self) -> bool:
        return self.panel is not None and self.panel.state != ReviewPanel.State.CLOSED


def review_context(applications: list[PlatformApplication], *, batch, user) -> dict[int, ReviewInfo]:
    """What the batch and application pages show of each application's review (two queries in all)."""
    found = panels_by_application([app.pk for app in applications])
    may_start = user.has_perm("experts.add_reviewpanel")
    may_review = user.has_perm("platforms.review_platformapplication")
    info = {}
    for app in applications:
        reviewed = found.get(app.pk)
        panel = reviewed.panel if reviewed is not None else None
        in_review = batch.state == BatchState.REVIEW and app.state == ApplicationState.ACCEPTED
        info[app.pk] = ReviewInfo(
            reviewed=reviewed,
            panel=panel,
            score=panel_score(reviewed) if reviewed is not None else app.review_score,
            start_url=panel_add_url(app) if (in_review and may_start and panel is None) else None,
            may_record=in_review and may_review and panel is None,
        )
    return info


def batch_panel_url(applications: list[PlatformApplication], info: dict[int, ReviewInfo]) -> str | None:
    """Where staff start one panel for every application of the batch that may have one started now
    (two or more: a single one is started from its row)."""
    waiting = [app for app in applications if info[app.pk].start_url]
    return panel_add_url(*waiting) if len(waiting) > 1 else None
