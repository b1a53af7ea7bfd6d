"""Reads of the experts app. Experts and panels are kept by the bureau (no county scoping); 科技副总 and
科技特派员 rows belong to a county and are read through ``visible_to``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Prefetch, Q, QuerySet

from kejiju.accounts.scoping import scoped_queryset

from . import rules
from .models import (
    Commissioner,
    CommissionerTeam,
    Expert,
    ReviewMember,
    ReviewPanel,
    ReviewScore,
    VicePresidentPlacement,
)

# ============================================================================================== reviews


def review_panel_for(*, subject: Model) -> ReviewPanel | None:
    """The latest panel (not cancelled) of ``subject``, or None."""
    if subject is None or subject.pk is None:
        return None
    return (
        ReviewPanel.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
        .exclude(state=ReviewPanel.State.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )


def panel_add_url(subject: Model) -> str:
    """The staff page that starts a panel for ``subject``."""
    from django.urls import reverse

    content_type = ContentType.objects.get_for_model(subject)
    return f"{reverse('experts:panel_add')}?subject_type={content_type.pk}&subject_id={subject.pk}"


def review_panels_for(*, model: type[Model], ids: Iterable[int]) -> dict[int, ReviewPanel]:
    """The latest non-cancelled panel per subject id, in one query (for list pages of other apps)."""
    panels: dict[int, ReviewPanel] = {}
    queryset = (
        ReviewPanel.objects.filter(
            subject_type=ContentType.objects.get_for_model(model), subject_id__in=list(ids)
        )
        .exclude(state=ReviewPanel.State.CANCELLED)
        .order_by("subject_id", "-created_at", "-pk")
    )
    for panel in queryset:
        panels.setdefault(panel.subject_id, panel)
    return panels


def ranked_results(*, model: type[Model], ids: Iterable[int]) -> dict[int, tuple[Decimal | None, int | None]]:
    """For a batch of reviewed objects: subject id -> (frozen panel result, competition rank among the
    batch). Objects without a closed panel have (None, None)."""
    ids = list(ids)
    panels = review_panels_for(model=model, ids=ids)
    results = {
        pk: (panels[pk].result if pk in panels and panels[pk].state == ReviewPanel.State.CLOSED else None)
        for pk in ids
    }
    ranks = rules.rank(results)
    return {pk: (results[pk], ranks[pk]) for pk in ids}


@dataclass
class MemberRow:
    member: ReviewMember
    scores: dict[str, Decimal]
    total: Decimal | None


def panel_member_rows(panel: ReviewPanel) -> list[MemberRow]:
    """Every member of the panel, with their scores per criterion and their weighted total (two queries)."""
    criteria = rules.parse_criteria(panel.criteria)
    members = (
        panel.members.select_related("expert", "expert__employer", "replaces__expert")
        .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.all()))
        .order_by("position")
    )
    rows = []
    for member in members:
        scores = {score.criterion: score.score for score in member.scores.all()}
        rows.append(MemberRow(member=member, scores=scores, total=rules.member_total(criteria, scores)))
    return rows


def panel_result(panel: ReviewPanel) -> Decimal | None:
    """The frozen result of a closed panel; before closing, the provisional result of the complete scores
    so far (None when it cannot be computed yet)."""
    if panel.state == ReviewPanel.State.CLOSED:
        return panel.result
    if panel.state == ReviewPanel.State.CANCELLED:
        return None
    totals = [row.total for row in panel_member_rows(panel) if row.member.is_seated and row.total is not None]
    try:
        return rules.panel_score(totals, drop_extremes=panel.drop_extremes)
    except ValueError:
        return None


def review_panel_list(*, user) -> QuerySet[ReviewPanel]:
    return ReviewPanel.objects.select_related("applicant", "subject_type", "created_by").annotate(
        member_count=Count("members", filter=Q(members__role=ReviewMember.Role.REGULAR), distinct=True)
    )


def expert_review_history(*, expert: Expert) -> QuerySet[ReviewMember]:
    return (
        ReviewMember.objects.filter(expert=expert)
        .select_related("panel", "panel__applicant")
        .prefetch_related("scores")
        .order_by("-panel__created_at")
    )


# ============================================================================================== experts


def expert_list(*, user) -> QuerySet[Expert]:
    return Expert.objects.select_related("employer", "county").prefetch_related("fields")


def expert_by_pii(*, id_number: str = "", mobile: str = "") -> QuerySet[Expert]:
    """Exact search on the keyed hash: the clear value is never stored or compared."""
    from .pii import digest

    if id_number:
        return Expert.objects.filter(id_number_digest=digest(id_number))
    if mobile:
        return Expert.objects.filter(mobile_digest=digest(mobile))
    return Expert.objects.none()


# ============================================================================== 科技副总, 科技特派团/员


def placement_list(*, user) -> QuerySet[VicePresidentPlacement]:
    return VicePresidentPlacement.objects.visible_to(user).select_related(
        "university", "enterprise", "county"
    )


def team_list(*, user) -> QuerySet[CommissionerTeam]:
    return (
        CommissionerTeam.objects.select_related("lead_unit")
        .prefetch_related("counties")
        .annotate(member_count=Count("members", distinct=True))
    )


def commissioner_list(*, user) -> QuerySet[Commissioner]:
    return Commissioner.objects.visible_to(user).select_related("team", "employer", "county")


# ================================================================================ yearly figures (reporting)


def experts_admitted_by_field(*, user, year: int, region=None) -> dict[str, int]:
    """Experts ``user`` can see admitted in ``year`` per field (an expert with two fields counts in
    both); of one county when ``region`` is given."""
    experts = scoped_queryset(Expert, user).filter(admitted_on__year=year)
    if region is not None:
        experts = experts.filter(county=region)
    rows = (
        experts.values_list("fields__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("fields__sort_order", "fields__name")
    )
    return {name: n for name, n in rows if name is not None}


def expert_year_figures(*, user, year: int, region=None) -> dict[str, int]:
    """The library's figures for the annual review, of the experts ``user`` can see: admitted in the
    year, in the library at its end (of one county when ``region`` is given)."""
    from datetime import date

    end = date(year, 12, 31)
    experts = scoped_queryset(Expert, user)
    if region is not None:
        experts = experts.filter(county=region)
    return experts.filter(admitted_on__lte=end).aggregate(
        admitted=Count("pk", filter=Q(admitted_on__year=year)),
        in_library=Count("pk", filter=Q(state=Expert.State.ACTIVE) | Q(exited_on__gt=end)),
    )


def commissioner_figures(*, user, year: int, region=None) -> dict[str, int]:
    """科技特派团 and 科技特派员 of ``year`` that ``user`` can see (only members serving ``region`` when
    given)."""
    members = scoped_queryset(Commissioner, user).filter(team__year=year)
    if region is not None:
        members = members.filter(county=region)
    return {
        "teams": members.values("team").distinct().count(),
        "members": members.count(),
    }


def vice_president_figures(*, user, year: int, region=None) -> dict[str, int]:
    """科技副总 of ``year`` that ``user`` can see (placed in one county when ``region`` is given):
    candidates, distinct universities, those serving."""
    placements = scoped_queryset(VicePresidentPlacement, user).filter(year=year)
    if region is not None:
        placements = placements.filter(county=region)
    return {
        "candidates": placements.count(),
        "universities": placements.values("university").distinct().count(),
        "serving": placements.filter(state=VicePresidentPlacement.State.SERVING).count(),
    }


def figures_by_county(*, user, year: int) -> dict[int | None, dict[str, int]]:
    """Per county (region id; None = outside the city or not yet placed): experts admitted in ``year``,
    科技特派员 serving there in ``year``, 科技副总 placed there in ``year``. Three grouped queries."""
    figures: dict[int | None, dict[str, int]] = {}

    def add(rows, key):
        for region_id, count in rows:
            figures.setdefault(region_id, {"experts_admitted": 0, "commissioners": 0, "vice_presidents": 0})
            figures[region_id][key] = count

    add(
        scoped_queryset(Expert, user)
        .filter(admitted_on__year=year)
        .order_by()
        .values_list("county")
        .annotate(n=Count("pk")),
        "experts_admitted",
    )
    add(
        scoped_queryset(Commissioner, user)
        .filter(team__year=year)
        .order_by()
        .values_list("county")
        .annotate(n=Count("pk")),
        "commissioners",
    )
    add(
        scoped_queryset(VicePresidentPlacement, user)
        .filter(year=year)
        .order_by()
        .values_list("county")
        .annotate(n=Count("pk")),
        "vice_presidents",
    )
    return figures
