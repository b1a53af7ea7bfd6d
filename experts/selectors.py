"""Reads of the experts app. Experts and panels are kept by the bureau (no county scoping); 科技副总 and
科技特派员 rows belong to a county and are read through ``visible_to``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Prefetch, Q, QuerySet

from kejiju.accounts.scoping import scoped_queryset
from kejiju.integrity.models import IntegrityRecord
from kejiju.integrity.selectors import active_records

from . import rules
from .models import (
    Commissioner,
    CommissionerTeam,
    CompositionRule,
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


def composition_for(*, subject: Model | None = None, kind: str | None = None) -> rules.Composition | None:
    """The bureau's composition rule, as it stands today, for the kind of review ``kind`` (else that of
    ``subject``: experts.subjects.review_kind_for), or None when the kind has no rule."""
    from .subjects import review_kind_for

    kind = kind or (review_kind_for(subject) if subject is not None else None)
    rule = CompositionRule.objects.filter(kind=kind).first() if kind else None
    return rules.Composition.from_rule(rule) if rule is not None else None


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


def my_seats(*, user) -> QuerySet[ReviewMember]:
    """The panel seats of the expert whose account this is (an account of another role: none)."""
    if not user.is_authenticated:
        return ReviewMember.objects.none()
    return (
        ReviewMember.objects.filter(expert__user=user)
        .select_related("panel", "panel__applicant", "expert")
        .order_by("-panel__created_at", "position")
    )


# ============================================================================================== experts


def expert_list(*, user) -> QuerySet[Expert]:
    return Expert.objects.select_related("employer", "county").prefetch_related("fields")


def expert_by_pii(*, id_number: str = "", mobile: str = "") -> QuerySet[Expert]:
    """Exact search on the keyed hash: the clear value is never stored or compared."""
    from kejiju.core.pii import digest

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
#
# Issue 18: every figure of year Y is read from dated events as they stood on D = 31 December Y; events
# dated after D never change it. Expert.admitted_on (the latest admission) and the current state are not
# read for history. Per-region functions return {region id | None: value}; None collects the records
# without a county (市外专家, members or 科技副总 without one).

EXPERTS_NOTE = (
    "新入库专家：当年入库或重新入库生效的专家，每人计一次，含其后暂停或出库的；"
    "市外专家列入“未指定县区（含市外）”。"
)
COMMISSIONER_TEAMS_NOTE = (
    "科技特派团：当年选派的特派团（含尚无成员的）；分县区按服务县区计，服务多个县区的团在每个县区各计一次，"
    "各县区之和可能大于全市数。"
)
COMMISSIONERS_NOTE = "科技特派员：当年特派团的成员，每人计一次；分县区按本人服务县区计，未填县区的单列。"
VP_CANDIDATES_NOTE = "科技副总人选：当年选聘的人选，每人计一次；分县区按派驻县区计，市外或尚未派驻的单列。"
VP_UNIVERSITIES_NOTE = (
    "科技副总来源高校：当年人选的派出高校，每所计一次；同一高校可向多个县区派出，各县区之和可能大于全市数。"
)
FIGURE_NOTES: dict[str, str] = {
    "commissioner_teams": COMMISSIONER_TEAMS_NOTE,
    "commissioners": COMMISSIONERS_NOTE,
    "vp_candidates": VP_CANDIDATES_NOTE,
    "vp_universities": VP_UNIVERSITIES_NOTE,
    "experts": EXPERTS_NOTE,
}


def _year_end(year: int):
    from datetime import date

    return date(year, 1, 1), date(year, 12, 31)


def experts_admitted(*, user, year: int, region=None) -> QuerySet[Expert]:
    """The experts counted as 新入库 in ``year`` (EXPERTS_NOTE): those with an 入库 or 重新入库 event (flow
    experts.expert) effective in the year, each once, whatever happened to them after; of one county
    when ``region`` is given. The expert list's 入库年度 filter shows exactly these."""
    from django.db.models import Exists, OuterRef

    from kejiju.core.models import WorkflowEvent

    from .workflow import ADMISSION_ACTIONS

    start, end = _year_end(year)
    admitted = WorkflowEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Expert),
        object_id=OuterRef("pk"),
        action__in=ADMISSION_ACTIONS,
        effective_on__gte=start,
        effective_on__lte=end,
    )
    experts = scoped_queryset(Expert, user).filter(Exists(admitted))
    if region is not None:
        experts = experts.filter(county=region)
    return experts


def experts_admitted_by_region(*, user, year: int) -> dict[int | None, int]:
    """新入库专家 of ``year`` per county (None: 市外专家). Additive: the values sum to the headline."""
    rows = experts_admitted(user=user, year=year).order_by().values_list("county").annotate(n=Count("pk"))
    return dict(rows)


def experts_admitted_by_field(*, user, year: int, region=None) -> dict[str, int]:
    """新入库专家 of ``year`` per field (an expert with two fields counts in both; the fields are the
    expert's current ones, which keep no history); of one county when ``region`` is given."""
    rows = (
        experts_admitted(user=user, year=year, region=region)
        .values_list("fields__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("fields__sort_order", "fields__name")
    )
    return {name: n for name, n in rows if name is not None}


def experts_in_library_on(*, user, day, region=None) -> int:
    """Experts 在库 at the end of ``day`` (their state on that day by the flow's events)."""
    from kejiju.core.workflow.selectors import in_states_on

    experts = scoped_queryset(Expert, user)
    if region is not None:
        experts = experts.filter(county=region)
    return in_states_on(experts, [Expert.State.ACTIVE], day).count()


def expert_year_figures(*, user, year: int, region=None) -> dict[str, int]:
    """The library's figures for the annual review, of the experts ``user`` can see: 新入库 in the year
    (experts_admitted) and 在库 on 31 December (of one county when ``region`` is given)."""
    _start, end = _year_end(year)
    return {
        "admitted": experts_admitted(user=user, year=year, region=region).count(),
        "in_library": experts_in_library_on(user=user, day=end, region=region),
    }


def commissioner_teams_of(*, user, year: int, region=None) -> QuerySet[CommissionerTeam]:
    """The 科技特派团 of ``year`` (COMMISSIONER_TEAMS_NOTE), with or without members; a county office sees
    the teams serving its county; of the teams serving ``region`` when given (CommissionerTeam.counties)."""
    from kejiju.accounts.scoping import scope_region_ids

    teams = CommissionerTeam.objects.filter(year=year)
    allowed = scope_region_ids(user)
    if allowed is not None:
        teams = teams.filter(counties__in=allowed)
    if region is not None:
        teams = teams.filter(counties=region)
    return teams.distinct()


def commissioner_teams_by_region(*, user, year: int) -> dict[int, int]:
    """科技特派团 of ``year`` per 服务县区 (of the counties ``user`` can see). Not additive: a team serving
    two counties counts in both."""
    from kejiju.accounts.scoping import scope_region_ids

    links = CommissionerTeam.counties.through.objects.filter(commissionerteam__year=year)
    allowed = scope_region_ids(user)
    if allowed is not None:
        links = links.filter(region__in=allowed)
    rows = links.order_by().values_list("region").annotate(n=Count("commissionerteam", distinct=True))
    return dict(rows)


def commissioners_of(*, user, year: int, region=None) -> QuerySet[Commissioner]:
    """The 科技特派员 of ``year`` (COMMISSIONERS_NOTE): members of the year's teams that ``user`` can see;
    serving ``region`` (the member's county) when given."""
    members = scoped_queryset(Commissioner, user).filter(team__year=year)
    if region is not None:
        members = members.filter(county=region)
    return members


def commissioners_by_region(*, user, year: int) -> dict[int | None, int]:
    """科技特派员 of ``year`` per member county (None: without one). Additive."""
    rows = commissioners_of(user=user, year=year).order_by().values_list("county").annotate(n=Count("pk"))
    return dict(rows)


def commissioner_figures(*, user, year: int, region=None) -> dict[str, int]:
    """科技特派团 (teams of the year, with or without members, serving ``region`` when given) and 科技特派员
    (members of the year's teams, serving ``region`` when given) that ``user`` can see."""
    return {
        "teams": commissioner_teams_of(user=user, year=year, region=region).count(),
        "members": commissioners_of(user=user, year=year, region=region).count(),
    }


def vp_candidates_of(*, user, year: int, region=None) -> QuerySet[VicePresidentPlacement]:
    """科技副总人选 of ``year`` (VP_CANDIDATES_NOTE) that ``user`` can see (placed in ``region``
    when given)."""
    placements = scoped_queryset(VicePresidentPlacement, user).filter(year=year)
    if region is not None:
        placements = placements.filter(county=region)
    return placements


def vp_candidates_by_region(*, user, year: int) -> dict[int | None, int]:
    """科技副总人选 of ``year`` per county (None: 市外 or not yet placed). Additive."""
    rows = vp_candidates_of(user=user, year=year).order_by().values_list("county").annotate(n=Count("pk"))
    return dict(rows)


def vice_president_figures(*, user, year: int, region=None) -> dict[str, int]:
    """科技副总 of ``year`` that ``user`` can see (placed in one county when ``region`` is given):
    candidates, distinct universities (VP_UNIVERSITIES_NOTE: not additive by county), those serving."""
    placements = vp_candidates_of(user=user, year=year, region=region)
    return {
        "candidates": placements.count(),
        "universities": placements.values("university").distinct().count(),
        "serving": placements.filter(state=VicePresidentPlacement.State.SERVING).count(),
    }


FIGURE_KEYS = ("experts", "commissioner_teams", "commissioners", "vp_candidates")


def figures_by_county(*, user, year: int) -> dict[int | None, dict[str, int]]:
    """Per county (region id; None = outside the city, without a county or not yet placed): 新入库专家,
    科技特派团 serving there (not additive), 科技特派员 and 科技副总人选 of ``year``. Four grouped queries."""
    figures: dict[int | None, dict[str, int]] = {}
    sources = {
        "experts": experts_admitted_by_region(user=user, year=year),
        "commissioner_teams": commissioner_teams_by_region(user=user, year=year),
        "commissioners": commissioners_by_region(user=user, year=year),
        "vp_candidates": vp_candidates_by_region(user=user, year=year),
    }
    for key, counts in sources.items():
        for region_id, count in counts.items():
            figures.setdefault(region_id, dict.fromkeys(FIGURE_KEYS, 0))[key] = count
    return figures


def integrity_records(*, ids: Iterable[int]) -> dict[int, IntegrityRecord]:
    """The 科研诚信 records a draw kept on its skipped experts, by id (the draw's audit page)."""
    return IntegrityRecord.objects.in_bulk(list(ids))


def expert_integrity_records(*, expert: Expert, on=None) -> list[IntegrityRecord]:
    """The 科研诚信 records binding the expert today (any scope), the latest first: the banner of the expert's
    page. Matched by the keyed digest of the ID number, as the draw matches them."""
    if not expert.id_number_digest:
        return []
    return list(
        active_records(on=on)
        .filter(kind=IntegrityRecord.Kind.PERSON, id_number_digest=expert.id_number_digest)
        .order_by("-starts_on", "-pk")
    )
