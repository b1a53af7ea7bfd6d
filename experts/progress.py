"""The 网评 progress of a panel, as staff see it on the panel page: of its N regular seats, how many were
invited, accepted, signed the 回避及保密声明 and submitted — counted from the member rows the page has
already read (no query of its own, so the page's query count does not grow with the panel)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import ReviewMember, ReviewPanel


@dataclass(frozen=True)
class PanelProgress:
    size: int  # 正式专家 the panel needs
    invited: int
    accepted: int
    declared: int
    submitted: int
    # Seated members who have not submitted, and of them those without an account (reached offline).
    owing: int
    without_account: int

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [
            ("已邀请", self.invited),
            ("已接受", self.accepted),
            ("已签声明", self.declared),
            ("已提交网评", self.submitted),
        ]


def panel_progress(panel: ReviewPanel, rows: Iterable) -> PanelProgress:
    """Counted over the seated members (regular, not refused) of ``rows`` (selectors.panel_member_rows):
    a refusal leaves the counts with the seat; a member has signed once every record of the panel has
    their 回避及保密声明 (or their declared conflict)."""
    rows = [row for row in rows if row.member.is_seated]
    seated = [row.member for row in rows]
    owing = [member for member in seated if member.scores_submitted_at is None]
    return PanelProgress(
        size=panel.size,
        invited=sum(member.invited_at is not None for member in seated),
        accepted=sum(member.status == ReviewMember.Status.CONFIRMED for member in seated),
        declared=sum(all(cell.declared for cell in row.cells) for row in rows),
        submitted=len(seated) - len(owing),
        owing=len(owing),
        without_account=sum(member.expert.user_id is None for member in owing),
    )
