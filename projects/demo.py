"""Demo data of the projects app (`manage.py seed_demo`): programmes, the 2022–2024 calls and a call open
now, plan projects in varied states across the counties (built through the services, so each carries its
timeline, review panel, money and reports), 忻州师范学院 as the second-batch 包干制 pilot, and the 省校合作
projects whose 2023 figures are the bureau's review: 22 高校科技成果转化基地 projects landed and 4 产业园
finished.

The names, units, topics, outcomes, figures and dates are in data/demo.json; this module keeps the how.
Idempotent: each part is skipped when its records exist. Reproducible: one fixed random seed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kejiju.accounts.models import Region, User
from kejiju.core import demodata
from kejiju.core.models import Organization
from kejiju.core.services import organization_for_name

from . import services
from .models import (
    REVIEW_CRITERIA,
    Achievement,
    AchievementTransfer,
    Call,
    CooperationProject,
    LumpSumPilot,
    OwnershipGrant,
    OwnershipPilot,
    Programme,
    Project,
)
from .rules import Action, State

SEED = 2023
CENT = Decimal("0.01")

PATHS = {
    State.SUBMITTED: [],
    State.WITHDRAWN: [Action.WITHDRAW],
    State.REJECTED: [Action.REJECT],
    State.ACCEPTED: [Action.ACCEPT],
    State.REVIEW: [Action.ACCEPT, Action.START_REVIEW],
    State.NOT_APPROVED: [Action.ACCEPT, Action.START_REVIEW, "panel", Action.NOT_APPROVE],
    State.APPROVED: [Action.ACCEPT, Action.START_REVIEW, "panel", Action.APPROVE],
}
_RUN = [*PATHS[State.APPROVED], Action.SIGN_CONTRACT]
PATHS.update(
    {
        State.EXECUTING: _RUN,
        State.SUSPENDED: [*_RUN, Action.SUSPEND],
        State.TERMINATED: [*_RUN, Action.TERMINATE],
        State.EVALUATION: [*_RUN, Action.START_EVALUATION],
        State.ACCEPTANCE: [*_RUN, Action.START_EVALUATION, Action.START_ACCEPTANCE],
        State.CONCLUDED: [*_RUN, Action.START_EVALUATION, Action.START_ACCEPTANCE, Action.PASS],
        State.ARCHIVED: [
            *_RUN,
            Action.START_EVALUATION,
            Action.START_ACCEPTANCE,
            Action.PASS,
            Action.ARCHIVE,
        ],
    }
)
# A valid PDF of one blank A4 page (an expert reading a demo project's 申报书 gets it marked with their name).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
    b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
    b"startxref\n164\n%%EOF\n"
)


def _org(name: str, kind: str, region: Region | None) -> Organization:
    return organization_for_name(name=name, kind=kind, region=region)


def _staff() -> User:
    user = User.objects.filter(username="bureau").first()
    if user is None:
        raise RuntimeError("seed_demo: the demo bureau account is missing (accounts seed runs first)")
    return user


def seed_demo_projects(*, stdout=None) -> None:
    rng = random.Random(SEED)
    data = demodata.read("projects")
    staff = _staff()
    regions = {region.code: region for region in Region.objects.county_level()}
    programmes = _programmes(data["programmes"])
    calls = _calls(programmes)
    units = {
        code: [_org(unit["name"], unit["kind"], regions[code]) for unit in names]
        for code, names in data["units"].items()
        if code in regions
    }
    for pilot in data["lump_sum_pilots"]:
        org = Organization.objects.filter(name=pilot["name"]).order_by("pk").first()
        if org is not None:
            LumpSumPilot.objects.get_or_create(
                organization=org,
                defaults={"batch": pilot["batch"], "since_year": pilot["since_year"], "note": pilot["note"]},
            )
    made = 0
    if not Project.objects.filter(call__in=calls).exists():
        made = _projects(rng, data, staff=staff, calls=calls, units=units)
    coop = 0
    if not CooperationProject.objects.exists():
        coop = _cooperation(rng, data, regions=regions, staff=staff)
    achievements = seed_demo_ownership(staff=staff)
    if stdout is not None:
        stdout.write(
            f"科技计划项目：{len(programmes)} 个计划类别，{len(calls)} 个申报批次，新建项目 {made} 个，"
            f"省校合作项目 {coop} 个，赋权试点新登记成果 {achievements} 项。"
        )


def _programmes(specs: list[dict]) -> list[Programme]:
    result = []
    for order, spec in enumerate(specs, start=1):
        programme, _ = Programme.objects.get_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "description": spec["description"], "sort_order": order * 10},
        )
        result.append(programme)
    return result


def _calls(programmes: list[Programme]) -> list[Call]:
    today = timezone.localdate()
    calls = []
    for year in (2022, 2023, 2024):
        for programme in programmes:
            call, _ = Call.objects.get_or_create(
                programme=programme,
                year=year,
                title=f"{year}年度忻州市{programme.name}项目",
                defaults={
                    "opens_on": dt.date(year, 3, 1),
                    "closes_on": dt.date(year, 4, 15),
                    "review_by": dt.date(year, 6, 15),
                },
            )
            calls.append(call)
    # A call open now, so that county offices can enter applications in the demo.
    for programme in programmes[:2]:
        call, _ = Call.objects.get_or_create(
            programme=programme,
            year=today.year,
            title=f"{today.year}年度忻州市{programme.name}项目（集中申报）",
            defaults={
                "opens_on": today - dt.timedelta(days=30),
                "closes_on": today + dt.timedelta(days=45),
                "review_by": today + dt.timedelta(days=90),
            },
        )
        calls.append(call)
    return calls


def _close_panel(project: Project, *, staff: User, rng: random.Random, low: bool) -> None:
    """A review panel through the expert library; a recorded closed panel when the library lacks
    experts in the fields (so that the demo does not depend on the library's size)."""

    from experts import services as expert_services
    from experts.models import ExpertField, ReviewMember

    base = 52 if low else 74
    fields = list(ExpertField.objects.filter(name__in=("电子信息", "新材料", "新能源")))
    try:
        panel = expert_services.review_panel_create(
            subject=project,
            title=project.review_title(),
            applicant=project.review_applicant(),
            fields=fields,
            size=5,
            reserves=2,
            criteria=REVIEW_CRITERIA,
            drop_extremes=True,
            user=staff,
            seed=f"demo-{project.number}",
        )
        seated = [m for m in ReviewMember.objects.filter(panel=panel).order_by("position") if m.is_seated]
        for member in seated:
            expert_services.review_member_confirm(member=member, user=staff)
        for member in seated:
            total = base + rng.randint(0, 18)
            marks = _split(total)
            expert_services.review_scores_enter(member=member, scores=marks, user=staff)
        expert_services.review_panel_close(panel=panel, user=staff)
    except ValidationError:
        # A library too small to draw from: the panel's closed record as the bureau kept it on paper.
        expert_services.review_panel_recorded(
            subject=project,
            title=project.review_title(),
            applicant=project.applicant,
            criteria=REVIEW_CRITERIA,
            size=5,
            result=Decimal(base + rng.randint(0, 18)),
            user=staff,
        )


def _split(total: int) -> dict[str, int]:
    """Spread a total over the five criteria in proportion to their maxima (25/25/20/20/10)."""
    marks = {c["key"]: c["max_score"] * total // 100 for c in REVIEW_CRITERIA}
    marks["innovation"] += total - sum(marks.values())
    return marks


def _projects(rng: random.Random, data: dict, *, staff: User, calls: list[Call], units: dict) -> int:
    outcomes_by_year = {int(year): states for year, states in data["outcomes"].items()}
    surnames, given_names = data["surnames"], data["given_names"]
    codes = sorted(units)
    regions_by_code = {region.code: region for region in Region.objects.filter(code__in=codes)}
    pilot_unit = next(org for org in units["140902"] if org.name == "忻州师范学院")
    count = 0
    serial = 0
    for call in calls:
        historic = call.year in outcomes_by_year
        outcomes = outcomes_by_year[call.year] if historic else data["current_outcomes"]
        topics = data["topics"][call.programme.code]
        for index, target in enumerate(outcomes):
            serial += 1
            code = codes[serial % len(codes)]
            applicant = rng.choice(units[code])
            if index == 0 and call.year in (2023, 2024) and call.programme.code in {"NYKJ", "RKX"}:
                code, applicant = "140902", pilot_unit  # the 包干制 pilot's own projects
            grant = Decimal(rng.choice([10, 15, 20, 30, 50, 80])) * 10000
            if call.programme.code == "RKX":
                grant = Decimal(rng.choice([3, 5, 8])) * 10000
            start = dt.date(call.year, 7, 1)
            years = 3 if call.year >= 2023 else 2
            topic = topics[(index + call.year) % len(topics)]
            project = services.project_create(
                user=staff,
                call=call,
                title=topic if historic else f"{topic}（{call.year}）",
                applicant=applicant,
                region=applicant.region or regions_by_code[code],
                pi_name=rng.choice(surnames) + rng.choice(given_names),
                pi_mobile=f"139{3500_0000 + serial:08d}",
                start_date=start,
                end_date=dt.date(call.year + years, 6, 30),
                requested_grant=grant,
                self_raised=grant * rng.choice([1, 2, 3]),
                summary=f"围绕{topic}开展研究与示范，形成可推广的技术方案。",
                effective_on=_on(call.opens_on + dt.timedelta(days=serial % 40)),
            )
            project = _advance(project, target, data, staff=staff, rng=rng)
            if call.year >= 2024:
                services.attachment_create(
                    project=project,
                    user=staff,
                    kind="application",
                    upload=SimpleUploadedFile(f"{project.number}申报书.pdf", PDF),
                )
            count += 1
    return count


def _on(day: dt.date) -> dt.date:
    """A step's date, never after today."""
    return min(day, timezone.localdate())


# When each step of the life cycle took effect, from the project (its call's dates and its term; `step_dates`
# of data/demo.json: so many days after which date): the demo's history reads as it happened, so the
# figures of a past year are those of that year.
def _planned(project: Project, step: str, step_dates: dict) -> dt.date:
    call = project.call
    anchors = {
        "closes_on": call.closes_on,
        "review_by": call.review_by,
        "start_date": project.start_date,
        "end_date": project.end_date,
    }
    rule = step_dates[step]
    return anchors[rule["after"]] + dt.timedelta(days=rule["days"])


def _step_date(project: Project, step: str, step_dates: dict) -> dt.date:
    """The planned date of `step`, not before the project's latest recorded step (a 年报 filed after the
    term ended moves the 绩效评估 after it), never after today."""
    from kejiju.core.workflow.selectors import events_for

    latest = events_for(project).values_list("effective_on", flat=True).last()
    planned = _planned(project, step, step_dates)
    return _on(max(planned, latest) if latest else planned)


def _advance(project: Project, target: str, data: dict, *, staff: User, rng: random.Random) -> Project:
    """Take the project along PATHS[target]: the steps' comments and dates from data/demo.json."""
    for step in PATHS[target]:
        if step == "panel":
            _close_panel(project, staff=staff, rng=rng, low=target == State.NOT_APPROVED)
            continue
        granted = None
        on = _step_date(project, step, data["step_dates"])  # before the contract's upload, a step of today
        if step == Action.SIGN_CONTRACT:
            services.attachment_create(
                project=project,
                user=staff,
                kind="contract",
                upload=SimpleUploadedFile(f"{project.number}任务书.pdf", PDF),
            )
        if step == Action.APPROVE:
            granted = (project.requested_grant * Decimal(rng.choice([80, 100, 100])) / 100).quantize(CENT)
        project = services.project_transition(
            project=project,
            action=step,
            user=staff,
            comment=data["comments"].get(step, ""),
            granted=granted,
            effective_on=on,
        )
        if step == Action.SIGN_CONTRACT:
            _running_records(project, target=target, staff=staff, rng=rng)
    return project


def _running_records(project: Project, *, target: str, staff: User, rng: random.Random) -> None:
    """While the project executes: money paid out, annual reports (some missing: the overdue page shows
    them), a 中期检查 and sometimes a 变更; `target` is the state the project will end in."""
    first = (project.city_grant * Decimal("0.6")).quantize(CENT)
    services.disbursement_create(
        project=project,
        user=staff,
        paid_on=project.start_date + dt.timedelta(days=45),
        amount=first,
        voucher=f"忻科拨〔{project.start_date.year}〕{rng.randint(10, 99)}号",
    )
    if target in {State.CONCLUDED, State.ARCHIVED, State.ACCEPTANCE, State.EVALUATION}:
        services.disbursement_create(
            project=project,
            user=staff,
            paid_on=project.end_date - dt.timedelta(days=60),
            amount=project.city_grant - first,
            voucher=f"忻科拨〔{project.end_date.year}〕{rng.randint(10, 99)}号",
        )
    last_year = min(project.end_date.year, timezone.localdate().year - 1)
    for year in range(project.start_date.year, last_year + 1):
        unfinished = target in {State.EXECUTING, State.SUSPENDED, State.TERMINATED}
        if unfinished and year == last_year and rng.random() < 0.5:
            continue  # not filed: shows on the overdue page
        services.annual_report_create(
            project=project,
            user=staff,
            year=year,
            filed_on=dt.date(year + 1, 3, rng.randint(1, 28)),
            progress=f"{year} 年度按任务书推进，完成阶段性试验与数据采集。",
            spent=(first / 2).quantize(Decimal("0.01")),
        )
    services.midterm_check_create(
        project=project,
        user=staff,
        checked_on=project.start_date + dt.timedelta(days=400),
        conclusion=rng.choice(["continue", "continue", "adjust"]),
        findings="进度基本符合任务书要求，经费使用规范。",
    )
    if target == State.EXECUTING and rng.random() < 0.5:
        asked = _on(project.start_date + dt.timedelta(days=500))
        request = services.change_request_create(
            project=project,
            user=staff,
            kind="dates",
            reason="关键设备到货延迟，申请延期半年",
            new_end_date=project.end_date + dt.timedelta(days=183),
            effective_on=asked,
        )
        if rng.random() < 0.5:
            services.change_request_decide(
                change_request=request,
                user=staff,
                approve=True,
                comment="同意延期",
                effective_on=_on(asked + dt.timedelta(days=20)),
            )


# ---------------------------------------------------------------------------------------- 省校合作


def _cooperation(rng: random.Random, data: dict, *, regions: dict, staff: User) -> int:
    """The 省校合作 projects of data/demo.json's `cooperation` rows (task year, kind, state, how many, landed
    and finished years); the 2023 rows are the review's figures."""
    universities = [_org(name, Organization.Kind.UNIVERSITY, None) for name in data["universities"]]
    codes = sorted(code for code in regions if code in data["units"])
    subjects = data["cooperation_subjects"]
    count = 0
    for row in data["cooperation"]:
        task_year, kind, state = row["task_year"], row["kind"], row["state"]
        landed, finished = row["landed_year"], row["finished_year"]
        for n in range(row["count"]):
            region = regions[codes[(count * 5 + n) % len(codes)]]
            university = universities[(count + n * 3) % len(universities)]
            subject = subjects[(count + n) % len(subjects)]
            kind_label = CooperationProject.Kind(kind).label
            signed = dt.date(task_year, rng.randint(2, 5), rng.randint(1, 28))
            landed_on = dt.date(landed, rng.randint(6, 11), rng.randint(1, 28)) if landed else None
            finished_on = None
            if finished:
                finished_on = dt.date(finished, 12, rng.randint(1, 20))
                if landed_on and finished_on < landed_on:
                    finished_on = landed_on
            project = CooperationProject(
                title=f"{university.name}{region.name}{subject}{kind_label}",
                region=region,
                university=university,
                kind=kind,
                state=state,
                task_year=task_year,
                signed_on=signed,
                landed_on=landed_on,
                finished_on=finished_on,
                investment=Decimal(rng.choice([50, 80, 120, 200, 500])) * 10000,
                note="按县区年度省校合作任务清单推进，逐月报送工作动态。",
            )
            services.cooperation_project_save(project=project, user=staff)
            count += 1
    return count


# ------------------------------------------------------------------------ 职务科技成果赋权 pilot


def seed_demo_ownership(*, staff: User) -> int:
    """The 赋权 pilot at 忻州师范学院 (also the 包干制 pilot: the two schemes stay apart), its achievements,
    grants and transfers (data/demo.json). Idempotent."""
    data = demodata.read("projects")
    spec = data["ownership_pilot"]
    organization = Organization.objects.filter(name=spec["name"]).order_by("pk").first()
    if organization is None:
        return 0
    pilot = OwnershipPilot.objects.filter(organization=organization).first()
    if pilot is None:
        pilot = services.ownership_pilot_save(
            pilot=OwnershipPilot(
                organization=organization,
                scheme=spec["scheme"],
                scheme_summary=spec["scheme_summary"],
                joined_on=demodata.date(spec["joined_on"]),
            ),
            user=staff,
        )
    source = Project.objects.filter(applicant=organization).order_by("number").first()
    made = 0
    for index, item in enumerate(data["achievements"]):
        if Achievement.objects.filter(pilot=pilot, title=item["title"]).exists():
            continue
        achievement = services.achievement_save(
            achievement=Achievement(
                pilot=pilot,
                title=item["title"],
                kind=item["kind"],
                number=item["number"],
                inventors=item["inventors"],
                source_project=source if index == 0 else None,
            ),
            user=staff,
        )
        made += 1
        granted = item["grant"]
        if granted is None:
            continue
        share = granted["share_percent"]
        grant = services.ownership_grant_save(
            grant=OwnershipGrant(
                achievement=achievement,
                team=f"{item['inventors'].split('、')[0]}团队",
                mode=granted["mode"],
                share_percent=Decimal(share) if share is not None else None,
                years=granted["years"],
                granted_on=demodata.date(granted["granted_on"]),
                approval_no=granted["approval_no"],
            ),
            user=staff,
        )
        for transfer in item["transfers"]:
            enterprise = _org(transfer["enterprise"], Organization.Kind.ENTERPRISE, None)
            services.achievement_transfer_save(
                transfer=AchievementTransfer(
                    grant=grant,
                    mode=transfer["mode"],
                    enterprise=enterprise,
                    amount=Decimal(transfer["amount"]),
                    transferred_on=demodata.date(transfer["transferred_on"]),
                ),
                user=staff,
            )
    return made
