"""A unit's accounts read the unit's own enterprise record, projects and platforms (issue 20, step 2), and
may turn on two-step verification like staff (step 1). The matrix (tests/test_access_matrix.py) checks
every route's status per role and the other unit's 404; these tests check what the pages show."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kejiju.core.registry import menu_for
from tests.applications.factories import make_application
from tests.enterprises.factories import EnterpriseFactory
from tests.factories import TEST_PASSWORD
from tests.platforms.factories import ApplicationFactory, BatchFactory, PlatformFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _records(world):
    """Unit A's enterprise, project and platform, and unit B's (county B)."""
    mine = {
        "enterprise": EnterpriseFactory(
            region=world.county_a, name=world.unit_a.name, organization=world.unit_a
        ),
        "project": ProjectFactory(region=world.county_a, applicant=world.unit_a, title="甲单位的项目"),
        "platform": PlatformFactory(region=world.county_a, host=world.unit_a, name="甲单位的平台"),
    }
    # The project came from the 项目负责人's own online application (they see no other project of the unit).
    make_application(leader=world.users["applicant"], state="recommended", project=mine["project"])
    theirs = {
        "enterprise": EnterpriseFactory(
            region=world.county_b, name=world.unit_b.name, organization=world.unit_b
        ),
        "project": ProjectFactory(region=world.county_b, applicant=world.unit_b, title="乙单位的项目"),
        "platform": PlatformFactory(region=world.county_b, host=world.unit_b, name="乙单位的平台"),
    }
    return mine, theirs


def _label(record) -> str:
    return getattr(record, "title", None) or record.name


READS = {
    "unit_admin": ("enterprise", "project", "platform"),
    "applicant": ("project", "platform"),
}
LISTS = {
    "enterprise": "enterprises:enterprise_list",
    "project": "projects:project_list",
    "platform": "platforms:platform_list",
}


@pytest.mark.parametrize("role", sorted(READS))
def test_a_unit_reads_its_own_records_and_not_the_other_units(client, world, role):
    mine, theirs = _records(world)
    client.force_login(world.users[role])
    for kind in READS[role]:
        page = client.get(reverse(LISTS[kind])).content.decode()
        assert _label(mine[kind]) in page, kind
        assert _label(theirs[kind]) not in page, kind
        assert client.get(mine[kind].get_absolute_url()).status_code == 200, kind
        assert client.get(theirs[kind].get_absolute_url()).status_code == 404, kind
    for kind in set(LISTS) - set(READS[role]):
        assert client.get(reverse(LISTS[kind])).status_code == 403, kind
        assert client.get(mine[kind].get_absolute_url()).status_code == 403, kind


def test_the_other_unit_gets_404_for_each_record(client, world):
    mine, _ = _records(world)
    client.force_login(world.users["other_unit"])
    for record in mine.values():
        assert client.get(record.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role", sorted(READS))
def test_list_pages_offer_no_county_filter_and_no_entry_buttons(client, world, role):
    _records(world)
    client.force_login(world.users[role])
    for kind in READS[role]:
        response = client.get(reverse(LISTS[kind]))
        assert "region" not in response.context["filter"].filters, kind
        buttons = {action for action, _label, _url in response.context["list_buttons"]}
        assert buttons <= {"export"}, (kind, buttons)  # the export reads the same scoped queryset
    # Staff keep theirs.
    client.force_login(world.users["bureau"])
    assert "region" in client.get(reverse("projects:project_list")).context["filter"].filters


def test_export_holds_only_the_units_rows(client, world):
    from io import BytesIO

    from openpyxl import load_workbook

    mine, theirs = _records(world)
    client.force_login(world.users["unit_admin"])
    for kind, url_name in (
        ("project", "projects:project_export"),
        ("platform", "platforms:platform_export"),
        ("enterprise", "enterprises:enterprise_export"),
    ):
        response = client.get(reverse(url_name))
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        sheet = load_workbook(BytesIO(content)).active
        cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
        name = "title" if kind == "project" else "name"
        assert getattr(mine[kind], name) in cells, kind
        assert getattr(theirs[kind], name) not in cells, kind


def test_detail_pages_show_no_staff_buttons_or_links_the_unit_cannot_follow(client, world):
    from decimal import Decimal

    from tests.enterprises.factories import EnterpriseYearFactory, PoolEntryFactory, SmesEvaluationFactory

    mine, _ = _records(world)
    enterprise = mine["enterprise"]
    EnterpriseYearFactory(enterprise=enterprise)
    evaluation = SmesEvaluationFactory(enterprise=enterprise)
    pool = PoolEntryFactory(enterprise=enterprise)
    client.force_login(world.users["unit_admin"])
    page = client.get(enterprise.get_absolute_url()).content.decode()
    for url in (
        reverse("enterprises:enterprise_edit", args=[enterprise.pk]),
        reverse("enterprises:poolentry_recommend", args=[enterprise.pk]),
        reverse("enterprises:poolentry_request", args=[enterprise.pk]),  # its entry is open already
    ):
        assert f'href="{url}"' not in page, url
    # What the enterprise files for itself (tests/enterprises/test_unit_filing.py), and follows.
    for url in (
        reverse("enterprises:enterpriseyear_add", args=[enterprise.pk]),
        reverse("enterprises:smesevaluation_add", args=[enterprise.pk]),
        evaluation.get_absolute_url(),
        pool.get_absolute_url(),
    ):
        assert f'href="{url}"' in page, url
    assert "年度数据" in page and str(evaluation.year) in page

    project = mine["project"]
    project.city_grant = Decimal(100000)
    project.save(update_fields=["city_grant"])
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'id="transitions"' not in page
    for url_name in ("project_edit", "disbursement_add", "annualreport_add", "attachment_add"):
        assert reverse(f"projects:{url_name}", args=[project.pk]) not in page, url_name

    platform = mine["platform"]
    page = client.get(platform.get_absolute_url()).content.decode()
    for url_name in ("platform_edit", "platform_transition", "platformevaluation_add"):
        assert reverse(f"platforms:{url_name}", args=[platform.pk]) not in page, url_name


def test_a_platform_page_lists_only_the_units_own_applications(client, world):
    """An application names its applicant unit; the platform's page reads them through visible_to."""
    mine, _ = _records(world)
    platform = mine["platform"]
    batch = BatchFactory()
    ApplicationFactory(batch=batch, platform=platform, applicant=world.unit_b, region=world.county_a)
    client.force_login(world.users["unit_admin"])
    assert list(client.get(platform.get_absolute_url()).context["applications"]) == []
    client.force_login(world.users["bureau"])
    assert len(client.get(platform.get_absolute_url()).context["applications"]) == 1


def test_the_unit_navigation_is_its_own_section(world):
    def menu(user):
        return [(section.label, [item.label for item in items]) for section, items in menu_for(user)]

    apply = ("项目申报", ["申报指南", "申报书"])
    own = ("本单位", ["企业信息", "科技项目", "创新平台", "平台认定申报", "本单位账户", "通知公告"])
    assert menu(world.users["unit_admin"]) == [apply, own]
    assert menu(world.users["applicant"]) == [apply, ("本单位", ["科技项目", "创新平台", "通知公告"])]
    assert "本单位" not in [label for label, _ in menu(world.users["bureau"])]
    assert "本单位" not in [label for label, _ in menu(world.users["county"])]


def test_the_offices_overviews_are_refused_and_not_on_the_home_page(client, world):
    client.force_login(world.users["unit_admin"])
    for url_name in ("projects:overdue", "projects:figures", "platforms:platform_stats"):
        assert client.get(reverse(url_name)).status_code == 403, url_name
    ProjectFactory(region=world.county_a, applicant=world.unit_a, state="executing", city_grant=1000)
    page = client.get("/").content.decode()
    assert reverse("projects:overdue") not in page


@pytest.mark.parametrize("role", sorted(READS))
def test_list_query_count_is_constant_for_a_unit(client, world, role, django_assert_max_num_queries):
    client.force_login(world.users[role])
    for _ in range(2):
        ProjectFactory(region=world.county_a, applicant=world.unit_a)
        PlatformFactory(region=world.county_a, host=world.unit_a)
    counts = {}
    for url_name in ("projects:project_list", "platforms:platform_list"):
        with django_assert_max_num_queries(20) as small:
            assert client.get(reverse(url_name)).status_code == 200
        counts[url_name] = len(small.captured_queries)
    for _ in range(20):
        ProjectFactory(region=world.county_a, applicant=world.unit_a)
        PlatformFactory(region=world.county_a, host=world.unit_a)
    for url_name, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(reverse(url_name)).status_code == 200


# ------------------------------------------------------------------------------------ two-step verification


def _code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


@pytest.mark.parametrize("role", sorted(READS))
def test_a_unit_account_turns_on_two_step_verification_and_is_asked_for_the_code(
    client, world, role, settings
):
    settings.OTP_REQUIRED = True  # required of staff roles only: a unit account chooses
    user = world.users[role]
    client.force_login(user)
    assert client.get("/").status_code == 200  # not forced
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "开启两步验证" in page and reverse("accounts:otp_setup") in page

    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"token": _code(device)})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert "开启两步验证" not in client.get(reverse("accounts:password_change")).content.decode()
    client.logout()

    response = client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_verify")
    assert "_auth_user_id" not in client.session  # the password alone does not log in
    assert client.get("/").status_code == 302
    response = client.post(reverse("accounts:login_verify"), {"token": _code(device, 1)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_project_leader_sees_only_the_projects_of_their_own_applications(client, world):
    """The unit's administrator sees every project of the unit; a 项目负责人 only their own (their colleagues'
    projects, with their mobile numbers and files, are not theirs to read)."""
    mine, _ = _records(world)
    colleagues = ProjectFactory(region=world.county_a, applicant=world.unit_a, title="同事的项目")
    client.force_login(world.users["applicant"])
    listed = client.get(reverse("projects:project_list")).content.decode()
    assert mine["project"].title in listed and colleagues.title not in listed
    assert client.get(colleagues.get_absolute_url()).status_code == 404
    client.force_login(world.users["unit_admin"])
    assert client.get(colleagues.get_absolute_url()).status_code == 200
