"""The enterprise files for itself: its administrator keeps the 信息表, submits the 科技型中小企业
evaluation and applies for the 高企培育库; the county's 形式审查 / 推荐 and the bureau's steps follow as
for any other."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.models import EnterpriseYear, PoolEntry, SmesEvaluation
from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.selectors import events_for
from kejiju.core.workflow.services import apply_transition
from tests.enterprises.factories import GOOD_FIGURES, EnterpriseFactory, EnterpriseYearFactory

pytestmark = pytest.mark.django_db


def _take(record, action, actor, **kwargs):
    kwargs.setdefault("effective_on", timezone.localdate())
    apply_transition(record=record, action=action, actor=actor, **kwargs)
    record.refresh_from_db()


def _own(world):
    return EnterpriseFactory(region=world.county_a, name=world.unit_a.name, organization=world.unit_a)


def _figures(year: int) -> dict:
    return {"year": year, **{key: str(value) for key, value in GOOD_FIGURES.items()}}


# ------------------------------------------------------------------------------------------ 信息表


def test_the_unit_admin_keeps_its_own_yearly_figures(client, world):
    enterprise = _own(world)
    client.force_login(world.users["unit_admin"])
    response = client.post(reverse("enterprises:enterpriseyear_add", args=[enterprise.pk]), _figures(2025))
    assert response.status_code == 302
    row = EnterpriseYear.objects.get(enterprise=enterprise, year=2025)
    data = _figures(2025) | {"tech_staff": "120"}  # more scientists than staff: named, nothing saved
    response = client.post(reverse("enterprises:enterpriseyear_edit", args=[row.pk]), data)
    assert response.status_code == 200 and "科技人员数不能大于职工总数" in str(
        response.context["form"].errors
    )
    row.refresh_from_db()
    assert row.tech_staff == GOOD_FIGURES["tech_staff"]


def test_another_units_enterprise_is_404_and_the_project_leader_is_refused(client, world):
    theirs = EnterpriseFactory(region=world.county_b, organization=world.unit_b)
    client.force_login(world.users["unit_admin"])
    for url_name in ("enterpriseyear_add", "smesevaluation_add", "poolentry_request"):
        assert client.get(reverse(f"enterprises:{url_name}", args=[theirs.pk])).status_code == 404, url_name
    client.force_login(world.users["applicant"])
    mine = _own(world)
    for url_name in ("enterpriseyear_add", "smesevaluation_add", "poolentry_request"):
        assert client.get(reverse(f"enterprises:{url_name}", args=[mine.pk])).status_code == 403, url_name


def test_a_year_scored_by_an_evaluation_under_way_is_locked_for_the_enterprise(client, world):
    enterprise = _own(world)
    row = EnterpriseYearFactory(enterprise=enterprise, year=timezone.localdate().year - 1)
    client.force_login(world.users["unit_admin"])
    client.post(reverse("enterprises:smesevaluation_add", args=[enterprise.pk]), {"year": row.year + 1})
    evaluation = SmesEvaluation.objects.get(enterprise=enterprise)
    edit = reverse("enterprises:enterpriseyear_edit", args=[row.pk])
    response = client.post(edit, _figures(row.year) | {"employees": "90"})
    assert "已用于科技型中小企业评价" in str(response.context["form"].errors)
    # Returned by the county, the enterprise corrects its figures.
    _take(evaluation, "review_return", actor=world.users["county"], comment="数据有误")
    assert client.post(edit, _figures(row.year) | {"employees": "90"}).status_code == 302
    row.refresh_from_db()
    assert row.employees == 90


# --------------------------------------------------------------------------------------- 科小评价


def test_the_enterprise_submits_its_evaluation_and_the_county_reviews_it(client, world):
    enterprise = _own(world)
    year = timezone.localdate().year
    EnterpriseYearFactory(enterprise=enterprise, year=year - 1)
    client.force_login(world.users["unit_admin"])
    url = reverse("enterprises:smesevaluation_add", args=[enterprise.pk])
    assert "submitted_on" not in client.get(url).context["form"].fields
    response = client.post(url, {"year": year})
    evaluation = SmesEvaluation.objects.get(enterprise=enterprise)
    assert response.status_code == 302 and response["Location"] == evaluation.get_absolute_url()
    assert evaluation.submitted_on == timezone.localdate()
    assert client.get(evaluation.get_absolute_url()).status_code == 200
    assert "已有评价记录" in str(client.post(url, {"year": year}).context["form"].errors)
    client.force_login(world.users["county"])
    assert "科小评价待形式审查" in client.get(reverse("core:home")).content.decode()
    _take(evaluation, "review_pass", actor=world.users["county"])
    evaluation.refresh_from_db()
    assert evaluation.state == SmesEvaluation.State.REVIEWED


def test_without_last_years_figures_the_evaluation_names_the_year(client, world):
    enterprise = _own(world)
    year = timezone.localdate().year
    client.force_login(world.users["unit_admin"])
    response = client.post(reverse("enterprises:smesevaluation_add", args=[enterprise.pk]), {"year": year})
    assert f"请先填报该企业{year - 1}年度数据" in str(response.context["form"].errors)
    assert not SmesEvaluation.objects.exists()


# -------------------------------------------------------------------------------------- 高企培育库


def test_the_enterprise_applies_the_county_recommends_the_bureau_admits(client, world):
    enterprise = _own(world)
    client.force_login(world.users["unit_admin"])
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert reverse("enterprises:poolentry_request", args=[enterprise.pk]) in page
    assert reverse("enterprises:poolentry_recommend", args=[enterprise.pk]) not in page
    url = reverse("enterprises:poolentry_request", args=[enterprise.pk])
    assert "reason" in client.post(url, {"reason": "  "}).context["form"].errors
    assert client.post(url, {"reason": "研发投入占比 6%，发明专利 2 件。"}).status_code == 302
    entry = PoolEntry.objects.get(enterprise=enterprise)
    assert entry.state == PoolEntry.State.REQUESTED
    assert events_for(entry).get().label == "企业申请"
    assert "已在高企培育库中" in str(client.post(url, {"reason": "再次申请"}).context["form"].errors)
    client.force_login(world.users["county"])
    assert "企业申请入库待推荐" in client.get(reverse("core:home")).content.decode()
    with pytest.raises(TransitionRefused):  # another county's office does not see it
        _take(entry, "county_recommend", actor=world.users["other_county"])
    _take(entry, "county_recommend", actor=world.users["county"], comment="同意推荐")
    entry.refresh_from_db()
    assert entry.state == PoolEntry.State.RECOMMENDED and entry.recommendation == "同意推荐"
    assert entry.recommended_on == timezone.localdate()
    _take(entry, "admit", actor=world.users["bureau"], data={"year": timezone.localdate().year})
    entry.refresh_from_db()
    assert entry.state == PoolEntry.State.ADMITTED


def test_a_declined_application_says_why_and_the_enterprise_may_apply_again(client, world):
    enterprise = _own(world)
    client.force_login(world.users["unit_admin"])
    url = reverse("enterprises:poolentry_request", args=[enterprise.pk])
    client.post(url, {"reason": "申请入库"})
    entry = PoolEntry.objects.get(enterprise=enterprise)
    with pytest.raises(TransitionRefused):
        _take(entry, "county_decline", actor=world.users["county"], comment=" ")
    _take(entry, "county_decline", actor=world.users["county"], comment="研发投入不足")
    entry.refresh_from_db()
    assert entry.state == PoolEntry.State.DECLINED
    assert "研发投入不足" in client.get(entry.get_absolute_url()).content.decode()
    assert client.post(url, {"reason": "补充材料后再次申请"}).status_code == 302
    assert PoolEntry.objects.filter(enterprise=enterprise, state=PoolEntry.State.REQUESTED).count() == 1


def test_a_county_recommendation_is_not_dated_before_the_application(world):
    enterprise = _own(world)
    from enterprises import services

    entry = services.pool_request(enterprise=enterprise, actor=world.users["unit_admin"], reason="申请")
    with pytest.raises(TransitionRefused):
        _take(
            entry,
            "county_recommend",
            actor=world.users["county"],
            effective_on=entry.recommended_on - dt.timedelta(days=1),
        )
