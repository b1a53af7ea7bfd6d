"""Every read of the platforms app. Pages read through the `*_list(*, user)` functions (scoped by
`visible_to`); the counting functions of the statistics page and the annual review (kejiju.reporting) take
the reader too and count only what it may see (`region` narrows to one county)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from kejiju.accounts.scoping import scope_region_ids
from kejiju.core.models import WorkflowEvent
from kejiju.core.workflow.selectors import events_for

from .models import (
    OutreachEvent,
    OutreachPhoto,
    Platform,
    PlatformApplication,
    PlatformEvaluation,
    PlatformType,
    RecognitionBatch,
)
from .rules import (
    ApplicationSnapshot,
    ApplicationState,
    BatchState,
    Grade,
    Level,
    OutreachKind,
    OutreachState,
    PlatformAction,
    PlatformState,
)
from .workflow import PLATFORM_WORKFLOW


def platform_list(*, user) -> QuerySet[Platform]:
    return Platform.objects.visible_to(user).select_related("platform_type", "host", "region")


def platform_type_list() -> QuerySet[PlatformType]:
    return PlatformType.objects.annotate(platform_count=Count("platforms"))


def platform_timeline(*, platform: Platform) -> QuerySet[WorkflowEvent]:
    return events_for(platform)


def batch_list(*, user) -> QuerySet[RecognitionBatch]:
    """Batches are the bureau's (not a county's); a county account sees them to enter its own applications,
    and the counts it sees are of its own county's applications."""
    allowed = scope_region_ids(user)
    scope = Q() if allowed is None else Q(applications__region__in=allowed)
    return RecognitionBatch.objects.select_related("platform_type").annotate(
        application_count=Count("applications", filter=scope),
        recognised_count=Count(
            "applications", filter=scope & Q(applications__state=ApplicationState.RECOGNISED)
        ),
    )


def batch_snapshots(*, batch: RecognitionBatch) -> list[ApplicationSnapshot]:
    """Every application of the batch (whoever entered it), as the batch rules see them: the score is the
    closed review panel's result (or the recorded score when there is no panel)."""
    from .review import panel_score, panels_by_application

    rows = list(batch.applications.values_list("pk", "state", "review_score"))
    panels = panels_by_application([pk for pk, _s, _r in rows])
    snapshots = []
    for pk, state, recorded in rows:
        panel = panels.get(pk)
        snapshots.append(
            ApplicationSnapshot(
                state=state,
                score=panel_score(panel) if panel is not None else recorded,
                panel_open=panel is not None and panel_score(panel) is None,
            )
        )
    return snapshots


def application_list(*, user, batch: RecognitionBatch | None = None) -> QuerySet[PlatformApplication]:
    queryset = PlatformApplication.objects.visible_to(user).select_related(
        "batch__platform_type", "applicant", "region", "platform"
    )
    if batch is not None:
        queryset = queryset.filter(batch=batch)
    return queryset


def evaluation_list(*, user) -> QuerySet[PlatformEvaluation]:
    return PlatformEvaluation.objects.visible_to(user).select_related(
        "platform__platform_type", "platform__region", "platform__host"
    )


# -------------------------------------------------------------------------------------- annual counts


def platform_stats(*, user, year: int, region_id: str | int | None = None) -> dict[str, Any]:
    """Everything the statistics page and its workbook show, for one year: a county account gets its own
    county whatever it asks for; others get the county asked for, or the whole city."""
    from kejiju.accounts.models import Region

    allowed = scope_region_ids(user)
    regions = Region.objects.county_level()
    if allowed is not None:
        regions = regions.filter(pk__in=allowed)
        region = regions.first()
    elif region_id and str(region_id).isdigit():
        region = regions.filter(pk=int(region_id)).first()
    else:
        region = None
    recognised = platforms_recognised_counts(user=user, year=year, region=region)
    return {
        "year": year,
        "region": region,
        "regions": regions,
        "region_locked": allowed is not None,
        "recognised": recognised,
        "recognised_total": sum(row["count"] for row in recognised),
        "preparing": platforms_preparing_counts(user=user, year=year, region=region),
        "by_region": [] if allowed is not None else platforms_recognised_by_region(user=user, year=year),
        "in_force": platforms_in_force_counts(user=user, region=region),
        "grades": evaluation_grade_counts(user=user, year=year, region=region),
    }


LEVEL_LABELS = dict(Level.choices)


def _type_order() -> dict[str, tuple[int, str]]:
    return {name: (order, name) for name, order in PlatformType.objects.values_list("name", "sort_order")}


def _rows(counter: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    order = _type_order()
    levels = list(LEVEL_LABELS)
    rows = [
        {"platform_type": type_name, "level": level, "level_label": LEVEL_LABELS[level], "count": count}
        for (type_name, level), count in counter.items()
        if count
    ]
    rows.sort(
        key=lambda r: (order.get(r["platform_type"], (999, r["platform_type"])), levels.index(r["level"]))
    )
    return rows


REGISTER = "register"


def _recognitions() -> Q:
    """认定 and 升级认定, and a platform registered as already recognised (a legacy entry, dated by its
    recognition)."""
    return Q(action__in=[PlatformAction.RECOGNISE, PlatformAction.UPGRADE]) | Q(
        action=REGISTER, to_state=PlatformState.RECOGNISED
    )


def _events(*, user, year: int, condition: Q, region=None) -> QuerySet[WorkflowEvent]:
    """The platform workflow's events of `year` matching `condition` on the platforms `user` may see, with
    the level they led to (`to_level`, kept in the event's data)."""
    queryset = WorkflowEvent.objects.filter(
        condition,
        workflow=PLATFORM_WORKFLOW.key,
        effective_on__year=year,
        object_id__in=Platform.objects.visible_to(user).values("pk"),
    ).annotate(to_level=KeyTextTransform("to_level", "data"))
    if region is not None:
        queryset = queryset.filter(platform__region=region)
    return queryset


def platforms_recognised_counts(*, user, year: int, region=None) -> list[dict[str, Any]]:
    """Platforms newly recognised in `year` (认定 or 升级认定 dated that year; a registry entry of a
    platform recognised before the portal counts in its recognition year), by type and level:
    rows `{"platform_type": "技术创新中心", "level": "city", "level_label": "市级", "count": 8}`, ordered by
    the type's sort order then level; the platforms `user` may see (`region` narrows to one county)."""
    counter: dict[tuple[str, str], int] = defaultdict(int)
    rows = (
        _events(user=user, year=year, region=region, condition=_recognitions())
        .values("platform__platform_type__name", "to_level")
        .annotate(n=Count("object_id", distinct=True))
    )
    for row in rows:
        counter[(row["platform__platform_type__name"], row["to_level"])] += row["n"]
    return _rows(counter)


def platforms_preparing_counts(*, user, year: int, region=None) -> list[dict[str, Any]]:
    """Platforms admitted to 筹建 in `year` (e.g. the provincial 技术创新中心 筹建 list), by type and
    level."""
    counter: dict[tuple[str, str], int] = defaultdict(int)
    rows = (
        _events(user=user, year=year, region=region, condition=Q(action=PlatformAction.PREPARE))
        .values("platform__platform_type__name", "to_level")
        .annotate(n=Count("object_id", distinct=True))
    )
    for row in rows:
        counter[(row["platform__platform_type__name"], row["to_level"])] += row["n"]
    return _rows(counter)


def platforms_recognised_by_region(*, user, year: int) -> list[dict[str, Any]]:
    """Platforms newly recognised in `year` by county: rows `{"region_id", "region": name, "count"}`
    (counties with none are left out)."""
    rows = (
        _events(user=user, year=year, condition=_recognitions())
        .values("platform__region_id", "platform__region__name", "platform__region__sort_order")
        .annotate(n=Count("object_id", distinct=True))
        .order_by("platform__region__sort_order", "platform__region_id")
    )
    return [
        {"region_id": row["platform__region_id"], "region": row["platform__region__name"], "count": row["n"]}
        for row in rows
    ]


def platforms_recognised_by_region_and_type(*, user, year: int) -> list[dict[str, Any]]:
    """Platforms newly recognised in `year` by county, type and level: rows
    `{"region_id", "region", "platform_type", "level", "level_label", "count"}` ordered by county, then the
    type's sort order, then level (for the annual review's county tables). The count is grouped by keys
    only (the distinct count sorts its groups: on the joined names that cost more than the join) and the
    few names come from two small reads."""
    from kejiju.accounts.models import Region

    counts = list(
        _events(user=user, year=year, condition=_recognitions())
        .values_list("platform__region_id", "platform__platform_type_id", "to_level")
        .annotate(n=Count("object_id", distinct=True))
        .order_by()
    )
    regions = {
        pk: (name, order) for pk, name, order in Region.objects.values_list("pk", "name", "sort_order")
    }
    types = {
        pk: (name, order) for pk, name, order in PlatformType.objects.values_list("pk", "name", "sort_order")
    }
    levels = list(LEVEL_LABELS)
    keyed = []
    for region_id, type_id, level, count in counts:
        region_name, region_order = regions[region_id]
        type_name, type_order = types[type_id]
        row = {
            "region_id": region_id,
            "region": region_name,
            "platform_type": type_name,
            "level": level,
            "level_label": LEVEL_LABELS[level],
            "count": count,
        }
        keyed.append(((region_order, region_id, type_order, type_name, levels.index(level)), row))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]


def platforms_in_force_counts(*, user, region=None) -> list[dict[str, Any]]:
    """Platforms recognised and not revoked today, by type and level (those `user` may see)."""
    queryset = Platform.objects.visible_to(user).filter(state=PlatformState.RECOGNISED)
    if region is not None:
        queryset = queryset.filter(region=region)
    counter: dict[tuple[str, str], int] = defaultdict(int)
    for row in queryset.values("platform_type__name", "level").annotate(n=Count("pk")):
        counter[(row["platform_type__name"], row["level"])] += row["n"]
    return _rows(counter)


def evaluation_grade_counts(*, user, year: int, region=None) -> dict[str, int]:
    """Evaluations of `year` that `user` may see, by grade: `{"优秀": 3, "良好": 5, "合格": 2, "不合格": 1}`
    (every grade present)."""
    queryset = PlatformEvaluation.objects.visible_to(user).filter(year=year)
    if region is not None:
        queryset = queryset.filter(platform__region=region)
    found = dict(queryset.values_list("grade").annotate(n=Count("pk")))
    return {label: found.get(value, 0) for value, label in Grade.choices}


def revocation_proposals(*, user) -> QuerySet[PlatformEvaluation]:
    """Latest evaluations proposing revocation of platforms still recognised."""
    return evaluation_list(user=user).filter(
        revocation_proposed=True, platform__state=PlatformState.RECOGNISED
    )


def batches_needing_action(*, user) -> dict[str, int]:
    """Batches in a step that waits for bureau staff, by step label."""
    rows = (
        RecognitionBatch.objects.exclude(state=BatchState.DONE).values_list("state").annotate(n=Count("pk"))
    )
    labels = dict(BatchState.choices)
    return {labels[state]: n for state, n in rows}


# --------------------------------------------------------------------------------- science popularisation


def outreach_event_list(*, user) -> QuerySet[OutreachEvent]:
    return (
        OutreachEvent.objects.visible_to(user)
        .select_related("region", "platform")
        .annotate(photo_count=Count("photos"))
    )


def outreach_photos(*, event: OutreachEvent) -> QuerySet[OutreachPhoto]:
    return event.photos.select_related("uploaded_by")


def outreach_photo_list(*, user) -> QuerySet[OutreachPhoto]:
    return OutreachPhoto.objects.visible_to(user).select_related("event")


def _held(user, year: int, region=None) -> QuerySet[OutreachEvent]:
    queryset = OutreachEvent.objects.visible_to(user).filter(state=OutreachState.HELD, held_on__year=year)
    return queryset.filter(region=region) if region is not None else queryset


def outreach_year_figures(*, user, year: int, region=None) -> dict[str, Any]:
    """The year's held popularisation events (city-wide or of one county): totals, the 科技活动周's share,
    and counts by kind (every kind present, in the kinds' order). Two queries."""
    aggregated = _held(user, year, region).aggregate(
        n=Count("pk"),
        people=Coalesce(Sum("audience"), 0),
        week_n=Count("pk", filter=Q(science_week=True)),
        week_people=Coalesce(Sum("audience", filter=Q(science_week=True)), 0),
    )
    totals = {
        "events": aggregated["n"],
        "audience": aggregated["people"],
        "week_events": aggregated["week_n"],
        "week_audience": aggregated["week_people"],
    }
    found = {
        row["kind"]: row
        for row in _held(user, year, region)
        .values("kind")
        .annotate(n=Count("pk"), people=Coalesce(Sum("audience"), 0))
    }
    by_kind = [
        {
            "kind": value,
            "label": label,
            "count": found.get(value, {}).get("n", 0),
            "audience": found.get(value, {}).get("people", 0),
        }
        for value, label in OutreachKind.choices
    ]
    return {**totals, "by_kind": by_kind}


def outreach_by_region(*, user, year: int) -> dict[int, dict[str, int]]:
    """region id → {"events", "audience", "week_events"} of the year's held events (one query)."""
    rows = (
        _held(user, year)
        .values("region")
        .annotate(
            n=Count("pk"),
            people=Coalesce(Sum("audience"), 0),
            week_n=Count("pk", filter=Q(science_week=True)),
        )
    )
    return {
        row["region"]: {"events": row["n"], "audience": row["people"], "week_events": row["week_n"]}
        for row in rows
    }


def _staffed_platforms(year: int) -> QuerySet[Platform]:
    """Platforms recognised by the end of `year` and not revoked: their staff count towards the county's
    research staff."""
    return Platform.objects.filter(state=PlatformState.RECOGNISED, recognised_on__lte=dt.date(year, 12, 31))


def platform_staff_by_region(*, year: int, region_ids: list[int] | None = None) -> dict[int, int]:
    """region id → staff of its recognised platforms at the end of `year` (one query)."""
    queryset = _staffed_platforms(year)
    if region_ids is not None:
        queryset = queryset.filter(region_id__in=region_ids)
    rows = queryset.values("region").annotate(staff=Coalesce(Sum("staff_count"), 0))
    return {row["region"]: row["staff"] for row in rows}
