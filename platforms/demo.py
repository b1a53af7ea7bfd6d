"""Demo data of `manage.py seed_demo` for the platforms app (idempotent; fixed random seed).

The 2023 outcome is the bureau's own (seed/xinzhou-2023-review.txt): the 2023 city batches recognise
4 市重点实验室, 1 市中试基地, 8 市技术创新中心, 4 市众创空间 and 3 市新型研发机构; 山西众立法兰有限公司
and 山西雁门山酒业有限公司 enter the provincial 技术创新中心 筹建 list; 山西农业大学玉米研究所 is
recognised as a 省级新型研发机构; 神池县 creates the 绿色食品 省级农业科技园区; 山西大学忻州创新生态研究院
is the 科创驿站 park's first platform. Units are matched by name (Organization get_or_create), so
the enterprises seed converges on the same rows. Other years are plausible and varied.

The names, units, figures and dates are in `platforms/data/` (read through kejiju.core.demodata):
`legacy.json` (platforms recognised before the portal), `batches.json` (the 2023 and 2025 city batches),
`provincial.json` (provincial outcomes and the 科创驿站 park), `evaluations.json` and `outreach.json`
(the 2023 科技活动周); this module keeps only how they are seeded.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from experts import services as expert_services
from experts.models import ExpertField, ReviewMember
from kejiju.accounts.models import Region, User
from kejiju.core import demodata
from kejiju.core.models import Organization
from kejiju.core.services import organization_for_name

from . import services
from .models import (
    OutreachEvent,
    Platform,
    PlatformApplication,
    PlatformEvaluation,
    PlatformType,
    RecognitionBatch,
)
from .rules import (
    RECOGNITION_CRITERIA,
    BatchState,
    Level,
    OutreachKind,
    OutreachState,
    PlatformAction,
    PlatformState,
)

SEED = 20231128


@dataclass(frozen=True)
class Entry:
    """One application of a demo batch (data/batches.json)."""

    platform_name: str
    unit: str
    kind: str  # Organization.Kind
    region: str  # region code
    field: str
    score: Decimal | None  # None: fails the 形式审查 (or not scored yet)


def _entries(rows: list[dict]) -> list[Entry]:
    return [
        Entry(**{**row, "score": None if row["score"] is None else Decimal(row["score"])}) for row in rows
    ]


def seed_demo_platforms(*, stdout=None) -> None:
    user = User.objects.filter(username="bureau").first()
    if user is None:
        raise RuntimeError("seed_demo: the accounts seed must run first (no 'bureau' user)")
    regions = {region.code: region for region in Region.objects.all()}
    types = {t.name: t for t in PlatformType.objects.all()}
    rng = random.Random(SEED)

    def unit(name: str, kind: str, code: str) -> Organization:
        return organization_for_name(name=name, kind=kind, region=regions.get(code))

    # Legacy registry entries.
    for row in demodata.read("platforms", "legacy"):
        name, type_name, level, code, year = (
            row["name"],
            row["type"],
            row["level"],
            row["region"],
            row["year"],
        )
        if Platform.objects.filter(name=name).exists():
            continue
        on = dt.date(year, rng.randint(4, 11), rng.randint(1, 28))
        prefix = types[type_name].code if level == Level.CITY else f"SX{types[type_name].code[2:]}"
        services.platform_create(
            name=name,
            platform_type=types[type_name],
            level=level,
            state=PlatformState.RECOGNISED,
            host=unit(row["unit"], row["kind"], code),
            region=regions[code],
            field=row["field"],
            certificate_no=f"{prefix}-{year}-{rng.randint(1, 60):03d}" if level != Level.CITY else "",
            recognised_on=on,
            staff_count=rng.randint(8, 60),
            user=user,
        )
    _fill_legacy_certificates(types)

    batches = demodata.read("platforms", "batches")
    # The 2023 city batches, run through the whole flow.
    recognised = batches["recognised_2023"]
    for batch in recognised["batches"]:
        _run_batch(
            user=user,
            unit=unit,
            regions=regions,
            platform_type=types[batch["type"]],
            year=recognised["year"],
            title=batch["title"],
            entries=_entries(batch["entries"]),
            quota=batch["quota"],
            publicity_on=demodata.date(recognised["publicity_on"]),
            recognise_on=demodata.date(recognised["recognise_on"]),
        )

    # Provincial outcomes of 2023 and the 科创驿站 park.
    _provincial_2023(user=user, unit=unit, regions=regions, types=types)

    # 2025: a batch in expert review and one taking applications.
    for batch in batches["running_2025"]:
        _run_batch(
            user=user,
            unit=unit,
            regions=regions,
            platform_type=types[batch["type"]],
            year=batch["year"],
            title=batch["title"],
            entries=_entries(batch["entries"]),
            quota=batch["quota"],
            stop_at=batch["stop_at"],
            accept_all=batch["accept_all"],
        )

    _evaluations(user=user, rng=rng)
    seed_demo_outreach(user=user, stdout=stdout)
    if stdout is not None:
        stdout.write(
            f"创新平台：{Platform.objects.count()} 个平台，{RecognitionBatch.objects.count()} 个认定批次，"
            f"{PlatformEvaluation.objects.count()} 条绩效评价。"
        )


def _fill_legacy_certificates(types) -> None:
    """City-level legacy platforms get certificate numbers in the city's own format, in order."""
    for platform in Platform.objects.filter(
        level=Level.CITY, certificate_no="", state=PlatformState.RECOGNISED
    ).order_by("recognised_on", "pk"):
        number = services.next_certificate_number(
            platform_type=platform.platform_type, year=platform.recognised_on.year
        )
        Platform.objects.filter(pk=platform.pk).update(certificate_no=number)


def _run_batch(
    *,
    user,
    unit,
    regions,
    platform_type,
    year: int,
    title: str,
    entries: list[Entry],
    quota: int | None,
    publicity_on: dt.date | None = None,
    recognise_on: dt.date | None = None,
    stop_at: str = BatchState.DONE,
    accept_all: bool = False,
) -> RecognitionBatch:
    batch = RecognitionBatch.objects.filter(title=title, year=year, platform_type=platform_type).first()
    if batch is not None:
        return batch
    batch = services.batch_save(
        instance=RecognitionBatch(
            title=title,
            year=year,
            platform_type=platform_type,
            level=Level.CITY,
            deadline=dt.date(year, 9, 30),
            pass_score=Decimal("70"),
            quota=quota,
            panel_size=5,
        ),
        review_fields=[
            ExpertField.objects.get_or_create(name=name, defaults={"sort_order": 100})[0]
            for name in sorted({e.field for e in entries})
        ],
        user=user,
        effective_on=dt.date(year, 6, 1),
    )
    apps = []
    for entry in entries:
        apps.append(
            services.application_save(
                instance=PlatformApplication(
                    batch=batch,
                    platform_name=entry.platform_name,
                    applicant=unit(entry.unit, entry.kind, entry.region),
                    region=regions[entry.region],
                    field=entry.field,
                    staff_count=12 + len(entry.platform_name) % 20,
                    summary=f"{entry.unit}申报{entry.platform_name}。",
                ),
                user=user,
                submitted_on=dt.date(year, 9, 20),
            )
        )
    if stop_at == BatchState.OPEN:
        return batch
    services.batch_advance(batch=batch, user=user, on_date=dt.date(year, 10, 1))
    for app, entry in zip(apps, entries, strict=True):
        passed = accept_all or entry.score is not None
        services.application_formal_review(
            application=app,
            passed=passed,
            comment="材料齐全，符合申报条件。" if passed else "依托单位近两年研发投入不满足申报条件。",
            user=user,
            reviewed_on=dt.date(year, 10, 8),
        )
    services.batch_advance(batch=batch, user=user, on_date=dt.date(year, 10, 10))
    for app, entry in zip(apps, entries, strict=True):
        if entry.score is not None:
            app.refresh_from_db()
            services.application_record_score(
                application=app,
                score=entry.score,
                note=f"{year}年专家组评审会评分（线下评审）",
                user=user,
                scored_on=dt.date(year, 10, 25),
            )
    if stop_at == BatchState.REVIEW:
        # The in-progress batch reviews through one panel of the expert library (when it holds experts).
        _demo_panel(apps[:2], user=user)
        return batch
    services.batch_advance(batch=batch, user=user, on_date=publicity_on)
    services.batch_advance(batch=batch, user=user, on_date=recognise_on)
    return batch


def _demo_panel(apps, *, user) -> None:
    """Start one review panel for the applications (as staff do for a batch) and have all but one expert
    score them, so that the demo shows a panel in progress. Skipped when the library has too few experts
    of the batch's fields."""
    fields = list(apps[0].review_fields())
    if not fields:
        return
    try:
        panel = expert_services.review_panel_create(
            subjects=apps,
            title=apps[0].review_group_title(),
            fields=fields,
            size=5,
            reserves=2,
            criteria=RECOGNITION_CRITERIA,
            drop_extremes=True,
            user=user,
            seed=f"platforms-demo-{apps[0].pk}",
        )
    except ValidationError:
        return  # too few experts in those fields in this demo library
    rng = random.Random(apps[0].pk)
    members = list(panel.members.filter(role=ReviewMember.Role.REGULAR).order_by("position"))
    for member in members:
        expert_services.review_member_confirm(member=member, user=user)
    for member in members[:-1]:
        member.refresh_from_db()
        for subject in panel.subjects.all():
            scores = {
                c["key"]: rng.randint(int(c["max_score"] * 0.6), c["max_score"]) for c in RECOGNITION_CRITERIA
            }
            expert_services.review_scores_enter(member=member, subject=subject, scores=scores, user=user)


def _provincial_2023(*, user, unit, regions, types) -> None:
    data = demodata.read("platforms", "provincial")

    def ensure(row, level) -> Platform:
        platform = Platform.objects.filter(name=row["name"]).first()
        if platform is None:
            platform = services.platform_create(
                name=row["name"],
                platform_type=types[row["type"]],
                level=level,
                state=PlatformState.CULTIVATING,
                host=unit(row["unit"], row["kind"], row["region"]),
                region=regions[row["region"]],
                field=row["field"],
                user=user,
                effective_on=demodata.date(row["registered_on"]),
            )
        return platform

    for row in data["preparing"]:
        platform = ensure(row, Level.PROVINCE)
        if platform.state == PlatformState.CULTIVATING:
            services.platform_transition(
                platform=platform,
                action=PlatformAction.PREPARE,
                user=user,
                effective_on=demodata.date(row["prepared_on"]),
                comment=row["comment"],
            )
    for row in data["recognised"]:
        platform = ensure(row, Level.PROVINCE)
        if platform.state == PlatformState.CULTIVATING:
            services.platform_transition(
                platform=platform,
                action=PlatformAction.RECOGNISE,
                user=user,
                effective_on=demodata.date(row["recognised_on"]),
                certificate_no=row["certificate_no"],
                comment=row["comment"],
            )
    park = ensure(data["park"], Level.CITY)
    if park.state == PlatformState.CULTIVATING:
        services.platform_transition(
            platform=park,
            action=PlatformAction.PREPARE,
            user=user,
            effective_on=demodata.date(data["park"]["prepared_on"]),
            comment=data["park"]["comment"],
        )
    for row in data["park_registered"]:
        ensure(row, Level.CITY)


def _evaluations(*, user, rng: random.Random) -> None:
    """Yearly evaluations of the platforms recognised by the year before; one platform fails twice in a
    row, so the rule proposes its revocation."""
    data = demodata.read("platforms", "evaluations")
    for year in data["years"]:
        for platform in Platform.objects.filter(
            state=PlatformState.RECOGNISED, recognised_on__year__lt=year
        ).order_by("pk"):
            if PlatformEvaluation.objects.filter(platform=platform, year=year).exists():
                continue
            if platform.name == data["weak_platform"] and year >= data["weak_from"]:
                score = Decimal(rng.randint(480, 580)) / 10
            else:
                score = Decimal(rng.randint(620, 980)) / 10
            services.evaluation_record(
                platform=platform,
                year=year,
                score=score,
                comment=data["comment"],
                user=user,
                evaluated_on=dt.date(year + 1, 3, 31),
            )


# ------------------------------------------------------------------------------- 2023 科技活动周


def seed_demo_outreach(*, user, stdout=None) -> None:
    """The 2023 科技活动周 (“热爱科学 崇尚科学”): a 科技大讲堂 in the city, 科普宣传进基层 in every county and
    open days of labs and 科普基地; a few events outside the week (data/outreach.json). Idempotent (events
    matched by name)."""
    data = demodata.read("platforms", "outreach")
    rng = random.Random(SEED + 10)
    start, end = (demodata.date(data["science_week"][key]) for key in ("start", "end"))

    def event(**fields) -> None:
        if OutreachEvent.objects.filter(name=fields["name"], held_on=fields["held_on"]).exists():
            return
        services.outreach_event_save(instance=OutreachEvent(state=OutreachState.HELD, **fields), user=user)

    launch = data["launch"]
    event(
        name=launch["name"],
        held_on=start,
        kind=OutreachKind.LECTURE,
        science_week=True,
        organiser_name=launch["organiser_name"],
        region=Region.objects.get(code=launch["region"]),
        venue=launch["venue"],
        audience=launch["audience"],
        description=launch["description"],
    )
    grassroots = data["grassroots"]
    for index, region in enumerate(Region.objects.county_level().order_by("sort_order", "code")):
        event(
            name=grassroots["name"].format(region=region.name),
            held_on=start + dt.timedelta(days=1 + index % 6),
            kind=OutreachKind.GRASSROOTS,
            science_week=True,
            organiser_name=grassroots["organiser_name"].format(region=region.name),
            region=region,
            venue=grassroots["venue"].format(region=region.name),
            audience=rng.randint(30, 120) * 10,
            description=grassroots["description"],
        )
    for open_day in data["open_days"]:
        name = open_day["platform"]
        platform = Platform.objects.filter(name=name).first()
        if platform is None:
            continue
        event(
            name=data["open_day"]["name"].format(platform=name),
            held_on=demodata.date(open_day["held_on"]),
            kind=OutreachKind.OPEN_DAY,
            science_week=True,
            platform=platform,
            region=platform.region,
            venue=name,
            audience=open_day["audience"],
            description=data["open_day"]["description"],
        )
    contest = data["contest"]
    event(
        name=contest["name"],
        held_on=demodata.date(contest["held_on"]),
        kind=OutreachKind.CONTEST,
        science_week=False,
        organiser_name=contest["organiser_name"],
        region=Region.objects.get(code=contest["region"]),
        venue=contest["venue"],
        audience=contest["audience"],
    )
    if stdout is not None:
        held = OutreachEvent.objects.filter(held_on__range=(start, end), science_week=True).count()
        stdout.write(f"科普活动：2023年科技活动周 {held} 场。")
