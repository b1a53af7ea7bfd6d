"""Demo data of the projects app (`manage.py seed_demo`): programmes, the 2022–2024 calls and a call open
now, plan projects in varied states across the counties (built through the services, so each carries its
timeline, review panel, money and reports), 忻州师范学院 as the second-batch 包干制 pilot, and the 省校合作
projects whose 2023 figures are the bureau's review: 22 高校科技成果转化基地 projects landed and 4 产业园
finished.

Idempotent: each part is skipped when its records exist. Reproducible: one fixed random seed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kejiju.accounts.models import Region, User
from kejiju.core.models import Organization
from kejiju.core.services import organization_for_name

from . import services
from .models import REVIEW_CRITERIA, Call, CooperationProject, LumpSumPilot, Programme, Project
from .rules import Action, State

SEED = 2023
CENT = Decimal("0.01")

PROGRAMMES = [
    ("重点研发计划", "ZDYF", "面向主导产业关键核心技术攻关"),
    ("科技成果转化引导计划", "CGZH", "支持高校、院所科技成果在本市转化落地"),
    ("农业科技创新计划", "NYKJ", "有机旱作、杂粮、设施农业等农业技术研发与示范"),
    ("社会发展科技计划", "SHFZ", "医疗卫生、生态环保、公共安全等社会民生领域"),
    ("软科学研究计划", "RKX", "科技发展战略、政策与管理研究"),
]

# Applicant units by county (GB/T 2260 code); the named units of the 2023 review are among them.
UNITS = {
    "140902": [
        ("忻州师范学院", Organization.Kind.UNIVERSITY),
        ("山西农业大学玉米研究所", Organization.Kind.INSTITUTE),
        ("忻州市人民医院", Organization.Kind.GOVERNMENT),
        ("山西忻州神达能源集团有限公司", Organization.Kind.ENTERPRISE),
    ],
    "140921": [
        ("山西众立法兰有限公司", Organization.Kind.ENTERPRISE),
        ("定襄县宏达锻造有限公司", Organization.Kind.ENTERPRISE),
    ],
    "140922": [("五台县台蘑产业开发有限公司", Organization.Kind.ENTERPRISE)],
    "140923": [
        ("山西雁门山酒业有限公司", Organization.Kind.ENTERPRISE),
        ("代县铁矿绿色开采技术服务有限公司", Organization.Kind.ENTERPRISE),
    ],
    "140924": [("繁峙县杂粮产业发展有限公司", Organization.Kind.ENTERPRISE)],
    "140925": [("宁武县芦芽山中药材种植专业合作社", Organization.Kind.OTHER)],
    "140926": [("静乐县藜麦科技开发有限公司", Organization.Kind.ENTERPRISE)],
    "140927": [("神池县胡麻油业有限公司", Organization.Kind.ENTERPRISE)],
    "140928": [("五寨县甜糯玉米开发有限公司", Organization.Kind.ENTERPRISE)],
    "140929": [("岢岚县绒山羊养殖科技有限公司", Organization.Kind.ENTERPRISE)],
    "140930": [("河曲县海红果产业有限公司", Organization.Kind.ENTERPRISE)],
    "140931": [("保德县红枣科技开发有限公司", Organization.Kind.ENTERPRISE)],
    "140932": [("偏关县新能源科技有限公司", Organization.Kind.ENTERPRISE)],
    "140981": [
        ("原平市农业机械研究所", Organization.Kind.INSTITUTE),
        ("山西原平双合成果转化有限公司", Organization.Kind.ENTERPRISE),
    ],
}

TOPICS = {
    "ZDYF": [
        "高性能风电法兰锻造工艺",
        "煤矸石基新型建材制备",
        "智能化矿井通风监测系统",
        "特种钢材热处理工艺优化",
    ],
    "CGZH": [
        "杂粮精深加工技术成果转化",
        "生物有机肥产业化示范",
        "高端法兰数控加工技术转化",
        "光伏组件回收利用技术转化",
    ],
    "NYKJ": [
        "有机旱作谷子新品种选育",
        "藜麦高产栽培技术集成",
        "设施蔬菜水肥一体化示范",
        "绒山羊良种繁育技术",
    ],
    "SHFZ": [
        "基层医院慢病智能随访系统",
        "滹沱河流域水生态修复",
        "黄芪道地药材质量标准研究",
        "农村生活污水处理技术示范",
    ],
    "RKX": [
        "忻州市科技成果转化路径研究",
        "县域科技创新能力评价",
        "科技型中小企业培育政策研究",
        "太忻一体化科技协同机制研究",
    ],
}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "志强", "晓燕", "海涛", "丽娟", "文博", "永胜", "春梅", "立新", "思远", "红霞", "国庆"]

# (call year) → the states the call's projects end in, in order (repeated across programmes).
OUTCOMES = {
    2022: [
        State.ARCHIVED,
        State.ARCHIVED,
        State.CONCLUDED,
        State.TERMINATED,
        State.EXECUTING,
        State.NOT_APPROVED,
    ],
    2023: [
        State.CONCLUDED,
        State.ACCEPTANCE,
        State.EVALUATION,
        State.EXECUTING,
        State.REJECTED,
        State.WITHDRAWN,
    ],
    2024: [
        State.EXECUTING,
        State.EXECUTING,
        State.SUSPENDED,
        State.APPROVED,
        State.NOT_APPROVED,
        State.EXECUTING,
    ],
}
CURRENT = [State.SUBMITTED, State.ACCEPTED, State.REVIEW]

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
COMMENTS = {
    Action.WITHDRAW: "承担单位申请撤回",
    Action.REJECT: "申报材料不全，缺少单位承诺书",
    Action.NOT_APPROVE: "评审得分未达立项线",
    Action.SUSPEND: "项目负责人长期外派，暂停执行",
    Action.TERMINATE: "承担单位经营困难，无法继续实施",
    Action.RESUME: "负责人返岗，恢复执行",
}

UNIVERSITIES = [
    "山西大学",
    "太原理工大学",
    "山西农业大学",
    "中北大学",
    "太原科技大学",
    "山西医科大学",
    "山西师范大学",
    "山西财经大学",
    "山西中医药大学",
    "山西工程技术学院",
]
PILOTS = [("忻州师范学院", 2, 2023, "第二批市级财政科研项目经费使用“包干制”试点单位")]

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
    staff = _staff()
    regions = {region.code: region for region in Region.objects.county_level()}
    programmes = _programmes()
    calls = _calls(programmes)
    units = {
        code: [_org(name, kind, regions[code]) for name, kind in names]
        for code, names in UNITS.items()
        if code in regions
    }
    for name, batch, year, note in PILOTS:
        org = Organization.objects.filter(name=name).order_by("pk").first()
        if org is not None:
            LumpSumPilot.objects.get_or_create(
                organization=org, defaults={"batch": batch, "since_year": year, "note": note}
            )
    made = 0
    if not Project.objects.filter(call__in=calls).exists():
        made = _projects(rng, staff=staff, calls=calls, units=units)
    coop = 0
    if not CooperationProject.objects.exists():
        coop = _cooperation(rng, regions=regions, staff=staff)
    achievements = seed_demo_ownership(staff=staff)
    if stdout is not None:
        stdout.write(
            f"科技计划项目：{len(programmes)} 个计划类别，{len(calls)} 个申报批次，新建项目 {made} 个，"
            f"省校合作项目 {coop} 个，赋权试点新登记成果 {achievements} 项。"
        )


def _programmes() -> list[Programme]:
    result = []
    for order, (name, code, description) in enumerate(PROGRAMMES, start=1):
        programme, _ = Programme.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order * 10}
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


def _projects(rng: random.Random, *, staff: User, calls: list[Call], units: dict) -> int:
    codes = sorted(units)
    regions_by_code = {region.code: region for region in Region.objects.filter(code__in=codes)}
    pilot_unit = next(org for org in units["140902"] if org.name == "忻州师范学院")
    count = 0
    serial = 0
    for call in calls:
        historic = call.year in OUTCOMES
        outcomes = OUTCOMES[call.year] if historic else CURRENT
        topics = TOPICS[call.programme.code]
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
                title=topic if call.year in OUTCOMES else f"{topic}（{call.year}）",
                applicant=applicant,
                region=applicant.region or regions_by_code[code],
                pi_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                pi_mobile=f"139{3500_0000 + serial:08d}",
                start_date=start,
                end_date=dt.date(call.year + years, 6, 30),
                requested_grant=grant,
                self_raised=grant * rng.choice([1, 2, 3]),
                summary=f"围绕{topic}开展研究与示范，形成可推广的技术方案。",
                effective_on=_on(call.opens_on + dt.timedelta(days=serial % 40)),
            )
            project = _advance(project, target, staff=staff, rng=rng)
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


# When each step of the life cycle took effect, from the project (its call's dates and its term): the
# demo's history reads as it happened, so the figures of a past year are those of that year.
def _planned(project: Project, step: str) -> dt.date:
    call = project.call
    start, end = project.start_date, project.end_date
    return {
        Action.WITHDRAW: call.closes_on,
        Action.ACCEPT: call.closes_on + dt.timedelta(days=5),
        Action.REJECT: call.closes_on + dt.timedelta(days=5),
        Action.START_REVIEW: call.closes_on + dt.timedelta(days=15),
        Action.APPROVE: call.review_by,
        Action.NOT_APPROVE: call.review_by,
        Action.SIGN_CONTRACT: start,
        Action.SUSPEND: start + dt.timedelta(days=300),
        Action.TERMINATE: start + dt.timedelta(days=400),
        Action.START_EVALUATION: end + dt.timedelta(days=1),
        Action.START_ACCEPTANCE: end + dt.timedelta(days=30),
        Action.PASS: end + dt.timedelta(days=60),
        Action.ARCHIVE: end + dt.timedelta(days=90),
    }[step]


def _step_date(project: Project, step: str) -> dt.date:
    """The planned date of `step`, not before the project's latest recorded step (a 年报 filed after the
    term ended moves the 绩效评估 after it), never after today."""
    from kejiju.core.workflow.selectors import events_for

    latest = events_for(project).values_list("effective_on", flat=True).last()
    planned = _planned(project, step)
    return _on(max(planned, latest) if latest else planned)


def _advance(project: Project, target: str, *, staff: User, rng: random.Random) -> Project:
    for step in PATHS[target]:
        if step == "panel":
            _close_panel(project, staff=staff, rng=rng, low=target == State.NOT_APPROVED)
            continue
        granted = None
        on = _step_date(project, step)  # before the contract's upload, a step of today
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
            comment=COMMENTS.get(step, ""),
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


# (task year, kind, state, how many, landed year, finished year) — the 2023 rows are the review's figures.
COOPERATION = [
    (2022, CooperationProject.Kind.TRANSFER_BASE, CooperationProject.State.FINISHED, 9, 2022, 2024),
    (2022, CooperationProject.Kind.TRANSFER_BASE, CooperationProject.State.LANDED, 6, 2022, None),
    (2022, CooperationProject.Kind.INDUSTRIAL_PARK, CooperationProject.State.FINISHED, 2, 2022, 2022),
    (2022, CooperationProject.Kind.INDUSTRIAL_PARK, CooperationProject.State.FINISHED, 3, 2022, 2023),
    (2022, CooperationProject.Kind.PLATFORM_BASE, CooperationProject.State.LANDED, 4, 2022, None),
    (2023, CooperationProject.Kind.TRANSFER_BASE, CooperationProject.State.LANDED, 18, 2023, None),
    (2023, CooperationProject.Kind.TRANSFER_BASE, CooperationProject.State.FINISHED, 4, 2023, 2025),
    (2023, CooperationProject.Kind.TRANSFER_BASE, CooperationProject.State.BUILDING, 5, None, None),
    (2023, CooperationProject.Kind.INDUSTRIAL_PARK, CooperationProject.State.FINISHED, 1, 2023, 2023),
    (2023, CooperationProject.Kind.INDUSTRIAL_PARK, CooperationProject.State.BUILDING, 3, None, None),
    (2023, CooperationProject.Kind.JOINT_RESEARCH, CooperationProject.State.SIGNED, 6, None, None),
    (2023, CooperationProject.Kind.TRANSFER_BASE, CooperationProject.State.STOPPED, 1, None, None),
    (2024, CooperationProject.Kind.TRANSFER_BASE, CooperationProject.State.LANDED, 17, 2024, None),
    (2024, CooperationProject.Kind.INDUSTRIAL_PARK, CooperationProject.State.FINISHED, 3, 2024, 2024),
    (2024, CooperationProject.Kind.INDUSTRIAL_PARK, CooperationProject.State.BUILDING, 2, None, None),
    (2024, CooperationProject.Kind.PLATFORM_BASE, CooperationProject.State.SIGNED, 5, None, None),
]
SUBJECTS = [
    "杂粮",
    "中药材",
    "法兰锻造",
    "新能源装备",
    "农产品加工",
    "生态修复",
    "畜牧养殖",
    "文旅融合",
    "煤基新材料",
]


def _cooperation(rng: random.Random, *, regions: dict, staff: User) -> int:
    universities = [_org(name, Organization.Kind.UNIVERSITY, None) for name in UNIVERSITIES]
    codes = sorted(code for code in regions if code in UNITS)
    count = 0
    for task_year, kind, state, how_many, landed, finished in COOPERATION:
        for n in range(how_many):
            region = regions[codes[(count * 5 + n) % len(codes)]]
            university = universities[(count + n * 3) % len(universities)]
            subject = SUBJECTS[(count + n) % len(SUBJECTS)]
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

OWNERSHIP_PILOT = ("忻州师范学院", "忻州市职务科技成果赋权改革试点工作方案", dt.date(2023, 6, 15))
OWNERSHIP_SCHEME = (
    "赋予科研人员职务科技成果所有权或长期使用权：所有权由单位与成果完成团队按约定比例共有，"
    "长期使用权不少于10年；转化收益按方案约定分配。"
)
# (title, kind, number, inventors, grant: (mode, share, years, date, document) or None, transfers)
ACHIEVEMENTS = [
    (
        "一种高膳食纤维杂粮复合粉及其制备方法",
        "invention",
        "ZL202210345678.9",
        "王建平、李晓燕、赵志刚",
        ("ownership", Decimal("70"), None, dt.date(2023, 8, 10), "忻师院科字〔2023〕21号"),
        [("assignment", "繁峙县杂粮产业发展有限公司", Decimal("35.00"), dt.date(2023, 10, 18))],
    ),
    (
        "晋谷系列谷子新品种“忻谷3号”",
        "plant",
        "CNA20221234.5",
        "张国华、刘丽",
        ("long_term_use", None, 10, dt.date(2023, 9, 5), "忻师院科字〔2023〕26号"),
        [("licence", "静乐县藜麦科技开发有限公司", Decimal("18.50"), dt.date(2023, 12, 6))],
    ),
    (
        "杂粮加工品质在线检测系统V1.0",
        "software",
        "2023SR0456789",
        "陈亮、周敏",
        None,
        [],
    ),
]


def seed_demo_ownership(*, staff: User) -> int:
    """The 赋权 pilot at 忻州师范学院 (also the 包干制 pilot: the two schemes stay apart). Idempotent."""
    from .models import Achievement, AchievementTransfer, OwnershipGrant, OwnershipPilot

    name, scheme, joined_on = OWNERSHIP_PILOT
    organization = Organization.objects.filter(name=name).order_by("pk").first()
    if organization is None:
        return 0
    pilot = OwnershipPilot.objects.filter(organization=organization).first()
    if pilot is None:
        pilot = services.ownership_pilot_save(
            pilot=OwnershipPilot(
                organization=organization, scheme=scheme, scheme_summary=OWNERSHIP_SCHEME, joined_on=joined_on
            ),
            user=staff,
        )
    source = Project.objects.filter(applicant=organization).order_by("number").first()
    made = 0
    for index, (title, kind, number, inventors, grant_data, transfers) in enumerate(ACHIEVEMENTS):
        if Achievement.objects.filter(pilot=pilot, title=title).exists():
            continue
        achievement = services.achievement_save(
            achievement=Achievement(
                pilot=pilot,
                title=title,
                kind=kind,
                number=number,
                inventors=inventors,
                source_project=source if index == 0 else None,
            ),
            user=staff,
        )
        made += 1
        if grant_data is None:
            continue
        mode, share, years, granted_on, document = grant_data
        grant = services.ownership_grant_save(
            grant=OwnershipGrant(
                achievement=achievement,
                team=f"{inventors.split('、')[0]}团队",
                mode=mode,
                share_percent=share,
                years=years,
                granted_on=granted_on,
                approval_no=document,
            ),
            user=staff,
        )
        for transfer_mode, enterprise_name, amount, on in transfers:
            enterprise = _org(enterprise_name, Organization.Kind.ENTERPRISE, None)
            services.achievement_transfer_save(
                transfer=AchievementTransfer(
                    grant=grant, mode=transfer_mode, enterprise=enterprise, amount=amount, transferred_on=on
                ),
                user=staff,
            )
    return made
