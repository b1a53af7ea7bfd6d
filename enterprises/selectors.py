"""Every read of the enterprises app. Lists are scoped by user through `visible_to`; the counting
functions at the end (the annual review, kejiju.reporting) are scoped the same way by `user`; `region`
narrows them to one county."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from kejiju.accounts.models import Region

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


def _valid_certificates(on: date) -> QuerySet[GaoqiCertificate]:
    return GaoqiCertificate.objects.filter(is_revoked=False, issued_on__lte=on, expires_on__gte=on)


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
        .filter(is_revoked=False, expires_on__gte=today, expires_on__lte=horizon)
        .order_by("expires_on")
    )


def reward_list(*, user) -> QuerySet[Reward]:
    return Reward.objects.visible_to(user).select_related("enterprise__region", "certificate")


def reward_tiers(*, year: int | None = None) -> QuerySet[RewardTier]:
    tiers = RewardTier.objects.all()
    return tiers.filter(year=year) if year else tiers


def doubling_progress(*, user, year: int) -> list[dict]:
    """Each visible county's target for `year` against its valid certificates on 31 December (or today,
    for the current year)."""
    today = timezone.localdate()
    on = min(date(year, 12, 31), today) if year >= today.year else date(year, 12, 31)
    targets = DoublingTarget.objects.visible_to(user).filter(year=year).select_related("region")
    counts = dict(
        _valid_certificates(on)
        .values_list("enterprise__region")
        .annotate(n=Count("enterprise", distinct=True))
    )
    base_on = date(year - 1, 12, 31)
    base = dict(
        _valid_certificates(base_on)
        .values_list("enterprise__region")
        .annotate(n=Count("enterprise", distinct=True))
    )
    rows = []
    for target in targets:
        actual = counts.get(target.region_id, 0)
        rows.append(
            {
                "target": target,
                "region": target.region,
                "previous": base.get(target.region_id, 0),
                "actual": actual,
                "percent": (actual * 100 // target.target) if target.target else None,
                "met": actual >= target.target,
            }
        )
    return rows


def smes_counts_by_region(
    *, user, years: list[int]
) -> tuple[list[Region], dict[tuple[int, int], int], dict[int, int]]:
    """科小 入库 counts per (region, year) for the visible regions; and the totals per year."""
    from kejiju.accounts.scoping import scope_region_ids

    regions = Region.objects.county_level()
    allowed = scope_region_ids(user)
    if allowed is not None:
        regions = regions.filter(pk__in=allowed)
    rows = (
        SmesEvaluation.objects.visible_to(user)
        .filter(state=SmesEvaluation.State.ADMITTED, year__in=years)
        .values_list("enterprise__region", "year")
        .annotate(n=Count("pk"))
    )
    cells = {(region_id, year): n for region_id, year, n in rows}
    totals = {year: sum(n for (_r, y), n in cells.items() if y == year) for year in years}
    return list(regions), cells, totals


def pool_counts_by_region(*, user, years: list[int]) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """培育库 new entries per (region, entry year) for the visible regions; and the totals per year."""
    rows = (
        PoolEntry.objects.visible_to(user)
        .filter(admitted_year__in=years, state__in=_ENTERED)
        .values_list("enterprise__region", "admitted_year")
        .annotate(n=Count("pk"))
    )
    cells = {(region_id, year): n for region_id, year, n in rows}
    totals = {year: sum(n for (_r, y), n in cells.items() if y == year) for year in years}
    return cells, totals


# ------------------------------------------------------------------------------ counts for the annual review


def _in_region(queryset: QuerySet, region: Region | None, field: str = "enterprise__region") -> QuerySet:
    return queryset.filter(**{field: region}) if region is not None else queryset


def smes_admitted_count(*, user, year: int, region: Region | None = None) -> int:
    """科技型中小企业 入库 in `year` (with a 登记编号 for that year, not revoked)."""
    queryset = SmesEvaluation.objects.visible_to(user).filter(year=year, state=SmesEvaluation.State.ADMITTED)
    return _in_region(queryset, region).count()


def smes_admitted_by_region(*, user, year: int) -> dict[int, int]:
    """{region id: count} of 科技型中小企业 入库 in `year`."""
    rows = (
        SmesEvaluation.objects.visible_to(user)
        .filter(year=year, state=SmesEvaluation.State.ADMITTED)
        .values_list("enterprise__region")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


_ENTERED = ("admitted", "applied", "certified", "exited")


def pool_new_entries(*, user, year: int, region: Region | None = None) -> int:
    """Enterprises admitted into the 高企培育库 with `year` as their entry year (whatever happened since)."""
    queryset = PoolEntry.objects.visible_to(user).filter(admitted_year=year, state__in=_ENTERED)
    return _in_region(queryset, region).count()


def pool_new_entries_by_region(*, user, year: int) -> dict[int, int]:
    rows = (
        PoolEntry.objects.visible_to(user)
        .filter(admitted_year=year, state__in=_ENTERED)
        .values_list("enterprise__region")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def pool_size(*, user, on: date, region: Region | None = None) -> int:
    """Enterprises in the pool (admitted or applied) at the end of `on`'s day."""
    queryset = PoolEntry.objects.visible_to(user).filter(
        state__in=["admitted", "applied"], admitted_on__lte=on
    )
    return _in_region(queryset, region).count()


def gaoqi_valid_count(*, user, on: date, region: Region | None = None) -> int:
    """Enterprises holding a valid 高企 certificate on `on`."""
    queryset = _valid_certificates(on).filter(pk__in=GaoqiCertificate.objects.visible_to(user).values("pk"))
    return _in_region(queryset, region).aggregate(n=Count("enterprise", distinct=True))["n"]


def gaoqi_certified_count(*, user, year: int, region: Region | None = None) -> int:
    """高企 certificates issued in `year` (newly or again certified enterprises)."""
    queryset = GaoqiCertificate.objects.visible_to(user).filter(issued_on__year=year, is_revoked=False)
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


def smes_entered_in_month(region: Region, year: int, month: int) -> int:
    """科技型中小企业 of `region` given their 入库登记编号 in that month (not revoked since): the monthly
    figure `smes_new` of the county filings."""
    return SmesEvaluation.objects.filter(
        enterprise__region=region,
        state=SmesEvaluation.State.ADMITTED,
        admitted_on__year=year,
        admitted_on__month=month,
    ).count()


def pool_entered_in_month(region: Region, year: int, month: int) -> int:
    """Enterprises of `region` admitted into the 高企培育库 in that month: the monthly figure `pool_new`."""
    return PoolEntry.objects.filter(
        enterprise__region=region, state__in=_ENTERED, admitted_on__year=year, admitted_on__month=month
    ).count()


def tech_staff_by_region(*, year: int, region_ids: list[int] | None = None) -> dict[int, int]:
    """region id → the enterprises' 科技人员 reported for `year` (their yearly figures; one query)."""
    queryset = EnterpriseYear.objects.filter(year=year, tech_staff__isnull=False)
    if region_ids is not None:
        queryset = queryset.filter(enterprise__region_id__in=region_ids)
    rows = queryset.values("enterprise__region").annotate(staff=Sum("tech_staff"))
    return {row["enterprise__region"]: row["staff"] or 0 for row in rows}
