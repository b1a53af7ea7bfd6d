import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects import services
from projects.models import Attachment, Disbursement, Project
from projects.rules import State
from tests.projects.factories import (
    CallFactory,
    CooperationProjectFactory,
    OrganizationFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def _projects(n, region, *, call=None):
    call = call or CallFactory()
    org = OrganizationFactory(region=region)
    projects = [
        ProjectFactory(
            call=call, region=region, applicant=org, state=State.EXECUTING, city_grant=Decimal("100000")
        )
        for _ in range(n)
    ]
    for project in projects:
        Disbursement.objects.create(
            project=project, paid_on=dt.date(2025, 1, 1), amount=Decimal("40000"), voucher="v"
        )
    return projects


@pytest.mark.parametrize("url_name", ["projects:project_list", "projects:project_export", "projects:overdue"])
def test_list_query_count_is_constant(client, world, django_assert_max_num_queries, url_name):
    client.force_login(world.users["bureau"])
    _projects(10, world.county_a)
    client.get(reverse(url_name))  # the first page after the login reads the permissions and region caches
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _projects(110, world.county_b)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_cooperation_list_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world.users["bureau"])
    for _ in range(10):
        CooperationProjectFactory(region=world.county_a)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("projects:cooperationproject_list"))
    for _ in range(100):
        CooperationProjectFactory(region=world.county_b)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("projects:cooperationproject_list"))


def test_county_list_shows_own_county_only(client, world):
    mine = _projects(2, world.county_a)
    _projects(3, world.county_b)
    client.force_login(world.users["county"])
    response = client.get(reverse("projects:project_list"))
    assert response.context["table"].paginator.count == 2
    assert mine[0].number in response.content.decode()


def test_export_matches_the_filtered_list(client, world):
    _projects(3, world.county_a)
    _projects(2, world.county_b)
    client.force_login(world.users["leader"])
    response = client.get(reverse("projects:project_export"), {"region": world.county_b.pk})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "项目编号"
    assert len(rows) == 3
    assert {row[5] for row in rows[1:]} == {"定襄县"}
    assert rows[1][12] == 40000  # paid


def test_overdue_filter(client, world):
    late = ProjectFactory(
        region=world.county_a,
        state=State.EXECUTING,
        end_date=dt.date(2020, 12, 31),
        start_date=dt.date(2019, 1, 1),
    )
    ProjectFactory(region=world.county_a, state=State.EXECUTING)
    ProjectFactory(
        region=world.county_a,
        state=State.ARCHIVED,
        end_date=dt.date(2020, 12, 31),
        start_date=dt.date(2019, 1, 1),
    )
    client.force_login(world.users["bureau"])
    response = client.get(reverse("projects:project_list"), {"overdue": "true"})
    assert [p.pk for p in response.context["table"].data] == [late.pk]


def test_overdue_page_lists_missing_reports(client, world):
    from projects.models import AnnualReport

    # Term 2022–2026: reports for every year up to the last one due are expected.
    today = timezone.localdate()
    project = ProjectFactory(
        region=world.county_a,
        state=State.EXECUTING,
        start_date=dt.date(2022, 1, 1),
        end_date=dt.date(today.year + 2, 12, 31),
    )
    client.force_login(world.users["bureau"])

    def listed():
        return [row.record for row in client.get(reverse("projects:overdue")).context["reports_table"].rows]

    assert listed() == [project]
    from projects.rules import last_report_year_due

    for year in range(2022, last_report_year_due(today) + 1):
        AnnualReport.objects.create(project=project, year=year, filed_on=today, progress="按期")
    assert listed() == []


def test_detail_shows_actions_for_the_role(client, world):
    project = ProjectFactory(region=world.county_a)
    client.force_login(world.users["bureau"])
    content = client.get(project.get_absolute_url()).content.decode()
    assert 'value="accept"' in content and 'value="reject"' in content
    client.force_login(world.users["county"])
    content = client.get(project.get_absolute_url()).content.decode()
    assert 'value="withdraw"' in content and 'value="accept"' not in content
    client.force_login(world.users["leader"])
    content = client.get(project.get_absolute_url()).content.decode()
    assert 'name="action"' not in content


def test_detail_offers_the_expert_panel_in_review(client, world):
    project = ProjectFactory(region=world.county_a, state=State.REVIEW)
    client.force_login(world.users["bureau"])
    content = client.get(project.get_absolute_url()).content.decode()
    assert reverse("experts:panel_add") in content
    assert f"subject_id={project.pk}" in content


def test_create_through_the_form(client, world):
    call = CallFactory()
    org = OrganizationFactory(region=world.county_a)
    client.force_login(world.users["county"])
    data = {
        "call": call.pk,
        "title": "旱作谷子新品种示范",
        "applicant": org.pk,
        "region": world.county_a.pk,
        "pi_name": "赵农",
        "pi_mobile": "13911112222",
        "start_date": "2025-01-01",
        "end_date": "2026-12-31",
        "requested_grant": "150000",
        "self_raised": "50000",
    }
    response = client.post(reverse("projects:project_add"), data)
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.created_by == world.users["county"]
    # The same PI again in the same call: refused with the rule on the form.
    response = client.post(reverse("projects:project_add"), {**data, "title": "第二项"})
    assert response.status_code == 200
    assert "限报一项" in response.content.decode()
    # Another county's region is not a valid choice for this county.
    response = client.post(
        reverse("projects:project_add"), {**data, "region": world.county_b.pk, "pi_mobile": "13911113333"}
    )
    assert response.status_code == 200
    assert Project.objects.count() == 1


def test_disbursement_beyond_grant_refused_on_the_form(client, world):
    project = ProjectFactory(region=world.county_a, state=State.EXECUTING, city_grant=Decimal("1000"))
    client.force_login(world.users["bureau"])
    url = reverse("projects:disbursement_add", args=[project.pk])
    response = client.post(url, {"paid_on": "2025-03-01", "amount": "1000.01", "voucher": "V1"})
    assert response.status_code == 200
    assert "超过批准的市级财政资金" in response.content.decode()
    assert client.post(url, {"paid_on": "2025-03-01", "amount": "1000", "voucher": "V1"}).status_code == 302
    assert Disbursement.objects.get().amount == Decimal("1000")


def test_attachment_upload_and_download(client, world):
    project = ProjectFactory(region=world.county_a)
    client.force_login(world.users["county"])
    url = reverse("projects:attachment_add", args=[project.pk])
    bad = SimpleUploadedFile("申报书.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(url, {"kind": "application", "file": bad})
    assert response.status_code == 200
    assert "不符" in response.content.decode()
    good = SimpleUploadedFile("申报书.pdf", b"%PDF-1.7 content")
    assert client.post(url, {"kind": "application", "file": good}).status_code == 302
    attachment = Attachment.objects.get()
    response = client.get(reverse("projects:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 content"
    assert "attachment" in response["Content-Disposition"]
    # Another county: 404, never the file.
    client.force_login(world.users["other_county"])
    assert client.get(reverse("projects:attachment_download", args=[attachment.pk])).status_code == 404


def test_attachment_wrong_kind_for_county_refused(client, world):
    project = ProjectFactory(region=world.county_a)
    client.force_login(world.users["county"])
    url = reverse("projects:attachment_add", args=[project.pk])
    response = client.post(url, {"kind": "contract", "file": SimpleUploadedFile("a.pdf", b"%PDF-1")})
    assert response.status_code == 200  # not a choice for a county office
    assert not Attachment.objects.exists()


def test_figures_page(client, world):
    from projects.models import CooperationProject

    _projects(2, world.county_a, call=CallFactory(year=2023))
    CooperationProjectFactory(
        region=world.county_a, kind="transfer_base", state="landed", landed_on=dt.date(2023, 5, 1)
    )
    CooperationProjectFactory(
        region=world.county_a,
        kind="industrial_park",
        state="finished",
        landed_on=dt.date(2022, 5, 1),
        finished_on=dt.date(2023, 11, 1),
    )
    assert CooperationProject.objects.count() == 2
    client.force_login(world.users["leader"])
    response = client.get(reverse("projects:figures"), {"year": 2023})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="bases-landed">1 项' in content
    assert 'data-testid="parks-finished">1 项' in content
    assert "200000" in content  # committed city money of the two projects


def test_change_request_decision_page(client, world):
    project = ProjectFactory(region=world.county_a, state=State.EXECUTING, city_grant=Decimal("1000"))
    request = services.change_request_create(
        project=project,
        user=world.users["bureau"],
        kind="dates",
        reason="延期",
        new_end_date=dt.date(2027, 12, 31),
    )
    client.force_login(world.users["bureau"])
    url = reverse("projects:changerequest_decide", args=[request.pk])
    assert "延期" in client.get(url).content.decode()
    assert client.post(url, {"action": "approve", "comment": "同意"}).status_code == 302
    assert Project.objects.get(pk=project.pk).end_date == dt.date(2027, 12, 31)


def test_todos_for_staff_and_county(world):
    from kejiju.core.registry import todos_for

    ProjectFactory(region=world.county_a)  # awaiting 受理
    ProjectFactory(
        region=world.county_a,
        state=State.EXECUTING,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2020, 12, 31),
    )
    staff = {item.title: item.count for item in todos_for(world.users["bureau"])}
    assert staff["待受理的项目申报"] == 1
    assert staff["超期未验收的项目"] == 1
    county = {item.title: item.count for item in todos_for(world.users["county"])}
    assert "待受理的项目申报" not in county and county["超期未验收的项目"] == 1
    assert not any("项目" in item.title for item in todos_for(world.users["other_county"]))
    assert not any("项目" in item.title for item in todos_for(world.users["sysadmin"]))


def test_history_masks_the_mobile(client, world):
    project = ProjectFactory(region=world.county_a, pi_mobile="13912345678")
    client.force_login(world.users["leader"])
    content = client.get(project.get_absolute_url()).content.decode()
    assert "13912345678" not in content


def test_overdue_export(client, world):
    late = ProjectFactory(
        region=world.county_a,
        state=State.EXECUTING,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2020, 12, 31),
    )
    ProjectFactory(
        region=world.county_b,
        state=State.EXECUTING,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2020, 12, 31),
    )
    client.force_login(world.users["county"])
    response = client.get(reverse("projects:overdue_export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["超期未验收", "年度报告未报送", "中期材料未报送"]
    rows = list(workbook["超期未验收"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [late.number]  # own county only
    assert len(list(workbook["年度报告未报送"].iter_rows(values_only=True))) == 2


def test_money_is_shown_with_thousands_separators_and_exported_as_numbers(client, world):
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    from tests.projects.factories import ProjectFactory

    ProjectFactory(region=world.county_a, city_grant=Decimal("1234567.5"), self_raised=Decimal("0"))
    client.force_login(world.users["bureau"])
    page = client.get(reverse("projects:project_list")).content.decode()
    # The page shows the approved grant and what was paid; the requested and self-raised funds are in the
    # export and on the project's page (ProjectTable.export_only, so that the list fits 1366 px).
    assert "1,234,567.50" in page and ">0.00<" in page
    assert "200,000.00" not in page
    response = client.get(reverse("projects:project_export"))
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    header, row = rows[0], rows[1]
    assert row[header.index("批准市级资金（元）")] == 1234567.5
    assert row[header.index("申请市级资金（元）")] == 200000
    assert row[header.index("自筹资金（元）")] == 0
