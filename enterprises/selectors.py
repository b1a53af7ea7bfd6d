"""Every read of the enterprises app. Lists are scoped by user through `visible_to`; the counting
functions at the end (the annual review, kejiju.reporting) are scoped the same way by `user`; `region`
narrows them to one county."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from kejiju.accounts.models import Region
from kejiju.core.models import WorkflowEvent
from kejiju.core.workflow.selectors import in_states_on
from kejiju.integrity.checks import period_text
from kejiju.integrity.selectors import active_for_unit

from . import rules
from .models import (
    DoublingTarget,
    Enterprise,
    EnterpriseYear,
    GaoqiCertificate,
    PoolEntry,
    Reward,
    RewardTier,
    SmesEvaluation,
)


def integrity_finding(enterprise: Enterprise, *, on: date | None = None) -> rules.IntegrityFinding | None:
    """The 科研诚信 record barring the enterprise's unit (by its 统一社会信用代码) from 申报 on `on` (today by
    default), as the 科小 and 高企 checklists show it; the latest when several bind. An enterprise's own
    evaluation and its 培育库 entry are its 申报 (scope "apply"), as an application is a unit's."""
    uscc = enterprise.organization.uscc  # the unit's, as the steps' integrity rules read it
    record = active_for_unit(uscc, "apply", on).order_by("-starts_on", "-pk").first()
    if record is None:
        return None
    return rules.IntegrityFinding(
        source=record.source, period=period_text(record), url=record.get_absolute_url()
    )


def not_revoked_on(on: date) -> Q:
    """Certificates whose qualification had not been revoked by the end of `on` (a revocation dated
    after `on` did not yet apply on that day)."""
    return Q(revoked_on__isnull=True) | Q(revoked_on__gt=on)


def _valid_certificates(on: date) -> QuerySet[GaoqiCertificate]:
    """Certificates valid on `on`: issued on or before it, not expired, not revoked on or before it."""
    return GaoqiCertificate.objects.filter(not_revoked_on(on), issued_on__lte=on, expires_on__gte=on)


def valid_certificates(on: date) -> QuerySet[GaoqiCertificate]:
    """The certificates valid on `on` (the lists' filters read the figure's definition)."""
    return _valid_certificates(on)


def enterprise_list(*, user, today: date | None = None) -> QuerySet[Enterprise]:
    """The registry as the list page shows it, with the latest 科小 year, pool state and valid certificate
    computed in SQL as correlated subqueries (no GROUP BY, so the paginator's count stays cheap)."""
    today = today or timezone.localdate()
    open_pool = PoolEntry.objects.filter(enterprise=OuterRef("pk"), state__in=PoolEntry.OPEN_STATES)
    return (
        Enterprise.objects.visible_to(user)
        .select_related("region")
        .annotate(
            smes_latest_year=Subquery(
                SmesEvaluation.objects.filter(enterprise=OuterRef("pk"), state=SmesEvaluation.State.ADMITTED)
                .order_by("-year")
                .values("year")[:1]
            ),
            pool_state=Subquery(open_pool.values("state")[:1]),
            certificate_expires=Subquery(
                _valid_certificates(today)
                .filter(enterprise=OuterRef("pk"))
                .order_by("-expires_on")
                .values("expires_on")[:1]
            ),
        )
    )


# The fields the list's table reads (EnterpriseTable's columns); a column reading another field would cost
# one query per exported row (test_export_query_count_is_constant catches it).
EXPORT_FIELDS = ("name", "uscc", "region", "industry_section", "established_on", "is_active")


def enterprise_export(*, user, today: date | None = None) -> QuerySet[Enterprise]:
    """The list's rows for the xlsx export: only the fields its table shows, and the 130 counties read once
    per chunk of rows (prefetched) rather than joined and built again for each of 100,000 rows."""
    return (
        enterprise_list(user=user, today=today)
        .select_related(None)
        .prefetch_related("region")
        .only(*EXPORT_FIELDS)
    )


def enterprise_get(*, user, pk: int) -> Enterprise:
    return Enterprise.objects.visible_to(user).select_related("region", "organization").get(pk=pk)


def enterprise_history(*, enterprise: Enterprise):
    """Change history of the enterprise and of its yearly figures, certificates and rewards, newest first."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    condition = Q(content_type=ContentType.objects.get_for_model(Enterprise), object_pk=str(enterprise.pk))
    for model, related in (
        (EnterpriseYear, "years"),
        (GaoqiCertificate, "certificates"),
        (Reward, "rewards"),
    ):
        ids = [str(pk) for pk in getattr(enterprise, related).values_list("pk", flat=True)]
        if ids:
            condition |= Q(content_type=ContentType.objects.get_for_model(model), object_pk__in=ids)
    return LogEntry.objects.filter(condition).select_related("actor").order_by("-timestamp", "-pk")


def enterprise_years(*, enterprise: Enterprise) -> QuerySet[EnterpriseYear]:
    return EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-year")


def figures_list(*, user) -> QuerySet[EnterpriseYear]:
    return EnterpriseYear.objects.visible_to(user).select_related("enterprise__region")


def smes_evaluation_list(*, user) -> QuerySet[SmesEvaluation]:
    return SmesEvaluation.objects.visible_to(user).select_related("enterprise__region")


def pool_list(*, user) -> QuerySet[PoolEntry]:
    return PoolEntry.objects.visible_to(user).select_related("enterprise__region")


def certificate_list(*, user) -> QuerySet[GaoqiCertificate]:
    return GaoqiCertificate.objects.visible_to(user).select_related("enterprise__region")


def certificates_expiring(*, user, today: date | None = None, months: int = 6) -> QuerySet[GaoqiCertificate]:
    """Valid certificates whose last valid day falls within the next `months` months."""
    today = today or timezone.localdate()
    month = today.month - 1 + months
    year = today.year + month // 12
    month = month % 12 + 1
    day = min(today.day, 28)
    horizon = date(year, month, day)
    return (
        certificate_list(user=user)
        .filter(not_revoked_on(today), expires_on__gte=today, expires_on__lte=horizon)
        .order_by("expires_on")
    )


def reward_list(*, user) -> QuerySet[Reward]:
    return Reward.objects.visible_to(user).select_related("enterprise__region", "certificate")


def reward_tiers(*, year: int | None = None) -> QuerySet[RewardTier]:
    tiers = RewardTier.objects.all()
    return tiers.filter(year=year) if year else tiers


def doubling_progress(*, user, year: int) -> list[dict]:
    """Each visible county's target for `year` against its enterprises holding a valid certificate on
    31 December (or today, for the current year), and on 31 December of the year before."""
    targets = DoublingTarget.objects.visible_to(user).filter(year=year).select_related("region")
    counts = gaoqi_valid_by_region(user=None, on=year_end(year))
    base = gaoqi_valid_by_region(user=None, on=date(year - 1, 12, 31))
    rows = []
    for target in targets:
        actual = counts.get(target.region_id, 0)
        previous = base.get(target.region_id, 0)
        rows.append(
            {
                "target": target,
                "region": target.region,
                "previous": previous,
                "actual": actual,
                "percent": rules.doubling_percent(actual=actual, base=previous, target=target.target),
                "met": actual >= target.target,
            }
        )
    return rows


def smes_counts_by_region(
    *, user, years: list[int]
) -> tuple[list[Region], dict[tuple[int, int], int], dict[int, int]]:
    """科小 入库 counts per (region, year) for the visible regions (`smes_admitted` of each year); and the
    totals per year."""
    from kejiju.core.scoping import scope_region_ids

    regions = Region.objects.county_level()
    allowed = scope_region_ids(user)
    if allowed is not None:
        regions = regions.filter(pk__in=allowed)
    cells = {
        (region_id, year): n
        for year in years
        for region_id, n in smes_admitted_by_region(user=user, year=year).items()
    }
    totals = {year: sum(n for (_r, y), n in cells.items() if y == year) for year in years}
    return list(regions), cells, totals


def pool_counts_by_region(*, user, years: list[int]) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """培育库 new entries per (region, entry year) for the visible regions (`pool_admitted` of each
    year); and the totals per year."""
    cells = {
        (region_id, year): n
        for year in years
        for region_id, n in pool_new_entries_by_region(user=user, year=year).items()
    }
    totals = {year: sum(n for (_r, y), n in cells.items() if y == year) for year in years}
    return cells, totals


# ------------------------------------------------------------------------------ counts for the annual review


def _in_region(queryset: QuerySet, region: Region | None, field: str = "enterprise__region") -> QuerySet:
    return queryset.filter(**{field: region}) if region is not None else queryset


def _base(model, user) -> QuerySet:
    """All rows of `model`, or those `user` may see."""
    return model.objects.visible_to(user) if user is not None else model.objects.all()


def _by_region(queryset: QuerySet) -> dict[int | None, int]:
    """{county id: count}; the key None collects records without a county."""
    rows = queryset.order_by().values_list("enterprise__region").annotate(n=Count("pk", distinct=True))
    return dict(rows)


def year_end(year: int) -> date:
    """The day a year's figures are read on: 31 December, or today while the year runs."""
    return min(timezone.localdate(), date(year, 12, 31))


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _acted_between(model, action: str, start: date, end: date) -> Q:
    """The record has an `action` step that took effect in [start, end] (its WorkflowEvent). A filter on
    the ids the events' (workflow, action, date) index yields, not an EXISTS probed once per record: at
    province scale the year's 入库 are a few thousand of a hundred thousand evaluations."""
    acted = WorkflowEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        action=action,
        effective_on__gte=start,
        effective_on__lte=end,
    )
    return Q(pk__in=acted.values("object_id"))


SMES_NOTE = (
    "科技型中小企业入库：入库（取得登记编号）生效于当年、且年末仍处于已入库状态的评价，"
    "年内撤销的不计，次年及以后撤销的仍计入当年；县区按企业所在县区。"
)
POOL_NOTE = "高企培育库新入库：入库生效于当年的企业，含其后已申报、已认定或出库的；县区按企业所在县区。"
GAOQI_VALID_NOTE = (
    "年末有效高新技术企业：年末（当年为今天）持有已发证、未过有效期且此前未被取消资格的高企证书的企业，"
    "每家企业计一次；县区按企业所在县区。"
)
# The notes shown under the annual tables, by statistics key.
FIGURE_NOTES: dict[str, str] = {"smes": SMES_NOTE, "pool": POOL_NOTE, "gaoqi_valid": GAOQI_VALID_NOTE}


def smes_admitted(
    *, start: date, end: date, region: Region | None = None, user=None
) -> QuerySet[SmesEvaluation]:
    """科技型中小企业 入库 in [start, end]: evaluations with an `admit` step effective in the period whose
    state at the end of `end` is still 已入库 (revoked by then: not counted; revoked later: counted).
    Read from the events only, so steps dated after `end` never change it."""
    queryset = _base(SmesEvaluation, user).filter(_acted_between(SmesEvaluation, "admit", start, end))
    return _in_region(in_states_on(queryset, {SmesEvaluation.State.ADMITTED}, end), region)


def smes_admitted_count(*, user, year: int, region: Region | None = None) -> int:
    """科技型中小企业 入库 in `year` (SMES_NOTE)."""
    start, end = _year_bounds(year)
    return smes_admitted(start=start, end=end, region=region, user=user).count()


def smes_admitted_by_region(*, user, year: int) -> dict[int | None, int]:
    """{county id: count} of 科技型中小企业 入库 in `year` (None: enterprises without a county)."""
    start, end = _year_bounds(year)
    return _by_region(smes_admitted(start=start, end=end, user=user))


def pool_admitted(*, start: date, end: date, region: Region | None = None, user=None) -> QuerySet[PoolEntry]:
    """高企培育库 new entries in [start, end]: entries with an `admit` step effective in the period,
    whatever happened to them since."""
    queryset = _base(PoolEntry, user).filter(_acted_between(PoolEntry, "admit", start, end))
    return _in_region(queryset, region)


def pool_new_entries(*, user, year: int, region: Region | None = None) -> int:
    """Enterprises admitted into the 高企培育库 in `year` (POOL_NOTE)."""
    start, end = _year_bounds(year)
    return pool_admitted(start=start, end=end, region=region, user=user).count()


def pool_new_entries_by_region(*, user, year: int) -> dict[int | None, int]:
    start, end = _year_bounds(year)
    return _by_region(pool_admitted(start=start, end=end, user=user))


def pool_size(*, user, on: date, region: Region | None = None) -> int:
    """Enterprises in the pool (admitted or applied) at the end of `on`'s day."""
    queryset = in_states_on(
        PoolEntry.objects.visible_to(user), {PoolEntry.State.ADMITTED, PoolEntry.State.APPLIED}, on
    )
    return _in_region(queryset, region).count()


def gaoqi_valid(*, on: date, region: Region | None = None, user=None) -> QuerySet[Enterprise]:
    """The enterprises holding a valid 高企 certificate on `on` (GAOQI_VALID_NOTE), each once."""
    queryset = _base(Enterprise, user).filter(exists_valid_certificate(OuterRef("pk"), on))
    return _in_region(queryset, region, field="region")


def gaoqi_valid_count(*, user, on: date, region: Region | None = None) -> int:
    """Enterprises holding a valid 高企 certificate on `on`."""
    return gaoqi_valid(on=on, region=region, user=user).count()


def gaoqi_valid_by_region(*, user, on: date) -> dict[int | None, int]:
    """{county id: enterprises holding a valid 高企 certificate on `on`} (None: without a county)."""
    rows = gaoqi_valid(on=on, user=user).order_by().values_list("region").annotate(n=Count("pk"))
    return dict(rows)


def gaoqi_certified_count(*, user, year: int, region: Region | None = None) -> int:
    """高企 certificates issued in `year` (newly or again certified enterprises) and still valid at the
    year's end (not revoked by then)."""
    queryset = _valid_certificates(year_end(year)).filter(issued_on__year=year)
    queryset = queryset.filter(pk__in=_base(GaoqiCertificate, user).values("pk"))
    return _in_region(queryset, region).count()


def rewards_total(*, user, year: int, region: Region | None = None, paid_only: bool = False) -> dict:
    """Number and sum (Decimal yuan) of the year's approved or paid rewards."""
    from django.db.models import Sum

    states = ["paid"] if paid_only else ["approved", "paid"]
    queryset = _in_region(Reward.objects.visible_to(user).filter(year=year, state__in=states), region)
    result = queryset.aggregate(n=Count("pk"), total=Sum("amount"))
    return {"count": result["n"], "total": result["total"] or 0}


def has_open_pool_entry(enterprise: Enterprise) -> bool:
    return PoolEntry.objects.filter(enterprise=enterprise, state__in=PoolEntry.OPEN_STATES).exists()


def exists_valid_certificate(enterprise_ref, on: date):
    return Exists(_valid_certificates(on).filter(enterprise=enterprise_ref))


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    import calendar

    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def smes_entered_in_month(region: Region, year: int, month: int) -> int:
    """科技型中小企业 of `region` admitted in that month and still admitted at its end (`smes_admitted`
    for the month): the monthly figure `smes_new` of the county filings."""
    start, end = _month_bounds(year, month)
    return smes_admitted(start=start, end=end, region=region).count()


def pool_entered_in_month(region: Region, year: int, month: int) -> int:
    """Enterprises of `region` admitted into the 高企培育库 in that month (`pool_admitted` for the month):
    the monthly figure `pool_new`."""
    start, end = _month_bounds(year, month)
    return pool_admitted(start=start, end=end, region=region).count()


def tech_staff_by_region(*, year: int, region_ids: list[int] | None = None) -> dict[int, int]:
    """region id → the enterprises' 科技人员 reported for `year` (their yearly figures; one query)."""
    queryset = EnterpriseYear.objects.filter(year=year, tech_staff__isnull=False)
    if region_ids is not None:
        queryset = queryset.filter(enterprise__region_id__in=region_ids)
    rows = queryset.values("enterprise__region").annotate(staff=Sum("tech_staff"))
    return {row["enterprise__region"]: row["staff"] or 0 for row in rows}
