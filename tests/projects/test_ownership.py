"""The 职务科技成果赋权 pilot: the grant rules (share 0–100%, the shares on one achievement at most 100%,
长期使用权 years), no future dates, transfers not before their grant, a grant's ownership passed once, the
totals by unit and year, the pages (query counts, export) and the separation from 包干制."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects import rules, selectors, services
from projects.models import AchievementTransfer, LumpSumPilot, OwnershipGrant
from projects.rules import GrantMode

from .factories import (
    AchievementFactory,
    AchievementTransferFactory,
    OrganizationFactory,
    OwnershipGrantFactory,
    OwnershipPilotFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    ("share", "field"),
    [
        (Decimal("70"), None),
        (Decimal("100"), None),
        (Decimal("0.5"), None),
        (Decimal("0"), "share_percent"),
        (Decimal("-1"), "share_percent"),
        (Decimal("100.01"), "share_percent"),
        (None, "share_percent"),
    ],
)
def test_ownership_share_must_lie_within_0_and_100(share, field):
    problems = rules.grant_problems(mode=GrantMode.OWNERSHIP, share_percent=share, years=None)
    assert (set(problems) == {field}) if field else problems == {}


@pytest.mark.parametrize(
    ("years", "ok"), [(10, True), (20, True), (50, True), (9, False), (51, False), (None, False)]
)
def test_long_term_use_years(years, ok):
    problems = rules.grant_problems(mode=GrantMode.LONG_TERM_USE, share_percent=None, years=years)
    assert (problems == {}) is ok
    if not ok:
        assert "years" in problems


def test_grant_rules_refuse_mixed_terms_and_a_missing_mode():
    assert set(rules.grant_problems(mode=GrantMode.OWNERSHIP, share_percent=Decimal("50"), years=10)) == {
        "years"
    }
    assert set(rules.grant_problems(mode=GrantMode.LONG_TERM_USE, share_percent=Decimal("50"), years=10)) == {
        "share_percent"
    }
    assert set(rules.grant_problems(mode="", share_percent=None, years=None)) == {"mode"}


def test_transfer_date_rule():
    grant = dt.date(2023, 8, 1)
    assert rules.transfer_date_problem(transferred_on=grant, granted_on=grant) is None
    assert rules.transfer_date_problem(transferred_on=dt.date(2023, 9, 1), granted_on=grant) is None
    message = rules.transfer_date_problem(transferred_on=dt.date(2023, 7, 31), granted_on=grant)
    assert "2023-07-31" in message and "2023-08-01" in message


# --------------------------------------------------------------------------------------------- services


def test_service_refuses_a_share_over_100_and_saves_nothing(bureau_user):
    achievement = AchievementFactory()
    grant = OwnershipGrant(
        achievement=achievement,
        team="团队",
        mode=GrantMode.OWNERSHIP,
        share_percent=Decimal("120"),
        granted_on=dt.date(2023, 8, 1),
        approval_no="文号",
    )
    with pytest.raises(ValidationError) as error:
        services.ownership_grant_save(grant=grant, user=bureau_user)
    assert "120" in error.value.message_dict["share_percent"][0]
    assert not OwnershipGrant.objects.exists()


def test_service_refuses_a_transfer_dated_before_its_grant(bureau_user):
    grant = OwnershipGrantFactory(granted_on=dt.date(2023, 8, 1))
    transfer = AchievementTransfer(
        grant=grant,
        mode="licence",
        enterprise=OrganizationFactory(),
        amount=Decimal("10"),
        transferred_on=dt.date(2023, 7, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.achievement_transfer_save(transfer=transfer, user=bureau_user)
    assert "早于赋权日期" in error.value.message_dict["transferred_on"][0]
    assert not AchievementTransfer.objects.exists()


def test_moving_a_grant_after_its_transfer_is_refused(bureau_user):
    transfer = AchievementTransferFactory(transferred_on=dt.date(2023, 10, 1))
    grant = transfer.grant
    grant.granted_on = dt.date(2023, 11, 1)
    with pytest.raises(ValidationError) as error:
        services.ownership_grant_save(grant=grant, user=bureau_user)
    assert "granted_on" in error.value.message_dict
    grant.refresh_from_db()
    assert grant.granted_on == dt.date(2023, 8, 1)


def _grant(
    achievement, *, share="70", team="王建平团队", mode="ownership", years=None, on=dt.date(2023, 8, 1)
):
    return OwnershipGrant(
        achievement=achievement,
        team=team,
        mode=mode,
        share_percent=Decimal(share) if share is not None else None,
        years=years,
        granted_on=on,
        approval_no="忻师院科字〔2023〕21号",
    )


def test_ownership_shares_on_one_achievement_may_not_exceed_100(bureau_user):
    achievement = AchievementFactory(title="杂粮复合粉")
    first = services.ownership_grant_save(grant=_grant(achievement), user=bureau_user)
    # A long-term use (长期使用权) carries no share and does not count.
    services.ownership_grant_save(
        grant=_grant(achievement, share=None, mode="long_term_use", years=10, team="赵志刚团队"),
        user=bureau_user,
    )
    with pytest.raises(ValidationError) as error:
        services.ownership_grant_save(grant=_grant(achievement, team="李晓燕团队"), user=bureau_user)
    assert error.value.message_dict["share_percent"] == [
        "所有权比例合计不能超过100%：同一成果的所有权赋权已有70%"
        "（杂粮复合粉 赋予王建平团队所有权（70.00%）），"
        "本次最多30%，填写的是70%。"
    ]
    assert achievement.grants.count() == 2
    services.ownership_grant_save(grant=_grant(achievement, share="30", team="李晓燕团队"), user=bureau_user)
    # Editing a grant excludes itself: 70% stays 70%, but cannot grow into the other team's 30%.
    first = OwnershipGrant.objects.get(pk=first.pk)
    first.team = "王建平课题组"
    services.ownership_grant_save(grant=first, user=bureau_user)
    first.share_percent = Decimal("71")
    with pytest.raises(ValidationError) as error:
        services.ownership_grant_save(grant=first, user=bureau_user)
    assert "本次最多70%" in error.value.message_dict["share_percent"][0]
    assert OwnershipGrant.objects.get(pk=first.pk).share_percent == Decimal("70")


def test_a_grant_dated_after_today_is_refused(bureau_user):
    achievement = AchievementFactory()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.ownership_grant_save(grant=_grant(achievement, on=tomorrow), user=bureau_user)
    assert "不能晚于今天" in error.value.message_dict["granted_on"][0]
    assert not achievement.grants.exists()


def test_a_transfer_dated_after_today_is_refused(bureau_user):
    grant = OwnershipGrantFactory(granted_on=dt.date(2023, 8, 1))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    transfer = AchievementTransfer(
        grant=grant,
        mode="licence",
        enterprise=OrganizationFactory(),
        amount=Decimal("10"),
        transferred_on=tomorrow,
    )
    with pytest.raises(ValidationError) as error:
        services.achievement_transfer_save(transfer=transfer, user=bureau_user)
    assert "转化日期" in error.value.message_dict["transferred_on"][0]
    assert "不能晚于今天" in error.value.message_dict["transferred_on"][0]
    assert not AchievementTransfer.objects.exists()


@pytest.mark.parametrize("second_mode", ["assignment", "equity"])
def test_the_ownership_of_a_grant_passes_to_an_enterprise_once(bureau_user, second_mode):
    grant = OwnershipGrantFactory(achievement=AchievementFactory(title="杂粮复合粉"))
    first = OrganizationFactory(name="繁峙县杂粮产业发展有限公司")
    other = OrganizationFactory(name="静乐县藜麦科技开发有限公司")

    def transfer(mode, enterprise):
        row = AchievementTransfer(
            grant=grant,
            mode=mode,
            enterprise=enterprise,
            amount=Decimal("35"),
            transferred_on=dt.date(2023, 10, 18),
        )
        return services.achievement_transfer_save(transfer=row, user=bureau_user)

    assigned = transfer("assignment", first)
    with pytest.raises(ValidationError) as error:
        transfer(second_mode, other)
    assert error.value.message_dict["mode"] == [
        "已存在相同的记录：同一赋权的所有权只能转出一次（转让或作价入股），"
        "见“杂粮复合粉 转让给繁峙县杂粮产业发展有限公司”。"
    ]
    assert AchievementTransfer.objects.count() == 1
    # A licence is not a passing of the ownership; the recorded assignment may be edited (it excludes itself).
    transfer("licence", other)
    assigned = AchievementTransfer.objects.get(pk=assigned.pk)
    assigned.amount = Decimal("36")
    services.achievement_transfer_save(transfer=assigned, user=bureau_user)
    assert AchievementTransfer.objects.count() == 2


def test_forms_show_the_share_and_the_second_transfer_once_on_their_field(client, bureau_user):
    grant = OwnershipGrantFactory(share_percent=Decimal("70"))
    client.force_login(bureau_user)
    data = {"team": "李晓燕团队", "mode": "ownership", "share_percent": "70", "granted_on": "2023-08-01"}
    response = client.post(
        reverse("projects:ownershipgrant_add", args=[grant.achievement.pk]), {**data, "approval_no": "文号"}
    )
    assert response.status_code == 200
    assert "本次最多30%" in response.context["form"].errors["share_percent"][0]
    assert response.content.decode().count("本次最多30%") == 1
    assert grant.achievement.grants.count() == 1

    enterprise = OrganizationFactory()
    AchievementTransferFactory(grant=grant, mode="assignment", enterprise=enterprise)
    response = client.post(
        reverse("projects:achievementtransfer_add", args=[grant.pk]),
        {
            "mode": "assignment",
            "enterprise": OrganizationFactory().pk,
            "amount": "12",
            "transferred_on": "2023-10-01",
        },
    )
    assert response.status_code == 200
    assert "只能转出一次" in response.context["form"].errors["mode"][0]
    assert response.content.decode().count("只能转出一次") == 1
    assert grant.transfers.count() == 1


def test_approval_document_is_checked_and_stored_under_a_generated_name(bureau_user):
    grant = OwnershipGrantFactory()
    with pytest.raises(ValidationError) as error:
        services.ownership_grant_save(
            grant=grant, user=bureau_user, upload=SimpleUploadedFile("批复.pdf", b"MZ\x90\x00not a pdf")
        )
    assert "不符" in error.value.message_dict["approval_file"][0]
    services.ownership_grant_save(
        grant=grant, user=bureau_user, upload=SimpleUploadedFile("批复.pdf", b"%PDF-1.7\n%x\n")
    )
    grant.refresh_from_db()
    assert grant.approval_file_name == "批复.pdf" and grant.approval_file.name.endswith(".pdf")
    assert "批复" not in grant.approval_file.name


def test_only_bureau_staff_record_the_pilot(leader_user, county_user):
    achievement = AchievementFactory()
    for user in (leader_user, county_user):
        with pytest.raises(PermissionDenied):
            services.achievement_save(achievement=achievement, user=user)


# --------------------------------------------------------------------------------------------- figures


def test_totals_by_unit_and_year(world):
    first, second = OwnershipPilotFactory(), OwnershipPilotFactory()
    a1 = AchievementFactory(pilot=first)
    g1 = OwnershipGrantFactory(achievement=a1, granted_on=dt.date(2023, 3, 1))
    OwnershipGrantFactory(
        achievement=a1, granted_on=dt.date(2023, 9, 1), mode="long_term_use", share_percent=None, years=10
    )
    g2 = OwnershipGrantFactory(achievement=AchievementFactory(pilot=second), granted_on=dt.date(2023, 5, 1))
    OwnershipGrantFactory(achievement=AchievementFactory(pilot=second), granted_on=dt.date(2022, 5, 1))
    AchievementTransferFactory(grant=g1, amount=Decimal("35.00"), transferred_on=dt.date(2023, 10, 1))
    AchievementTransferFactory(grant=g1, amount=Decimal("5.50"), transferred_on=dt.date(2024, 1, 5))
    AchievementTransferFactory(grant=g2, amount=Decimal("18.50"), transferred_on=dt.date(2023, 12, 6))
    figures = selectors.ownership_figures(user=world.users["bureau"], year=2023)
    assert figures["achievements"] == 2  # a1 twice counts once
    assert figures["grants"] == 3
    assert figures["transfers"] == 2
    assert figures["amount"] == Decimal("53.50")
    rows = {row["unit"]: row for row in figures["by_unit"]}
    assert rows[str(first.organization)]["achievements"] == 1
    assert rows[str(first.organization)]["grants"] == 2
    assert rows[str(first.organization)]["amount"] == Decimal("35.00")
    assert rows[str(second.organization)]["amount"] == Decimal("18.50")
    assert selectors.ownership_figures(user=world.users["bureau"], year=2024)["amount"] == Decimal("5.50")
    years = [row["year"] for row in selectors.ownership_figures_by_year(user=world.users["bureau"])]
    assert years == [2024, 2023, 2022]


def test_a_unit_in_both_pilots_keeps_the_schemes_apart(client, bureau_user):
    pilot = OwnershipPilotFactory()
    LumpSumPilot.objects.create(organization=pilot.organization, batch=2, since_year=2023)
    client.force_login(bureau_user)
    page = client.get(pilot.get_absolute_url()).content.decode()
    assert "同时是" in page and "包干制" in page
    lump = client.get(reverse("projects:lumpsumpilot_list")).context["table"].paginator.count
    ownership = client.get(reverse("projects:ownershippilot_list")).context["table"].paginator.count
    assert (lump, ownership) == (1, 1)
    pilot.organization.lump_sum_pilot.delete()
    assert client.get(pilot.get_absolute_url()).status_code == 200


# ------------------------------------------------------------------------------------------------ pages


def test_lists_take_a_constant_number_of_queries(
    client, bureau_user, county_a, django_assert_max_num_queries
):
    client.force_login(bureau_user)
    urls = [
        reverse("projects:ownershippilot_list"),
        reverse("projects:achievement_list"),
        reverse("projects:achievementtransfer_list"),
    ]

    def counts():
        result = []
        for url in urls:
            with django_assert_max_num_queries(12) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured.captured_queries))
        return result

    AchievementTransferFactory()
    counts()  # the first pages after the login read the permissions and region caches
    small = counts()
    for _ in range(30):
        AchievementTransferFactory(
            grant=OwnershipGrantFactory(
                achievement=AchievementFactory(source_project=ProjectFactory(region=county_a))
            )
        )
    assert counts() == small


def test_grant_form_shows_the_share_refusal(client, bureau_user):
    achievement = AchievementFactory()
    client.force_login(bureau_user)
    response = client.post(
        reverse("projects:ownershipgrant_add", args=[achievement.pk]),
        {
            "team": "团队",
            "mode": "ownership",
            "share_percent": "150",
            "granted_on": "2023-08-01",
            "approval_no": "文号",
        },
    )
    assert response.status_code == 200
    assert "所有权比例超出范围" in response.content.decode()
    assert not OwnershipGrant.objects.exists()


def test_transfer_form_shows_the_date_refusal(client, bureau_user):
    grant = OwnershipGrantFactory(granted_on=dt.date(2023, 8, 1))
    enterprise = OrganizationFactory()
    client.force_login(bureau_user)
    response = client.post(
        reverse("projects:achievementtransfer_add", args=[grant.pk]),
        {"mode": "licence", "enterprise": enterprise.pk, "amount": "12.5", "transferred_on": "2023-07-01"},
    )
    assert response.status_code == 200
    assert "转化日期（2023-07-01）不能早于赋权日期（2023-08-01）。" in response.content.decode()
    response = client.post(
        reverse("projects:achievementtransfer_add", args=[grant.pk]),
        {"mode": "licence", "enterprise": enterprise.pk, "amount": "12.5", "transferred_on": "2023-08-01"},
    )
    assert response.status_code == 302
    assert AchievementTransfer.objects.get().amount == Decimal("12.50")


def test_achievement_form_looks_up_the_source_project(client, bureau_user, county_a):
    pilot = OwnershipPilotFactory()
    project = ProjectFactory(region=county_a)
    client.force_login(bureau_user)
    data = {"pilot": pilot.pk, "title": "成果", "kind": "software", "number": "2023SR1", "inventors": "甲"}
    response = client.post(reverse("projects:achievement_add"), {**data, "source_project_number": "NOPE-1"})
    assert "项目编号“NOPE-1”不存在" in response.content.decode()
    response = client.post(
        reverse("projects:achievement_add"), {**data, "source_project_number": project.number}
    )
    assert response.status_code == 302
    assert pilot.achievements.get().source_project == project


def test_exports_hold_what_the_lists_show(client, leader_user):
    first = AchievementTransferFactory(amount=Decimal("35.00"), transferred_on=dt.date(2023, 10, 1))
    AchievementTransferFactory(amount=Decimal("7.00"), transferred_on=dt.date(2024, 2, 1))
    client.force_login(leader_user)
    response = client.get(reverse("projects:achievementtransfer_export") + "?year=2023")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 2
    assert rows[1][0] == first.grant.achievement.title
    response = client.get(reverse("projects:achievement_export"))
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][0] == "成果名称" and len(rows) == 3


def test_figures_page_states_the_totals(client, leader_user):
    AchievementTransferFactory(amount=Decimal("35.00"), transferred_on=dt.date(2023, 10, 1))
    client.force_login(leader_user)
    page = client.get(reverse("projects:ownership_figures")).content.decode()
    assert "2023 年：赋权成果 1 项，赋权 1 次，转化 1 项，转化金额 35.00 万元" in page
