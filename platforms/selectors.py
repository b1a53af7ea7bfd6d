"""Every read of the platforms app. Pages read through the `*_list(*, user)` functions (scoped by
`visible_to`); the counting functions of the statistics page and the annual review (kejiju.reporting) take
the reader too and count only what it may see (`region` narrows to one county)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, DateField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from kejiju.core.models import WorkflowEvent
from kejiju.core.scoping import scope_region_ids, unit_id_of_user
from kejiju.core.workflow.selectors import STEP_ORDER, events_for, in_states_on

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
    PLATFORM_WORKFLOW_KEY,
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


def platform_list(*, user) -> QuerySet[Platform]:
    return Platform.objects.visible_to(user).select_related("platform_type", "host", "region")


def platform_type_list() -> QuerySet[PlatformType]:
    return PlatformType.objects.annotate(platform_count=Count("platforms"))


def platform_timeline(*, platform: Platform) -> QuerySet[WorkflowEvent]:
    return events_for(platform)


def batches_for(*, user) -> QuerySet[RecognitionBatch]:
    """The batches a user may open. Staff: every batch. A unit account: those taking applications and those
    it has applied to (it reads nothing else of the bureau's batches)."""
    batches = RecognitionBatch.objects.select_related("platform_type")
    unit = unit_id_of_user(user)
    if unit is None:
        return batches
    own = PlatformApplication.objects.filter(applicant_id=unit).values("batch_id")
    return batches.filter(Q(state=BatchState.OPEN) | Q(pk__in=own))


def batch_list(*, user) -> QuerySet[RecognitionBatch]:
    """Batches are the bureau's (not a county's); a county account sees them to enter its own applications,
    a unit's administrator to file its own, and the counts each sees are of the applications it may see."""
    unit = unit_id_of_user(user)
    if unit is not None:
        scope = Q(applications__applicant_id=unit)
    else:
        allowed = scope_region_ids(user)
        scope = Q() if allowed is None else Q(applications__region__in=allowed)
    return batches_for(user=user).annotate(
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
        reviewed = panels.get(pk)
        snapshots.append(
            ApplicationSnapshot(
                state=state,
                score=panel_score(reviewed) if reviewed is not None else recorded,
                panel_open=reviewed is not None and panel_score(reviewed) is None,
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
    span = _year(year)
    by_region = {} if allowed is not None else recognised_platforms_by_region(user=user, **span)
    return {
        "year": year,
        "region": region,
        "regions": regions,
        "region_locked": allowed is not None,
        "recognised": recognised_platforms_by_type(user=user, region=region, **span),
        "recognised_total": recognised_platforms_count(user=user, region=region, **span),
        "upgraded_total": upgraded_platforms_count(user=user, region=region, **span),
        "notes": FIGURE_NOTES,
        "preparing": platforms_preparing_counts(user=user, year=year, region=region),
        "by_region": [
            {"region_id": r.pk, "region": r.name, "count": by_region[r.pk]}
            for r in Region.objects.filter(pk__in=[pk for pk in by_region if pk is not None])
        ],
        "in_force": platforms_in_force_counts(user=user, region=region),
        "grades": evaluation_grade_counts(user=user, year=year, region=region),
    }


LEVEL_LABELS = dict(Level.choices)


def _type_order() -> dict[str, tuple[int, str]]:
    return {name: (order, name) for name, order in PlatformType.objects.values_list("name", "sort_order")}


def type_level_sort_key():
    """The order of (type name, level) rows: the type's sort order, then the level (one query)."""
    order = _type_order()
    levels = list(LEVEL_LABELS)

    def key(pair: tuple[str, str]) -> tuple:
        type_name, level = pair
        return (
            order.get(type_name, (999, type_name)),
            levels.index(level) if level in levels else len(levels),
        )

    return key


def _rows(counter: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    rows = [
        {
            "platform_type": type_name,
            "level": level,
            "level_label": LEVEL_LABELS.get(level, level or ""),
            "count": count,
        }
        for (type_name, level), count in counter.items()
        if count
    ]
    sort_key = type_level_sort_key()
    rows.sort(key=lambda r: sort_key((r["platform_type"], r["level"])))
    return rows


REGISTER = "register"

# ------------------------------------------------------------------------------ figures of the annual review
# Each figure of year Y is read from the platform workflow's dated events as they stood on 31 December Y:
# events dated later never change it, and fields a later step overwrites (Platform.recognised_on, the
# current state and level) are not read for history.

PLATFORMS_NOTE = (
    "新认定：当年认定生效的平台（含登记时已认定的存量平台，含其后撤销的），每个平台计一次；升级另计。"
)
PLATFORMS_UPGRADED_NOTE = (
    "升级认定：当年升级认定生效的平台，每个平台计一次；当年新认定后又升级的平台两项各计一次。"
)
FIGURE_NOTES: dict[str, str] = {
    "platforms": PLATFORMS_NOTE,
    "platforms_upgraded": PLATFORMS_UPGRADED_NOTE,
    "outreach": "科普活动：举办日期在当年、登记为已举办的活动；科技活动周按活动标注计；县区按活动所在县区。",
}


def _recognitions() -> Q:
    """新认定: 认定, and a platform registered as already recognised (a legacy entry, dated by its
    recognition). 升级认定 is not a new recognition (`_upgrades`)."""
    return Q(action=PlatformAction.RECOGNISE) | Q(action=REGISTER, to_state=PlatformState.RECOGNISED)


def _upgrades() -> Q:
    return Q(action=PlatformAction.UPGRADE)


def _figure_events(condition: Q, *, start: dt.date, end: dt.date) -> QuerySet[WorkflowEvent]:
    """The platform workflow's events matching `condition` that took effect in [start, end]."""
    return WorkflowEvent.objects.filter(
        condition,
        content_type=ContentType.objects.get_for_model(Platform),
        workflow=PLATFORM_WORKFLOW_KEY,
        effective_on__gte=start,
        effective_on__lte=end,
    )


def _platforms_with_event(
    condition: Q, *, start: dt.date, end: dt.date, region=None, user=None
) -> QuerySet[Platform]:
    """Each platform with an event matching `condition` in [start, end] once, annotated with the first such
    event's date (`event_on`) and the level it led to (`event_level`, the event's `to_level`). `user`
    (optional) keeps the platforms it may see; `region` narrows to one county."""
    events = _figure_events(condition, start=start, end=end)
    first = (
        events.filter(object_id=OuterRef("pk"))
        .order_by(*STEP_ORDER)
        .annotate(to_level=KeyTextTransform("to_level", "data"))
    )
    queryset = Platform.objects.all() if user is None else Platform.objects.visible_to(user)
    queryset = queryset.filter(pk__in=events.values("object_id"))
    if region is not None:
        queryset = queryset.filter(region=region)
    return queryset.annotate(
        event_on=Subquery(first.values("effective_on")[:1], output_field=DateField()),
        event_level=Subquery(first.values("to_level")[:1], output_field=CharField()),
    )


def recognised_platforms(*, start: dt.date, end: dt.date, region=None, user=None) -> QuerySet[Platform]:
    """新认定 (figure `platforms`): the platforms with a 认定, or registered as already recognised, that
    took effect in [start, end], each once (also those revoked since; upgrades are not counted here), with
    `event_on` (认定日期) and `event_level` (the level it was recognised at) of the first such event."""
    return _platforms_with_event(_recognitions(), start=start, end=end, region=region, user=user)


def upgraded_platforms(*, start: dt.date, end: dt.date, region=None, user=None) -> QuerySet[Platform]:
    """升级认定 (figure `platforms_upgraded`): the platforms with a 升级认定 that took effect in [start, end],
    each once, with `event_on` and `event_level` (the level it was raised to) of the first one."""
    return _platforms_with_event(_upgrades(), start=start, end=end, region=region, user=user)


def recognised_platforms_count(*, start: dt.date, end: dt.date, region=None, user=None) -> int:
    return recognised_platforms(start=start, end=end, region=region, user=user).count()


def platforms_recognised_in_month(region, year: int, month: int) -> int:
    """The county filing's monthly figure `platforms_new`: the annual 新认定 of one county, for one month."""
    last = calendar.monthrange(year, month)[1]
    return recognised_platforms_count(
        start=dt.date(year, month, 1), end=dt.date(year, month, last), region=region
    )


def upgraded_platforms_count(*, start: dt.date, end: dt.date, region=None, user=None) -> int:
    return upgraded_platforms(start=start, end=end, region=region, user=user).count()


def _by_region(queryset: QuerySet[Platform]) -> dict[int | None, int]:
    rows = queryset.order_by().values_list("region_id").annotate(n=Count("pk"))
    return dict(rows)


def recognised_platforms_by_region(*, start: dt.date, end: dt.date, user=None) -> dict[int | None, int]:
    """region id → the `platforms` figure of its platforms (None: platforms without a county)."""
    return _by_region(_platforms_with_event(_recognitions(), start=start, end=end, user=user))


def upgraded_platforms_by_region(*, start: dt.date, end: dt.date, user=None) -> dict[int | None, int]:
    """region id → the `platforms_upgraded` figure of its platforms (None: platforms without a county)."""
    return _by_region(_platforms_with_event(_upgrades(), start=start, end=end, user=user))


def _by_type(queryset: QuerySet[Platform]) -> list[dict[str, Any]]:
    counter: dict[tuple[str, str], int] = defaultdict(int)
    rows = queryset.order_by().values_list("platform_type__name", "event_level").annotate(n=Count("pk"))
    for type_name, level, count in rows:
        counter[(type_name, level)] += count
    return _rows(counter)


def recognised_platforms_by_type(
    *, start: dt.date, end: dt.date, region=None, user=None
) -> list[dict[str, Any]]:
    """The `platforms` figure by type and by the level of the recognition event: rows
    `{"platform_type": "技术创新中心", "level": "city", "level_label": "市级", "count": 8}`, ordered by the
    type's sort order then level; the counts add up to `recognised_platforms_count`."""
    return _by_type(recognised_platforms(start=start, end=end, region=region, user=user))


def upgraded_platforms_by_type(
    *, start: dt.date, end: dt.date, region=None, user=None
) -> list[dict[str, Any]]:
    """The `platforms_upgraded` figure by type and by the level the platforms were raised to."""
    return _by_type(upgraded_platforms(start=start, end=end, region=region, user=user))


def _year(year: int) -> dict[str, dt.date]:
    return {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}


def _events(*, user, year: int, condition: Q, region=None) -> QuerySet[WorkflowEvent]:
    """The platform workflow's events of `year` matching `condition` on the platforms `user` may see, with
    the level they led to (`to_level`, kept in the event's data)."""
    queryset = WorkflowEvent.objects.filter(
        condition,
        workflow=PLATFORM_WORKFLOW_KEY,
        effective_on__year=year,
        object_id__in=Platform.objects.visible_to(user).values("pk"),
    ).annotate(to_level=KeyTextTransform("to_level", "data"))
    if region is not None:
        queryset = queryset.filter(platform__region=region)
    return queryset


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


def revocation_proposal_count(*, user) -> int:
    """Platforms (not evaluation rows) still recognised with an evaluation proposing revocation."""
    return revocation_proposals(user=user).order_by().values("platform_id").distinct().count()


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
    """Platforms in the state 已认定 on 31 December of `year` (read from their events: a platform revoked
    or upgraded later still counts for `year`): their staff count towards the county's research staff.
    The staff count itself is the platform's current one (it is not kept by year)."""
    return in_states_on(Platform.objects.all(), {PlatformState.RECOGNISED}, dt.date(year, 12, 31))


def platform_staff_by_region(*, year: int, region_ids: list[int] | None = None) -> dict[int, int]:
    """region id → staff of its platforms recognised on 31 December of `year` (one query)."""
    queryset = Platform.objects.filter(pk__in=_staffed_platforms(year).values("pk"))
    if region_ids is not None:
        queryset = queryset.filter(region_id__in=region_ids)
    rows = queryset.order_by().values("region").annotate(staff=Coalesce(Sum("staff_count"), 0))
    return {row["region"]: row["staff"] for row in rows}
