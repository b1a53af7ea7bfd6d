"""After 立项 the unit files online what its project owes — 年度报告, 中期 material, 变更申请, 验收申请 — into
the bureau's existing steps; the overdue page and the unit's to-do list show what each project still owes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.services import apply_transition
from kejiju.reporting.models import Notice
from projects import rules, selectors
from projects.models import ChangeRequest
from projects.rules import State
from tests.applications.factories import make_application
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%test\n"
TODAY = dt.date(2026, 12, 6)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _running(world, unit=None, **kwargs):
    unit = unit or world.unit_a
    kwargs.setdefault("start_date", dt.date(2024, 1, 1))
    kwargs.setdefault("end_date", dt.date(2026, 12, 31))
    return ProjectFactory(
        region=unit.region, applicant=unit, state=State.EXECUTING, city_grant=Decimal("200000"), **kwargs
    )


def _pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# ------------------------------------------------------------------------------------------ the rules


@pytest.mark.parametrize(
    ("start", "end", "today", "due"),
    [
        (dt.date(2025, 1, 1), dt.date(2026, 12, 31), dt.date(2025, 12, 31), False),  # not half yet
        (dt.date(2025, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 1, 1), True),  # half passed
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 11, 1), False),  # a one-year project
        (dt.date(2025, 1, 1), dt.date(2026, 12, 30), dt.date(2026, 12, 1), False),  # 729 days: too short
    ],
)
def test_midterm_material_falls_due_at_half_of_a_long_term(start, end, today, due):
    assert rules.midterm_due(start=start, end=end, today=today) is due


def test_what_a_project_owes_in_the_order_it_falls_due():
    owes = rules.project_owes(
        state=State.EXECUTING,
        start=dt.date(2023, 1, 1),
        end=dt.date(2026, 6, 30),
        today=TODAY,
        filed_years={2024},
        has_midterm=False,
    )
    # 2023 and 2025 reports are due (2025's by 31 March 2026); the term is over, so no 中期 any more.
    assert owes == ["2023 年度报告", "2025 年度报告", "验收申请"]
    running = {
        "start": dt.date(2025, 1, 1),
        "end": dt.date(2027, 12, 31),
        "today": TODAY,
        "filed_years": {2025},
    }
    assert rules.project_owes(state=State.EXECUTING, has_midterm=False, **running) == ["中期材料"]
    assert rules.project_owes(state=State.EXECUTING, has_midterm=True, **running) == []
    for state in (State.APPROVED, State.EVALUATION, State.ACCEPTANCE, State.CONCLUDED, State.TERMINATED):
        assert rules.project_owes(state=state, has_midterm=False, **running) == [], state


def test_an_overdue_acceptance_awaits_the_unit_then_the_bureau():
    assert rules.acceptance_awaits(State.EXECUTING) == "单位提交验收申请"
    assert rules.acceptance_awaits(State.EVALUATION) == "市局验收结论"


# ------------------------------------------------------------------------------- who files for what


def test_the_unit_admin_files_the_annual_report_dated_the_day_it_is_sent(client, world):
    project = _running(world)
    client.force_login(world.users["unit_admin"])
    url = reverse("projects:annualreport_add", args=[project.pk])
    form = client.get(url).context["form"]
    assert "filed_on" not in form.fields  # the staff's form keeps it: they register paper reports
    response = client.post(url, {"year": 2025, "progress": "完成中试线建设。", "spent": "80000"})
    assert response.status_code == 302
    report = project.annual_reports.get()
    assert report.year == 2025 and report.filed_on == timezone.localdate()
    client.force_login(world.users["bureau"])
    assert "filed_on" in client.get(url).context["form"].fields


def test_a_project_leader_files_only_for_the_project_of_their_application(client, world):
    applicant = world.users["applicant"]
    theirs = _running(world)
    someone_elses = _running(world)
    make_application(leader=applicant, state="recommended", project=theirs)
    client.force_login(applicant)
    data = {"year": 2025, "progress": "按计划执行。", "spent": "0"}
    assert client.post(reverse("projects:annualreport_add", args=[theirs.pk]), data).status_code == 302
    # A colleague's project of the same unit is not theirs to see (tests/units/test_unit_read.py) …
    assert client.get(reverse("projects:annualreport_add", args=[someone_elses.pk])).status_code == 404
    assert client.get(reverse("projects:changerequest_add", args=[someone_elses.pk])).status_code == 404
    # … and the service refuses it even so.
    from projects import services

    with pytest.raises(PermissionDenied):
        services.require_project_filer(project=someone_elses, user=applicant)


def test_another_units_project_is_404_and_a_finished_project_takes_nothing(client, world):
    mine = _running(world)
    theirs = _running(world, unit=world.unit_b)
    client.force_login(world.users["unit_admin"])
    for url_name in ("projects:annualreport_add", "projects:changerequest_add", "projects:attachment_add"):
        assert client.get(reverse(url_name, args=[theirs.pk])).status_code == 404, url_name
    mine.state = State.CONCLUDED
    mine.save(update_fields=["state"])
    for url_name in ("projects:annualreport_add", "projects:changerequest_add", "projects:attachment_add"):
        assert client.get(reverse(url_name, args=[mine.pk])).status_code == 403, url_name


def test_the_unit_uploads_its_running_material_and_nothing_of_the_offices(client, world):
    project = _running(world)
    client.force_login(world.users["unit_admin"])
    url = reverse("projects:attachment_add", args=[project.pk])
    offered = {value for value, _label in client.get(url).context["form"].fields["kind"].choices}
    assert offered == {"annual", "midterm", "change", "acceptance"}
    assert client.post(url, {"kind": "midterm", "file": _pdf("中期报告.pdf")}).status_code == 302
    response = client.post(url, {"kind": "contract", "file": _pdf("任务书.pdf")})
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert list(project.attachments.values_list("kind", flat=True)) == ["midterm"]


def test_a_change_request_filed_by_the_unit_waits_for_the_bureau(client, world):
    project = _running(world)
    client.force_login(world.users["unit_admin"])
    response = client.post(
        reverse("projects:changerequest_add", args=[project.pk]),
        {"kind": "dates", "reason": "设备到货延迟", "new_end_date": "2027-06-30"},
    )
    assert response.status_code == 302
    change = project.change_requests.get()
    assert change.decision == ChangeRequest.Decision.PENDING
    client.force_login(world.users["bureau"])
    home = client.get(reverse("core:home")).content.decode()
    assert "待审批的项目变更" in home
    apply_transition(record=change, action="approve", actor=world.users["bureau"], comment="同意")
    project.refresh_from_db()
    assert project.end_date == dt.date(2027, 6, 30)


# ------------------------------------------------------------------------------------------- 验收申请


def _refusal(project, actor) -> str:
    with pytest.raises(TransitionRefused) as refused:
        apply_transition(record=project, action="apply_acceptance", actor=actor)
    return refused.value.reason


def test_the_acceptance_application_asks_for_the_report_and_every_annual_report(
    world, django_capture_on_commit_callbacks
):
    project = _running(world, start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 12, 31))
    unit_admin = world.users["unit_admin"]
    reason = _refusal(project, unit_admin)
    assert "请先上传验收报告" in reason and "2024、2025 年度报告" in reason
    from projects import services

    services.attachment_create(
        project=project, user=unit_admin, kind="acceptance", upload=_pdf("验收报告.pdf")
    )
    for year in (2024, 2025):
        services.annual_report_create(
            project=project, user=unit_admin, year=year, filed_on=timezone.localdate(), progress="完成。"
        )
    with pytest.raises(TransitionRefused):  # the bureau starts 绩效评估 its own way, not in the unit's name
        apply_transition(record=project, action="apply_acceptance", actor=world.users["bureau"])
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(record=project, action="apply_acceptance", actor=unit_admin)
    project.refresh_from_db()
    assert project.state == State.EVALUATION
    assert Notice.objects.filter(recipient=world.users["county"], url=project.get_absolute_url()).exists()
    # From here the bureau's steps: 进入结题验收, 验收通过.
    apply_transition(record=project, action="start_acceptance", actor=world.users["bureau"])
    apply_transition(record=project, action="pass", actor=world.users["bureau"])
    project.refresh_from_db()
    assert project.state == State.CONCLUDED


def test_only_the_projects_own_leader_applies_for_acceptance(world, make_user):
    project = _running(world)
    other_leader = make_user("applicant", organization=world.unit_a)
    make_application(leader=other_leader, state="recommended", project=project)
    assert "不在您的管辖范围内" in _refusal(project, world.users["applicant"])  # not theirs: not even seen
    assert _refusal(project, other_leader)  # theirs, but nothing filed yet: the rule says what is missing


# ---------------------------------------------------------------------------- what each project owes


def test_the_project_page_tells_the_unit_what_it_owes(client, world):
    project = _running(world, start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 12, 31))
    project.annual_reports.create(year=2024, filed_on=dt.date(2025, 3, 1), progress="完成。")
    client.force_login(world.users["unit_admin"])
    page = client.get(project.get_absolute_url())
    owes = page.context["owes"]
    expected = [
        f"{year} 年度报告" for year in range(2025, rules.last_report_year_due(timezone.localdate()) + 1)
    ]
    assert owes == [*expected, "验收申请"]
    assert "尚待报送" in page.content.decode() and "报送年度报告" in page.content.decode()


def test_the_overdue_page_lists_missing_midterm_material_and_who_holds_up_acceptance(client, world):
    today = timezone.localdate()
    halfway = _running(
        world, start_date=today - dt.timedelta(days=400), end_date=today + dt.timedelta(days=380)
    )
    filed = _running(
        world, start_date=today - dt.timedelta(days=400), end_date=today + dt.timedelta(days=380)
    )
    filed.midterm_checks.create(checked_on=today, conclusion="continue", findings="按计划执行。")
    early = _running(
        world, start_date=today - dt.timedelta(days=100), end_date=today + dt.timedelta(days=700)
    )
    late = _running(world, start_date=dt.date(2022, 1, 1), end_date=today - dt.timedelta(days=30))
    applied = _running(world, start_date=dt.date(2022, 1, 1), end_date=today - dt.timedelta(days=30))
    applied.state = State.EVALUATION
    applied.save(update_fields=["state"])
    assert list(selectors.missing_midterm_material(user=world.users["bureau"], today=today)) == [halfway]
    client.force_login(world.users["bureau"])
    page = client.get(reverse("projects:overdue"))
    assert [row.record for row in page.context["midterm_table"].paginated_rows] == [halfway]
    awaits = {row.record.pk: row.get_cell("awaiting") for row in page.context["acceptance_table"].rows}
    assert awaits == {late.pk: "单位提交验收申请", applied.pk: "市局验收结论"}
    assert early.pk not in awaits
    book = load_workbook(BytesIO(client.get(reverse("projects:overdue_export")).getvalue()))
    assert book.sheetnames == ["超期未验收", "年度报告未报送", "中期材料未报送"]
    assert book["中期材料未报送"].max_row == 2
    # The county office sees its county's; another county none.
    client.force_login(world.users["other_county"])
    assert list(client.get(reverse("projects:overdue")).context["midterm_table"].paginated_rows) == []


def test_the_unit_home_page_lists_what_its_projects_owe(client, world):
    today = timezone.localdate()
    _running(world, start_date=today - dt.timedelta(days=400), end_date=today + dt.timedelta(days=380))
    _running(world, start_date=dt.date(2022, 1, 1), end_date=today - dt.timedelta(days=30))
    _running(world, unit=world.unit_b, start_date=dt.date(2022, 1, 1), end_date=today - dt.timedelta(days=30))
    client.force_login(world.users["unit_admin"])
    home = client.get(reverse("core:home")).content.decode()
    assert "本单位待报送中期材料的项目" in home
    assert "本单位待申请验收的项目" in home
    counts = selectors.unit_owing_counts(user=world.users["unit_admin"], today=today)
    assert counts["acceptance"] == 1 and counts["midterm"] == 1
