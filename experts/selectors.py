"""Reads of the experts app. Experts and panels are kept by the bureau (no county scoping); 科技副总 and
科技特派员 rows belong to a county and are read through ``visible_to``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Prefetch, Q, QuerySet

from kejiju.core.scoping import scoped_queryset
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
    ReviewSheet,
    ReviewSubject,
    VicePresidentPlacement,
)

# ============================================================================================== reviews


def review_subject_for(*, subject: Model) -> ReviewSubject | None:
    """``subject`` in its latest panel (not cancelled), with the panel, or None."""
    if subject is None or subject.pk is None:
        return None
    return (
        ReviewSubject.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
        .exclude(panel__state=ReviewPanel.State.CANCELLED)
        .select_related("panel")
        .order_by("-panel__created_at", "-panel_id")
        .first()
    )


def composition_for(*, subject: Model | None = None, kind: str | None = None) -> rules.Composition | None:
    """The bureau's composition rule, as it stands today, for the kind of review ``kind`` (else that of
    ``subject``: experts.subjects.review_kind_for), or None when the kind has no rule."""
    from .subjects import review_kind_for

    kind = kind or (review_kind_for(subject) if subject is not None else None)
    rule = CompositionRule.objects.filter(kind=kind).first() if kind else None
    return rules.Composition.from_rule(rule) if rule is not None else None


def panel_add_url(*subjects: Model) -> str:
    """The staff page that starts one panel for ``subjects`` (records of one model)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    content_type = ContentType.objects.get_for_model(subjects[0])
    query = urlencode([("subject_type", content_type.pk), *(("subject_id", s.pk) for s in subjects)])
    return f"{reverse('experts:panel_add')}?{query}"


def review_subjects_for(*, model: type[Model], ids: Iterable[int]) -> dict[int, ReviewSubject]:
    """The record in its latest non-cancelled panel per record id, in one query (for list pages of other
    apps)."""
    found: dict[int, ReviewSubject] = {}
    queryset = (
        ReviewSubject.objects.filter(
            subject_type=ContentType.objects.get_for_model(model), subject_id__in=list(ids)
        )
        .exclude(panel__state=ReviewPanel.State.CANCELLED)
        .select_related("panel")
        .order_by("subject_id", "-panel__created_at", "-panel_id")
    )
    for row in queryset:
        found.setdefault(row.subject_id, row)
    return found


def ranked_results(*, model: type[Model], ids: Iterable[int]) -> dict[int, tuple[Decimal | None, int | None]]:
    """For a batch of reviewed records: record id -> (frozen panel result, competition rank among the
    batch). Records without a closed panel have (None, None)."""
    ids = list(ids)
    found = review_subjects_for(model=model, ids=ids)
    results = {
        pk: (found[pk].result if pk in found and found[pk].panel.state == ReviewPanel.State.CLOSED else None)
        for pk in ids
    }
    ranks = rules.rank(results)
    return {pk: (results[pk], ranks[pk]) for pk in ids}


@dataclass
class SheetCell:
    """One member's review of one subject: their scores per criterion and weighted total."""

    subject: ReviewSubject
    sheet: ReviewSheet | None
    scores: dict[str, Decimal]
    total: Decimal | None

    @property
    def recused(self) -> bool:
        return self.sheet is not None and self.sheet.recused

    @property
    def declared(self) -> bool:
        return self.sheet is not None and self.sheet.declared_at is not None


@dataclass
class MemberRow:
    member: ReviewMember
    cells: list[SheetCell]  # in the order of the panel's subjects

    def cell(self, subject: ReviewSubject) -> SheetCell:
        return next(cell for cell in self.cells if cell.subject.pk == subject.pk)


def panel_subjects(panel: ReviewPanel) -> list[ReviewSubject]:
    return list(
        panel.subjects.select_related("applicant", "subject_type")
        .prefetch_related("subject")
        .order_by("position")
    )


def panel_member_rows(panel: ReviewPanel, subjects: list[ReviewSubject] | None = None) -> list[MemberRow]:
    """Every member of the panel with their sheet of every subject (scores per criterion and weighted
    total): four queries, or three when the subjects are given."""
    criteria = rules.parse_criteria(panel.criteria)
    subjects = subjects if subjects is not None else panel_subjects(panel)
    members = (
        panel.members.select_related("expert", "expert__employer", "replaces__expert")
        .prefetch_related(Prefetch("sheets", queryset=ReviewSheet.objects.prefetch_related("scores")))
        .order_by("position")
    )
    return [
        MemberRow(member=member, cells=_cells(subjects, member.sheets.all(), criteria)) for member in members
    ]


def seat_row(member: ReviewMember) -> MemberRow:
    """One member's sheets of every subject of their panel (nothing of the other members)."""
    sheets = ReviewSheet.objects.filter(member=member).prefetch_related("scores")
    criteria = rules.parse_criteria(member.panel.criteria)
    return MemberRow(member=member, cells=_cells(panel_subjects(member.panel), sheets, criteria))


def _cells(subjects: list[ReviewSubject], sheets, criteria) -> list[SheetCell]:
    """One member's cell per subject, from their sheets (scores prefetched)."""
    by_subject = {sheet.subject_id: sheet for sheet in sheets}
    cells = []
    for subject in subjects:
        sheet = by_subject.get(subject.pk)
        scores = {score.criterion: score.score for score in sheet.scores.all()} if sheet else {}
        cells.append(
            SheetCell(subject=subject, sheet=sheet, scores=scores, total=rules.member_total(criteria, scores))
        )
    return cells


@dataclass
class SubjectResult:
    subject: ReviewSubject
    scorers: list[MemberRow]  # the seated members not recused from the subject
    result: Decimal | None  # frozen once the panel is closed; provisional before
    problem: str | None  # why the result cannot be computed (yet)


def subject_results(
    panel: ReviewPanel,
    rows: list[MemberRow] | None = None,
    subjects: list[ReviewSubject] | None = None,
    *,
    from_scores: bool = False,
) -> list[SubjectResult]:
    """Each subject's scorers and result: the frozen result of a closed panel; before closing (or with
    ``from_scores``, as the closing computes it), the result of the complete scores, or the reason there
    is none (an incomplete sheet names its expert). A cancelled panel has none."""
    subjects = subjects if subjects is not None else panel_subjects(panel)
    rows = rows if rows is not None else panel_member_rows(panel, subjects)
    several = len(subjects) > 1
    results = []
    for index, subject in enumerate(subjects):
        scorers = [row for row in rows if row.member.is_seated and not row.cells[index].recused]
        if panel.state == ReviewPanel.State.CLOSED and not from_scores:
            results.append(SubjectResult(subject, scorers, subject.result, None))
            continue
        if panel.state == ReviewPanel.State.CANCELLED and not from_scores:
            results.append(SubjectResult(subject, scorers, None, "评审组已撤销。"))
            continue
        named = f"“{subject}”：" if several else ""
        incomplete = [str(row.member.expert) for row in scorers if row.cells[index].total is None]
        if incomplete:
            problem = f"{named}以下专家的评分尚未录入完整：{'、'.join(incomplete)}。"
            results.append(SubjectResult(subject, scorers, None, problem))
            continue
        try:
            result = rules.panel_score(
                [row.cells[index].total for row in scorers], drop_extremes=panel.drop_extremes
            )
        except ValueError as error:
            results.append(SubjectResult(subject, scorers, None, f"{named}{error}"))
            continue
        results.append(SubjectResult(subject, scorers, result, None))
    return results


def scorer_ranks(results: list[SubjectResult]) -> dict[tuple[int, int], int | None]:
    """Each scorer's rank (by total, 1 highest) among the scorers of each subject, by (member id,
    subject id); ``results`` as subject_results gives them (in the order of the rows' cells)."""
    ranks: dict[tuple[int, int], int | None] = {}
    for index, item in enumerate(results):
        by_member = rules.rank({row.member.pk: row.cells[index].total for row in item.scorers})
        ranks.update({(member_pk, item.subject.pk): rank for member_pk, rank in by_member.items()})
    return ranks


def panel_result(panel: ReviewPanel, subject: ReviewSubject) -> Decimal | None:
    """One subject's frozen or provisional result (None when it cannot be computed yet)."""
    for item in subject_results(panel):
        if item.subject.pk == subject.pk:
            return item.result
    return None


def review_panel_list(*, user) -> QuerySet[ReviewPanel]:
    return (
        ReviewPanel.objects.select_related("created_by")
        .prefetch_related(Prefetch("subjects", queryset=ReviewSubject.objects.select_related("applicant")))
        .annotate(
            member_count=Count("members", filter=Q(members__role=ReviewMember.Role.REGULAR), distinct=True)
        )
    )


def expert_review_history(*, expert: Expert) -> QuerySet[ReviewMember]:
    return (
        ReviewMember.objects.filter(expert=expert)
        .select_related("panel")
        .prefetch_related(
            Prefetch("panel__subjects", queryset=ReviewSubject.objects.select_related("applicant")),
            Prefetch("sheets", queryset=ReviewSheet.objects.prefetch_related("scores")),
        )
        .order_by("-panel__created_at")
    )


def my_seats(*, user) -> QuerySet[ReviewMember]:
    """The panel seats of the expert whose account this is (an account of another role: none)."""
    if not user.is_authenticated:
        return ReviewMember.objects.none()
    return (
        ReviewMember.objects.filter(expert__user=user)
        .select_related("panel", "expert")
        .prefetch_related(
            Prefetch("panel__subjects", queryset=ReviewSubject.objects.select_related("applicant")),
            "sheets",
        )
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

    start, end = _year_end(year)
    admitted = WorkflowEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Expert),
        object_id=OuterRef("pk"),
        action__in=rules.ADMISSION_ACTIONS,
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
    from kejiju.core.scoping import scope_region_ids

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
    from kejiju.core.scoping import scope_region_ids

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
