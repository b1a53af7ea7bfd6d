"""Small random worlds for the annual statistics, built THROUGH THE PORTAL'S SERVICES ONLY, and what the
statistics must say about them by the definitions of issue 18 (docs: DEFINITIONS, annual figures survey).

Factories are used for reference data only (users, units, enterprises and their yearly figures, expert
fields, calls, a project's closed review panel); every dated fact a figure is made of is written by a
service, so that it leaves its workflow event (or its dated row).

Every service call sits in one small adapter function below (`recognise_platform`, `revoke_certificate`,
`pay`, `file_month` …): when a service changes its signature (a certificate's revocation taking a date, the
expert workflow, dated project decisions), only that adapter changes. Each adapter also writes the fact into
`World.log`; `expected(world, year=…)` then computes every figure from the log by the definitions, in plain
Python, for any year (the value and the previous year's value alike).

The random choices go through a `Draw` (`randint(a, b)`, `choice(seq)`): `random.Random(seed)` for fixed
worlds, `HypothesisDraw` for the property test (so hypothesis shrinks the world)."""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol
from unittest import mock

from django.utils import timezone

from enterprises import services as enterprise_services
from enterprises.models import GaoqiCertificate
from experts import services as expert_services
from experts.models import Commissioner, CommissionerTeam, Expert, ExpertField, VicePresidentPlacement
from kejiju.accounts.models import Region
from kejiju.core.models import Organization
from kejiju.reporting import rules as reporting_rules
from kejiju.reporting import services as reporting_services
from platforms import services as platform_services
from platforms.models import PlatformType
from platforms.rules import Level, PlatformAction, PlatformState
from projects import services as project_services
from projects.models import ChangeRequest, CooperationProject, Programme, Project
from projects.rules import Action as ProjectAction
from tests.enterprises.factories import EnterpriseFactory, EnterpriseYearFactory
from tests.experts.factories import make_id_number
from tests.factories import UserFactory

SHANGHAI = reporting_rules.SHANGHAI
NO_COUNTY_LABEL = "未指定县区（含市外）"
LEVEL_LABELS = dict(Level.choices)

# The keys of stats["figures"] in order (DEFINITIONS.md) and those that add up over the county rows.
FIGURE_KEYS = [
    "platforms",
    "platforms_upgraded",
    "smes",
    "pool",
    "gaoqi_valid",
    "commissioner_teams",
    "commissioners",
    "transfer_bases",
    "parks",
    "vp_candidates",
    "vp_universities",
    "experts",
    "projects_applied",
    "projects",
    "committed",
    "paid",
    "paid_cumulative",
]
ADDITIVE_KEYS = [
    "platforms",
    "platforms_upgraded",
    "smes",
    "pool",
    "gaoqi_valid",
    "commissioners",
    "vp_candidates",
    "experts",
    "projects_applied",
    "projects",
    "committed",
    "paid",
    "paid_cumulative",
    "transfer_bases",
    "parks",
]
MONEY_KEYS = {"committed", "paid", "paid_cumulative"}
FILING_KEYS = ("expected", "filed", "on_time", "late", "missing")


class Draw(Protocol):
    def randint(self, a: int, b: int) -> int: ...

    def choice(self, seq): ...


class HypothesisDraw:
    """A `Draw` over hypothesis' `data` (st.data()): every choice is a drawn integer, so worlds shrink."""

    def __init__(self, data) -> None:
        from hypothesis import strategies as st

        self._data, self._st = data, st

    def randint(self, a: int, b: int) -> int:
        return self._data.draw(self._st.integers(a, b))

    def choice(self, seq):
        seq = list(seq)
        return seq[self.randint(0, len(seq) - 1)]


def draw_date(draw: Draw, lo: dt.date, hi: dt.date) -> dt.date:
    if hi <= lo:
        return lo
    return dt.date.fromordinal(draw.randint(lo.toordinal(), hi.toordinal()))


# --------------------------------------------------------------------------------------------- the log


@dataclass
class Log:
    """What happened, as the adapters did it: the facts every figure is computed from."""

    platforms: dict[int, dict] = field(default_factory=dict)
    smes: dict[int, dict] = field(default_factory=dict)
    pool: dict[int, dict] = field(default_factory=dict)
    certificates: dict[int, dict] = field(default_factory=dict)
    teams: dict[int, dict] = field(default_factory=dict)
    vice_presidents: dict[int, dict] = field(default_factory=dict)
    experts: dict[int, dict] = field(default_factory=dict)
    projects: dict[int, dict] = field(default_factory=dict)
    cooperation: dict[int, dict] = field(default_factory=dict)
    filings: dict[tuple[int, int, int], dict] = field(default_factory=dict)


@dataclass
class World:
    year: int
    bureau: Any
    counties: list[Region]
    log: Log = field(default_factory=Log)
    county_users: dict[int, Any] = field(default_factory=dict)
    serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    records: dict[tuple[str, int], Any] = field(default_factory=dict)

    def next(self) -> int:
        return next(self.serial)

    def county_user(self, county: Region):
        if county.pk not in self.county_users:
            self.county_users[county.pk] = UserFactory(role="county", region=county)
        return self.county_users[county.pk]


def rid(region: Region | None) -> int | None:
    return region.pk if region is not None else None


def new_world(*, year: int, counties: int = 3, draw: Draw | None = None) -> World:
    """An empty world: a bureau user and `counties` county-level regions (the first ones, or drawn)."""
    regions = list(Region.objects.county_level().order_by("sort_order", "code"))
    if draw is not None:
        chosen = []
        for _ in range(counties):
            chosen.append(regions.pop(draw.randint(0, len(regions) - 1)))
        regions = chosen
    return World(year=year, bureau=UserFactory(role="bureau"), counties=regions[:counties])


@contextlib.contextmanager
def on_day(day: dt.date):
    """Services that take no date stamp their events with today (timezone.localdate()): run them "on"
    `day`. Only the date is shifted (recorded_at stays the real time, so the order of recording holds)."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        if value is None and timezone is None:
            return day
        return real(value, timezone)

    with mock.patch("django.utils.timezone.localdate", localdate):
        yield


def _accepts(function, name: str) -> bool:
    return name in inspect.signature(function).parameters


def _org(world: World, *, kind=Organization.Kind.ENTERPRISE, region=None, prefix="单位") -> Organization:
    return Organization.objects.create(name=f"世界{prefix}{world.next()}", kind=kind, region=region)


# ----------------------------------------------------------------------------------------- platforms


def platform_types() -> list[PlatformType]:
    return list(PlatformType.objects.order_by("sort_order", "pk")[:3])


def recognise_platform(
    world: World,
    county: Region | None,
    on: dt.date,
    *,
    platform_type: PlatformType | None = None,
    registered: bool = False,
):
    """A new platform recognised (认定) on `on` at city level: either registered in the registry as
    already recognised (its `register` event, to_state recognised), or registered as cultivated a month
    before and recognised through the workflow's `recognise` transition."""
    n = world.next()
    platform_type = platform_type or platform_types()[0]
    common = {
        "name": f"世界平台{n}",
        "platform_type": platform_type,
        "level": Level.CITY,
        "host": _org(world, region=county),
        "region": county,
        "user": world.bureau,
    }
    if registered:
        platform = platform_services.platform_create(
            **common,
            state=PlatformState.RECOGNISED,
            certificate_no=f"WR-{n}",
            recognised_on=on,
            effective_on=on,
        )
    else:
        platform = platform_services.platform_create(
            **common, state=PlatformState.CULTIVATING, effective_on=on - dt.timedelta(days=30)
        )
        platform_services.platform_transition(
            platform=platform,
            action=PlatformAction.RECOGNISE,
            user=world.bureau,
            effective_on=on,
            level=Level.CITY,
            certificate_no=f"WR-{n}",
        )
    world.records[("platform", platform.pk)] = platform
    world.log.platforms[platform.pk] = {
        "name": platform.name,
        "region": rid(county),
        "type": platform_type.name,
        "events": [("recognise", on, Level.CITY)],
    }
    return platform


def upgrade_platform(world: World, platform, on: dt.date, *, level: str = Level.PROVINCE):
    platform_services.platform_transition(
        platform=platform,
        action=PlatformAction.UPGRADE,
        user=world.bureau,
        effective_on=on,
        level=level,
        certificate_no=f"WU-{world.next()}",
    )
    world.log.platforms[platform.pk]["events"].append(("upgrade", on, level))


def revoke_platform(world: World, platform, on: dt.date):
    platform_services.platform_transition(
        platform=platform,
        action=PlatformAction.REVOKE,
        user=world.bureau,
        effective_on=on,
        comment="考核不合格",
    )
    world.log.platforms[platform.pk]["events"].append(("revoke", on, None))


# --------------------------------------------------------------------------------- enterprises, 高企


def _enterprise(world: World, county: Region, *, figures_year: int | None = None):
    enterprise = EnterpriseFactory(region=county, name=f"世界企业{world.next()}")
    if figures_year is not None:
        EnterpriseYearFactory(enterprise=enterprise, year=figures_year)
    return enterprise


def admit_sme(world: World, county: Region, on: dt.date):
    """A 科小 evaluation submitted 35 days before `on`, reviewed, publicised and admitted (入库) on `on`."""
    submitted = on - dt.timedelta(days=35)
    enterprise = _enterprise(world, county, figures_year=submitted.year - 1)
    evaluation = enterprise_services.smes_evaluation_create(
        enterprise=enterprise, year=submitted.year, actor=world.bureau, submitted_on=submitted
    )
    for action, day in (("review_pass", submitted), ("start_publicity", submitted + dt.timedelta(days=1))):
        enterprise_services.smes_transition(evaluation=evaluation, action=action, actor=world.bureau, on=day)
    enterprise_services.smes_transition(evaluation=evaluation, action="admit", actor=world.bureau, on=on)
    evaluation.refresh_from_db()
    world.records[("sme", evaluation.pk)] = evaluation
    world.log.smes[evaluation.pk] = {
        "name": enterprise.name,
        "number": evaluation.registration_number,
        "region": rid(county),
        "admit": on,
        "revoke": None,
    }
    return evaluation


def revoke_sme(world: World, evaluation, on: dt.date):
    enterprise_services.smes_transition(
        evaluation=evaluation, action="revoke", actor=world.bureau, on=on, comment="抽查不实"
    )
    world.log.smes[evaluation.pk]["revoke"] = on


def admit_pool(world: World, county: Region, on: dt.date):
    """A 高企培育库 entry recommended ten days before `on` and admitted (入库) on `on`."""
    enterprise = _enterprise(world, county)
    entry = enterprise_services.pool_recommend(
        enterprise=enterprise, actor=world.bureau, on=on - dt.timedelta(days=10)
    )
    enterprise_services.pool_transition(entry=entry, action="admit", actor=world.bureau, year=on.year, on=on)
    world.records[("pool", entry.pk)] = entry
    world.log.pool[entry.pk] = {"region": rid(county), "admit": on}
    return entry


def issue_certificate(world: World, county: Region, issued_on: dt.date):
    enterprise = _enterprise(world, county)
    certificate = enterprise_services.certificate_create(
        enterprise=enterprise,
        number=f"GR{issued_on.year}14{world.next():06d}",
        issued_on=issued_on,
        actor=world.bureau,
    )
    world.records[("certificate", certificate.pk)] = certificate
    world.log.certificates[certificate.pk] = {
        "enterprise": enterprise.pk,
        "region": rid(county),
        "issued": certificate.issued_on,
        "expires": certificate.expires_on,
        "revoked": None,
    }
    return certificate


def revoke_certificate(world: World, certificate: GaoqiCertificate, on: dt.date):
    """取消资格 on `on`: a dated act (GaoqiCertificate.revoked_on, services.certificate_revoke)."""
    enterprise_services.certificate_revoke(
        certificate=certificate, revoked_on=on, user=world.bureau, reason="取消资格"
    )
    world.log.certificates[certificate.pk]["revoked"] = on


# --------------------------------------------------------------------------------------------- experts


def expert_fields() -> list[ExpertField]:
    return [
        ExpertField.objects.get_or_create(name=name)[0] for name in ("世界领域甲", "世界领域乙", "世界领域丙")
    ]


def admit_expert(
    world: World, county: Region | None, on: dt.date, *, fields: list[ExpertField] | None = None
):
    """An expert admitted (入库) on `on`; county None: an expert from outside the city (市外)."""
    n = world.next()
    number = make_id_number(50_000 + n)
    fields = fields or expert_fields()[:1]
    expert = expert_services.expert_create(
        name=f"世界专家{n}",
        gender=Expert.Gender.MALE if int(number[16]) % 2 else Expert.Gender.FEMALE,
        id_number=number,
        employer=_org(world, region=county),
        title=Expert.Title.SENIOR,
        fields=fields,
        admitted_on=on,
        county=county,
        user=world.bureau,
    )
    world.records[("expert", expert.pk)] = expert
    world.log.experts[expert.pk] = {
        "region": rid(county),
        "fields": [f.name for f in fields],
        "events": [("admit", on)],
    }
    return expert


def exit_expert(world: World, expert, on: dt.date):
    expert.refresh_from_db()
    expert_services.expert_set_state(
        expert=expert, state=Expert.State.EXITED, on=on, reason="本人申请出库", user=world.bureau
    )
    world.log.experts[expert.pk]["events"].append(("exit", on))


def readmit_expert(world: World, expert, on: dt.date):
    expert.refresh_from_db()
    expert_services.expert_set_state(
        expert=expert, state=Expert.State.ACTIVE, on=on, reason="重新入库", user=world.bureau
    )
    world.log.experts[expert.pk]["events"].append(("readmit", on))


# ------------------------------------------------------------------------- 科技特派团/员, 科技副总


def create_team(world: World, counties: list[Region], members: list[Region], *, year: int | None = None):
    """A team of `year` (default the world's year) serving `counties`, one member per entry of `members`
    (each the member's county, which must be one the team serves)."""
    year = year or world.year
    team = CommissionerTeam(name=f"世界特派团{world.next()}", year=year, industries="农业")
    expert_services.commissioner_team_save(team=team, counties=counties, user=world.bureau)
    for county in members:
        expert_services.commissioner_save(
            commissioner=Commissioner(
                team=team,
                name=f"世界特派员{world.next()}",
                employer=_org(world, region=county),
                title=Expert.Title.SENIOR,
                county=county,
                industry="农业",
            ),
            user=world.bureau,
        )
    world.log.teams[team.pk] = {
        "year": year,
        "counties": [c.pk for c in counties],
        "members": [rid(c) for c in members],
    }
    return team


def place_vice_president(world: World, county: Region | None, *, year: int | None = None, university=None):
    """A 科技副总 candidate (拟任) of `year` for `county` (None: 市外/未派驻)."""
    year = year or world.year
    university = university or _org(world, kind=Organization.Kind.UNIVERSITY, prefix="大学")
    placement = VicePresidentPlacement(
        name=f"世界副总{world.next()}",
        title=Expert.Title.SENIOR,
        university=university,
        county=county,
        year=year,
    )
    expert_services.vice_president_save(placement=placement, user=world.bureau)
    world.log.vice_presidents[placement.pk] = {
        "year": year,
        "region": rid(county),
        "university": university.pk,
    }
    return placement


# ------------------------------------------------------------------------------------- 省校合作


def cooperation(world: World, county: Region, kind: str, on: dt.date):
    """A 成果转化基地 landed on `on`, or an 产业园 finished on `on`."""
    university = _org(world, kind=Organization.Kind.UNIVERSITY, prefix="大学")
    project = CooperationProject(
        title=f"世界省校合作{world.next()}",
        region=county,
        university=university,
        kind=kind,
        task_year=on.year,
        signed_on=on - dt.timedelta(days=60),
    )
    if kind == CooperationProject.Kind.TRANSFER_BASE:
        project.state, project.landed_on = CooperationProject.State.LANDED, on
    else:
        project.state = CooperationProject.State.FINISHED
        project.landed_on, project.finished_on = on - dt.timedelta(days=30), on
    project_services.cooperation_project_save(project=project, user=world.bureau)
    world.log.cooperation[project.pk] = {
        "region": rid(county),
        "kind": kind,
        "landed": project.landed_on,
        "finished": project.finished_on,
    }
    return project


# ------------------------------------------------------------------------------------------ projects


def _call(world: World, year: int):
    from projects.models import Call

    programme = Programme.objects.get_or_create(code="WLD", defaults={"name": "世界计划"})[0]
    call, _ = Call.objects.get_or_create(
        programme=programme,
        year=year,
        defaults={
            "title": f"{year}年世界计划",
            "opens_on": dt.date(year, 1, 1),
            "closes_on": dt.date(year, 12, 31),
        },
    )
    return call


def _close_panel(project: Project) -> None:
    """A closed expert review panel with a score for the project (reference data: the experts app's own
    tests cover the draw; a panel is not a figure)."""
    from experts.services import review_panel_recorded
    from projects.models import REVIEW_CRITERIA

    review_panel_recorded(
        subject=project,
        title=project.title,
        applicant=project.applicant,
        criteria=REVIEW_CRITERIA,
        size=5,
        result=Decimal("86.50"),
    )


def _transition(world: World, project: Project, action: str, on: dt.date, **kwargs) -> Project:
    if _accepts(project_services.project_transition, "effective_on"):
        kwargs["effective_on"] = on
    with on_day(on):
        return project_services.project_transition(
            project=project, action=action, user=world.bureau, **kwargs
        )


def apply_project(world: World, county: Region | None, call_year: int, on: dt.date, *, requested=None):
    """An application (申报) to the world's call of `call_year`, entered on `on`."""
    n = world.next()
    requested = requested or Decimal("300000.00")
    kwargs = {}
    with on_day(on):
        project = project_services.project_create(
            user=world.bureau,
            call=_call(world, call_year),
            title=f"世界项目{n}",
            applicant=_org(world, region=county),
            region=county,
            pi_name="张研究",
            pi_mobile=f"138{n:08d}",
            start_date=on,
            end_date=on + dt.timedelta(days=730),
            requested_grant=requested,
            **kwargs,
        )
    world.records[("project", project.pk)] = project
    world.log.projects[project.pk] = {
        "region": rid(county),
        "call_year": call_year,
        "submitted": on,
        "approve": None,
        "closed": None,
        "changes": [],
        "payments": [],
    }
    return project


def approve_project(world: World, project: Project, on: dt.date, *, granted: Decimal):
    """受理 and 评审 the day before, 立项 on `on` with `granted` city money."""
    before = max(on - dt.timedelta(days=1), world.log.projects[project.pk]["submitted"])
    _transition(world, project, ProjectAction.ACCEPT, before)
    _transition(world, project, ProjectAction.START_REVIEW, before)
    _close_panel(project)
    _transition(world, project, ProjectAction.APPROVE, on, granted=granted)
    world.log.projects[project.pk]["approve"] = (on, granted)
    return project


def reject_project(world: World, project: Project, on: dt.date):
    _transition(world, project, ProjectAction.REJECT, on, comment="不符合申报条件")
    world.log.projects[project.pk]["closed"] = on


def withdraw_project(world: World, project: Project, on: dt.date):
    _transition(world, project, ProjectAction.WITHDRAW, on, comment="单位撤回")
    world.log.projects[project.pk]["closed"] = on


def not_approve_project(world: World, project: Project, on: dt.date):
    _transition(world, project, ProjectAction.ACCEPT, on)
    _transition(world, project, ProjectAction.START_REVIEW, on)
    _close_panel(project)
    _transition(world, project, ProjectAction.NOT_APPROVE, on, comment="评审未通过")
    world.log.projects[project.pk]["closed"] = on


def pay(world: World, project: Project, amount: Decimal, on: dt.date):
    project_services.disbursement_create(
        project=project, user=world.bureau, paid_on=on, amount=amount, voucher=f"W{world.next()}"
    )
    world.log.projects[project.pk]["payments"].append((on, amount))


def approve_budget_change(world: World, project: Project, new_grant: Decimal, on: dt.date):
    """A 经费变更 requested and approved on `on`: the city grant becomes `new_grant`."""
    with on_day(on):
        request = project_services.change_request_create(
            project=project,
            user=world.bureau,
            kind=ChangeRequest.Kind.BUDGET,
            reason="调整预算",
            new_city_grant=new_grant,
        )
        kwargs = (
            {"effective_on": on} if _accepts(project_services.change_request_decide, "effective_on") else {}
        )
        project_services.change_request_decide(
            change_request=request, user=world.bureau, approve=True, comment="同意", **kwargs
        )
    world.log.projects[project.pk]["changes"].append((on, new_grant))


def paid_so_far(world: World, project: Project) -> Decimal:
    return sum((amount for _, amount in world.log.projects[project.pk]["payments"]), Decimal("0"))


def grant_now(world: World, project: Project) -> Decimal:
    entry = world.log.projects[project.pk]
    return entry["changes"][-1][1] if entry["changes"] else entry["approve"][1]


# ------------------------------------------------------------------------------------------- filings


def deadline(year: int, month: int) -> dt.datetime:
    return reporting_rules.filing_deadline(year, month)


def cutoff(year: int, month: int) -> dt.datetime:
    """DEFINITIONS: the end of the month in which the month's deadline falls (Asia/Shanghai)."""
    local = (deadline(year, month) - dt.timedelta(microseconds=1)).astimezone(SHANGHAI)
    ny, nm = reporting_rules.next_month(local.year, local.month)
    return dt.datetime(ny, nm, 1, tzinfo=SHANGHAI)


FILING_MODES = (
    "on_time",
    "confirmed",
    "late",
    "after_cutoff",
    "returned_never_resent",
    "resent",
    "late_resend",
)


def file_month(world: World, county: Region, year: int, month: int, mode: str):
    """The county's filing of (year, month), the way `mode` says:
    on_time / confirmed — 报送 before the deadline (and 确认); late — 解锁 and 报送 after the deadline,
    before the cutoff; after_cutoff — 解锁 and 报送 after the cutoff; returned_never_resent — 报送 on time,
    退回, never resent; resent — 退回 and resent before the cutoff; late_resend — 退回 and resent after the
    cutoff."""
    user = world.county_user(county)
    due, end = deadline(year, month), cutoff(year, month)
    events: list[tuple[str, dt.datetime]] = []

    def save(now):
        return reporting_services.filing_save(
            actor=user, year=year, month=month, key_progress="本月推进重点工作。", now=now
        )

    def reopen(now):
        reporting_services.filing_reopen(
            actor=world.bureau,
            region=county,
            year=year,
            month=month,
            reason="补报",
            expires_at=now + dt.timedelta(days=3),
            now=now,
        )

    def submit(filing, now, action="submit"):
        reporting_services.filing_submit(actor=user, filing=filing, now=now)
        events.append((action, now))

    if mode in ("late", "after_cutoff"):
        start = due + dt.timedelta(days=2) if mode == "late" else end + dt.timedelta(days=2)
        reopen(start)
        filing = save(start + dt.timedelta(hours=1))
        submit(filing, start + dt.timedelta(hours=2))
    else:
        filing = save(due - dt.timedelta(days=3))
        submit(filing, due - dt.timedelta(days=2))
        if mode == "confirmed":
            reporting_services.filing_confirm(
                actor=world.bureau, filing=filing, now=due + dt.timedelta(days=1)
            )
            events.append(("confirm", due + dt.timedelta(days=1)))
        elif mode in ("returned_never_resent", "resent", "late_resend"):
            reporting_services.filing_return(
                actor=world.bureau, filing=filing, reason="内容不全", now=due + dt.timedelta(days=1)
            )
            events.append(("return", due + dt.timedelta(days=1)))
            if mode == "resent":
                submit(filing, due + dt.timedelta(days=4), "resubmit")
            elif mode == "late_resend":
                submit(filing, end + dt.timedelta(days=5), "resubmit")
    world.records[("filing", filing.pk)] = filing
    world.log.filings[(county.pk, year, month)] = {"events": events}
    return filing


def resend_filing(world: World, filing, now: dt.datetime):
    """A returned filing resent at `now`."""
    reporting_services.filing_submit(actor=world.county_user(filing.region), filing=filing, now=now)
    world.log.filings[(filing.region_id, filing.year, filing.month)]["events"].append(("resubmit", now))


# --------------------------------------------------------------------------------------- random worlds


def build_random_world(
    draw: Draw, *, year: int, counties: int = 2, most: int = 3, last: dt.date | None = None
):
    """A world with 0–`most` records of each kind per county (and a few without a county), with dates
    from 1 January of year−1 up to `last` (default 30 November of year+1, before the real today)."""
    world = new_world(year=year, counties=counties, draw=draw)
    first = dt.date(year - 1, 1, 15)
    last = last or dt.date(year + 1, 10, 31)
    types = platform_types()
    fields = expert_fields()

    def some() -> int:
        return draw.randint(0, most)

    def day(lo=first, hi=last) -> dt.date:
        return draw_date(draw, lo, hi)

    def maybe_later(after: dt.date, hi=last) -> dt.date | None:
        if after + dt.timedelta(days=10) >= hi or not draw.randint(0, 1):
            return None
        return day(after + dt.timedelta(days=5), hi)

    places: list[Region | None] = [*world.counties, None]
    for county in places:
        # Experts and 科技副总 may have no county (市外 / 未派驻); every other record has one.
        for _ in range(some()):
            expert = admit_expert(
                world,
                county,
                day(),
                fields=[fields[i] for i in sorted({draw.randint(0, 2), draw.randint(0, 2)})],
            )
            on = world.log.experts[expert.pk]["events"][-1][1]
            exited = maybe_later(on)
            if exited:
                exit_expert(world, expert, exited)
                back = maybe_later(exited)
                if back:
                    readmit_expert(world, expert, back)
        for _ in range(some()):
            place_vice_president(world, county, year=draw.choice([year - 1, year, year + 1]))
        if county is None:
            continue
        for _ in range(some()):
            platform = recognise_platform(
                world, county, day(), platform_type=draw.choice(types), registered=bool(draw.randint(0, 1))
            )
            on = world.log.platforms[platform.pk]["events"][-1][1]
            upgraded = maybe_later(on)
            if upgraded:
                upgrade_platform(
                    world, platform, upgraded, level=draw.choice([Level.PROVINCE, Level.NATIONAL])
                )
                on = upgraded
            revoked = maybe_later(on)
            if revoked:
                revoke_platform(world, platform, revoked)
        for _ in range(some()):
            _random_project(world, draw, county, day, maybe_later, last)
        for _ in range(some()):
            evaluation = admit_sme(world, county, day(first + dt.timedelta(days=40)))
            revoked = maybe_later(world.log.smes[evaluation.pk]["admit"])
            if revoked:
                revoke_sme(world, evaluation, revoked)
        for _ in range(some()):
            admit_pool(world, county, day(first + dt.timedelta(days=15)))
        for _ in range(some()):
            issued = day(dt.date(year - 3, 6, 1), last)
            certificate = issue_certificate(world, county, issued)
            revoked = maybe_later(issued)
            if revoked:
                revoke_certificate(world, certificate, revoked)
        for _ in range(some()):
            kind = draw.choice(
                [CooperationProject.Kind.TRANSFER_BASE, CooperationProject.Kind.INDUSTRIAL_PARK]
            )
            cooperation(world, county, kind, day(first + dt.timedelta(days=90)))
        for _ in range(some()):
            served = [county, *[c for c in world.counties if c != county and draw.randint(0, 1)]]
            members = [draw.choice(served) for _ in range(draw.randint(0, 3))]
            create_team(world, served, members, year=draw.choice([year - 1, year, year + 1]))
        months = list(range(1, 13))
        for _ in range(some() * 2):
            month = months.pop(draw.randint(0, len(months) - 1))
            file_month(world, county, year, month, draw.choice(FILING_MODES))
    return world


def _random_project(world: World, draw: Draw, county, day, maybe_later, last: dt.date) -> None:
    call_year = draw.choice([world.year - 1, world.year, world.year + 1])
    submitted = day(dt.date(call_year, 1, 5), min(dt.date(call_year, 10, 31), last))
    project = apply_project(world, county, call_year, submitted)
    fate = draw.randint(0, 5)
    if fate == 0:
        withdraw_project(world, project, submitted + dt.timedelta(days=1))
        return
    if fate == 1:
        reject_project(world, project, submitted + dt.timedelta(days=1))
        return
    if fate == 2:
        not_approve_project(world, project, submitted + dt.timedelta(days=2))
        return
    if fate == 3:
        return  # still waiting
    approved = day(submitted + dt.timedelta(days=3), min(submitted + dt.timedelta(days=200), last))
    granted = Decimal(draw.randint(10, 40) * 10_000)
    approve_project(world, project, approved, granted=granted)
    on = approved
    for _ in range(draw.randint(0, 3)):
        later = maybe_later(on)
        if later is None:
            break
        on = later
        if draw.randint(0, 2) == 0:
            floor = paid_so_far(world, project)
            approve_budget_change(world, project, floor + Decimal(draw.randint(5, 40) * 10_000), on)
        else:
            room = grant_now(world, project) - paid_so_far(world, project)
            if room >= 10_000:
                pay(world, project, Decimal(draw.randint(1, int(room // 10_000)) * 10_000), on)


def build_fixed_world(*, year: int, seed: int = 20251231, last: dt.date | None = None) -> World:
    """A deterministic world: a seeded random one (three counties) plus one record of each case the
    definitions single out, all dated on or before `last` (default 31 October of year+1)."""
    import random

    world = build_random_world(random.Random(seed), year=year, counties=3, most=3, last=last)
    a, b, c = world.counties
    y = year
    types = platform_types()
    fields = expert_fields()
    # Platforms: recognised and upgraded in Y; recognised in Y-1 (another type); registered as recognised
    # in Y and revoked in Y (still counted).
    platform = recognise_platform(world, a, dt.date(y, 3, 2), platform_type=types[-1])
    upgrade_platform(world, platform, dt.date(y, 9, 1))
    recognise_platform(world, b, dt.date(y - 1, 5, 6), platform_type=types[1 % len(types)])
    platform = recognise_platform(world, b, dt.date(y, 4, 1), registered=True)
    revoke_platform(world, platform, dt.date(y, 10, 9))
    recognise_platform(world, c, dt.date(y, 7, 7))
    # 科小: admitted in Y and revoked in Y (not counted); admitted in January Y on a Y-1 evaluation.
    evaluation = admit_sme(world, a, dt.date(y, 6, 3))
    revoke_sme(world, evaluation, dt.date(y, 11, 4))
    admit_sme(world, b, dt.date(y, 1, 20))
    # 高企: issued in Y-3 (expired before D), revoked in Y (not valid at D).
    issue_certificate(world, a, dt.date(y - 3, 3, 1))
    certificate = issue_certificate(world, c, dt.date(y - 1, 8, 1))
    revoke_certificate(world, certificate, dt.date(y, 5, 5))
    # Experts: a field admitted only in Y-1 (市外); exited in Y-1 and re-admitted in Y.
    admit_expert(world, None, dt.date(y - 1, 7, 1), fields=[fields[2]])
    expert = admit_expert(world, a, dt.date(y - 1, 3, 1), fields=[fields[0]])
    exit_expert(world, expert, dt.date(y - 1, 9, 1))
    readmit_expert(world, expert, dt.date(y, 2, 2))
    # Projects: a Y-1 call approved in Y, paid and its budget changed in Y; a Y call still pending at D.
    project = apply_project(world, b, y - 1, dt.date(y - 1, 11, 3))
    approve_project(world, project, dt.date(y, 1, 13), granted=Decimal("300000"))
    pay(world, project, Decimal("100000"), dt.date(y, 3, 3))
    approve_budget_change(world, project, Decimal("250000"), dt.date(y, 6, 2))
    apply_project(world, c, y, dt.date(y, 9, 1))
    # Teams: one serving two counties, one without members, one of Y-1.
    create_team(world, [a, b], [a, b, b])
    create_team(world, [c], [])
    create_team(world, [c], [c], year=y - 1)
    place_vice_president(world, None)
    # Filings of county c: every mode, on free months.
    free = [m for m in range(1, 13) if (c.pk, y, m) not in world.log.filings]
    for month, mode in zip(free, FILING_MODES, strict=False):
        file_month(world, c, y, month, mode)
    return world


# ------------------------------------------------------------------------------------------- expected


def _in(day: dt.date | None, year: int) -> bool:
    return day is not None and day.year == year


@dataclass
class Expected:
    """The figures for one year by the definitions: value and per region (None: no county)."""

    year: int
    values: dict[str, Any] = field(default_factory=dict)
    by_region: dict[str, dict[int | None, Any]] = field(default_factory=dict)
    appendix_platforms: set[tuple[str, str, str]] = field(default_factory=set)
    appendix_smes: set[tuple[str, str]] = field(default_factory=set)
    platforms_by_type: Counter = field(default_factory=Counter)
    experts_by_field: Counter = field(default_factory=Counter)
    filings: dict[int, dict[str, int]] = field(default_factory=dict)
    filing_totals: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, region: int | None, amount=1) -> None:
        self.by_region.setdefault(key, defaultdict(int))[region] += amount


def expected(world: World, *, year: int, now: dt.datetime | None = None) -> Expected:
    """Every figure of `year` from the log, by DEFINITIONS.md (D = 31 December of `year`)."""
    log, d = world.log, dt.date(year, 12, 31)
    exp = Expected(year=year)
    for key in ADDITIVE_KEYS:
        exp.by_region[key] = defaultdict(int)
    exp.by_region["commissioner_teams"] = defaultdict(int)

    for p in log.platforms.values():
        recognitions = [e for e in p["events"] if e[0] == "recognise" and _in(e[1], year)]
        if recognitions:
            _, on, level = recognitions[0]
            exp.add("platforms", p["region"])
            exp.appendix_platforms.add((p["name"], on.isoformat(), str(LEVEL_LABELS[level])))
            exp.platforms_by_type[p["type"]] += 1
        if any(e[0] == "upgrade" and _in(e[1], year) for e in p["events"]):
            exp.add("platforms_upgraded", p["region"])
    for s in log.smes.values():
        if _in(s["admit"], year) and not (s["revoke"] and s["revoke"] <= d):
            exp.add("smes", s["region"])
            exp.appendix_smes.add((s["name"], s["number"]))
    for e in log.pool.values():
        if _in(e["admit"], year):
            exp.add("pool", e["region"])
    valid_on = min(d, timezone.localdate())
    holders: dict[int, int | None] = {}
    for c in log.certificates.values():
        if c["issued"] <= valid_on <= c["expires"] and not (c["revoked"] and c["revoked"] <= valid_on):
            holders[c["enterprise"]] = c["region"]
    for region in holders.values():
        exp.add("gaoqi_valid", region)
    teams = [t for t in log.teams.values() if t["year"] == year]
    exp.values["commissioner_teams"] = len(teams)
    for t in teams:
        for county in t["counties"]:
            exp.add("commissioner_teams", county)
        for member in t["members"]:
            exp.add("commissioners", member)
    placements = [v for v in log.vice_presidents.values() if v["year"] == year]
    for v in placements:
        exp.add("vp_candidates", v["region"])
    exp.values["vp_universities"] = len({v["university"] for v in placements})
    for x in log.experts.values():
        if any(kind in ("admit", "readmit") and _in(on, year) for kind, on in x["events"]):
            exp.add("experts", x["region"])
            for name in x["fields"]:
                exp.experts_by_field[name] += 1
    for c in log.cooperation.values():
        if c["kind"] == CooperationProject.Kind.TRANSFER_BASE and _in(c["landed"], year):
            exp.add("transfer_bases", c["region"])
        if c["kind"] == CooperationProject.Kind.INDUSTRIAL_PARK and _in(c["finished"], year):
            exp.add("parks", c["region"])
    for p in log.projects.values():
        if p["call_year"] == year and p["submitted"] <= d:
            exp.add("projects_applied", p["region"])
        for on, amount in p["payments"]:
            if _in(on, year):
                exp.add("paid", p["region"], amount)
        if p["approve"] and _in(p["approve"][0], year):
            exp.add("projects", p["region"])
            grant = p["approve"][1]
            for on, new_grant in p["changes"]:
                if on <= d:
                    grant = new_grant
            exp.add("committed", p["region"], grant)
            exp.add(
                "paid_cumulative", p["region"], sum((a for on, a in p["payments"] if on <= d), Decimal(0))
            )
    for key in ADDITIVE_KEYS:
        exp.values[key] = sum(exp.by_region[key].values(), Decimal(0) if key in MONEY_KEYS else 0)
    _expected_filings(world, exp, year, now or timezone.now())
    return exp


def filing_state_at(
    events: list[tuple[str, dt.datetime]], moment: dt.datetime
) -> tuple[str, dt.datetime | None]:
    state, first = "draft", None
    for action, at in sorted(events, key=lambda e: e[1]):
        if at > moment:
            break
        if action in ("submit", "resubmit"):
            state = "submitted"
            first = first or at
        elif action == "confirm":
            state = "confirmed"
        elif action == "return":
            state = "returned"
    return state, first


def _expected_filings(world: World, exp: Expected, year: int, now: dt.datetime) -> None:
    regions = list(Region.objects.county_level().values_list("pk", flat=True))
    months = [m for m in range(1, 13) if now >= deadline(year, m)]
    for region in regions:
        row = dict.fromkeys(("expected", "filed", "on_time", "late", "missing", "returned"), 0)
        row["expected"] = len(months)
        for month in months:
            entry = world.log.filings.get((region, year, month))
            if entry is None:
                continue
            state, first = filing_state_at(entry["events"], min(now, cutoff(year, month)))
            if state in ("submitted", "confirmed"):
                row["filed"] += 1
                row["on_time" if first < deadline(year, month) else "late"] += 1
            elif state == "returned":
                row["returned"] += 1
        row["missing"] = row["expected"] - row["filed"]
        exp.filings[region] = row
    exp.filing_totals = {key: sum(row[key] for row in exp.filings.values()) for key in FILING_KEYS}


# ------------------------------------------------------------------------------------------- compare


def _number(key: str, value):
    return Decimal(str(value)) if key in MONEY_KEYS else value


def compare(stats: dict, world: World) -> list[str]:
    """Every difference between `stats` (annual_statistics(year=world.year)) and the definitions, as
    readable lines (empty: all equal)."""
    year = world.year
    now_exp, before = expected(world, year=year), expected(world, year=year - 1)
    problems: list[str] = []
    figures = {f["key"]: f for f in stats["figures"]}
    for key in FIGURE_KEYS:
        figure = figures.get(key)
        if figure is None:
            problems.append(f"figures[{key}]: missing from stats['figures'] (expected {now_exp.values[key]})")
            continue
        for which, exp in (("value", now_exp), ("previous", before)):
            got = _number(key, figure.get(which))
            if got != exp.values[key]:
                problems.append(f"figures[{key}].{which}: got {got}, expected {exp.values[key]}")
    regions = {r.pk: r.name for r in Region.objects.county_level()}
    rows = {row.get("region_id"): row for row in stats.get("counties", [])}
    for region_id in [*regions, None]:
        row = rows.get(region_id)
        nonzero = any(now_exp.by_region[key].get(region_id) for key in ADDITIVE_KEYS)
        if row is None:
            if region_id is not None or nonzero:
                problems.append(f"counties[{region_id}]: row missing (expected one)")
            continue
        if region_id is None and row.get("region") != NO_COUNTY_LABEL:
            problems.append(f"counties[None]: label {row.get('region')!r}, expected {NO_COUNTY_LABEL!r}")
        for key in ADDITIVE_KEYS:
            want = now_exp.by_region[key].get(region_id, 0)
            if key not in row:
                problems.append(f"counties[{region_id}].{key}: missing (expected {want})")
            elif _number(key, row[key]) != want:
                problems.append(f"counties[{region_id}].{key}: got {row[key]}, expected {want}")
        if "commissioner_teams" in row and region_id is not None:
            want = now_exp.by_region["commissioner_teams"].get(region_id, 0)
            if row["commissioner_teams"] != want:
                problems.append(
                    f"counties[{region_id}].commissioner_teams: "
                    f"got {row['commissioner_teams']}, expected {want}"
                )
    appendix = stats.get("appendix", {})
    got_platforms = {(p["name"], p["recognised_on"], p["level"]) for p in appendix.get("platforms", [])}
    if got_platforms != now_exp.appendix_platforms:
        problems.append(
            f"appendix.platforms: extra {sorted(got_platforms - now_exp.appendix_platforms)}, "
            f"missing {sorted(now_exp.appendix_platforms - got_platforms)}"
        )
    got_smes = {(s["name"], s["number"]) for s in appendix.get("smes", [])}
    if got_smes != now_exp.appendix_smes:
        problems.append(
            f"appendix.smes: extra {sorted(got_smes - now_exp.appendix_smes)}, "
            f"missing {sorted(now_exp.appendix_smes - got_smes)}"
        )
    by_type_now = Counter()
    by_type_before = Counter()
    for row in stats.get("platforms_by_type", []):
        by_type_now[row["platform_type"]] += row["count"]
        by_type_before[row["platform_type"]] += row["previous"]
    for which, got, want in (
        ("count", by_type_now, now_exp.platforms_by_type),
        ("previous", by_type_before, before.platforms_by_type),
    ):
        if +got != +want:
            problems.append(f"platforms_by_type.{which}: got {dict(+got)}, expected {dict(+want)}")
    fields_now = {row["field"]: (row["count"], row["previous"]) for row in stats.get("experts_by_field", [])}
    fields_want = {
        name: (now_exp.experts_by_field[name], before.experts_by_field[name])
        for name in set(now_exp.experts_by_field) | set(before.experts_by_field)
    }
    if {k: v for k, v in fields_now.items() if v != (0, 0)} != fields_want:
        problems.append(f"experts_by_field: got {fields_now}, expected {fields_want}")
    totals = stats.get("timeliness_totals", {})
    for key in FILING_KEYS:
        if totals.get(key) != now_exp.filing_totals[key]:
            problems.append(
                f"timeliness_totals.{key}: got {totals.get(key)}, expected {now_exp.filing_totals[key]}"
            )
    for row in stats.get("timeliness", []):
        want = now_exp.filings.get(row["region_id"])
        for key in (*FILING_KEYS, "returned"):
            if want is not None and row.get(key) != want[key]:
                problems.append(
                    f"timeliness[{row['region_id']}].{key}: got {row.get(key)}, expected {want[key]}"
                )
    return problems
