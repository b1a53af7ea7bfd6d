"""企业创新能力评价: the bureau records the four parts of an enterprise's score in the 培育库 (the total is
their sum, never typed), with its date; the 高企 checklist reads the latest one instead of always saying
未评价; out-of-range parts, a closed entry, a county office or another county's entry are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from enterprises import rules, services
from enterprises.models import InnovationAssessment
from tests.enterprises.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SCORES = {"ip_score": 24, "conversion_score": 22, "management_score": 15, "growth_score": 10}


@pytest.mark.parametrize(
    ("scores", "problems"),
    [
        (SCORES, {}),
        ({**SCORES, "ip_score": 31}, {"ip_score": "知识产权得分须在0–30分之间，填写的是31分。"}),
        ({**SCORES, "growth_score": -1}, {"growth_score": "企业成长性得分须在0–20分之间，填写的是-1分。"}),
        (
            {**SCORES, "management_score": None},
            {"management_score": "请填写研究开发组织管理水平得分（0–20分）。"},
        ),
    ],
)
def test_innovation_parts_are_checked_one_by_one(scores, problems):
    assert rules.innovation_problems(scores) == problems


def test_the_total_is_the_sum_of_the_parts_and_the_checklist_needs_more_than_70():
    assert rules.innovation_total(SCORES) == 71
    assert sum(part.maximum for part in rules.INNOVATION_PARTS) == 100


@pytest.fixture
def entry(world):
    enterprise = EnterpriseFactory(region=world.county_a)
    recommender = next(u for u in world.users.values() if u.has_perm("enterprises.recommend_poolentry"))
    return services.pool_recommend(enterprise=enterprise, actor=recommender, on=TODAY - dt.timedelta(days=10))


def test_bureau_records_an_assessment_and_the_checklist_reads_it(world, entry, client):
    client.force_login(world.users["bureau"])
    page = client.get(reverse("enterprises:poolentry_detail", args=[entry.pk])).content.decode()
    assert "未评价" in page and reverse("enterprises:poolentry_assess", args=[entry.pk]) in page
    form = client.get(reverse("enterprises:poolentry_assess", args=[entry.pk])).content.decode()
    assert f'value="{TODAY:%Y-%m-%d}"' in form  # the date input shows today, not an empty box
    response = client.post(
        reverse("enterprises:poolentry_assess", args=[entry.pk]),
        {"assessed_on": TODAY.isoformat(), **SCORES, "note": "专家预评估"},
    )
    assert response.status_code == 302
    assessment = InnovationAssessment.objects.get(entry=entry)
    assert (assessment.total, assessment.recorded_by) == (71, world.users["bureau"])
    page = client.get(reverse("enterprises:poolentry_detail", args=[entry.pk])).content.decode()
    assert "71分" in page and "未评价" not in page


def test_a_part_out_of_range_is_refused_on_its_field_and_nothing_is_saved(world, entry, client):
    client.force_login(world.users["bureau"])
    response = client.post(
        reverse("enterprises:poolentry_assess", args=[entry.pk]),
        {"assessed_on": TODAY.isoformat(), **SCORES, "conversion_score": 35},
    )
    assert response.status_code == 200
    assert "conversion_score" in response.context["form"].errors
    assert not InnovationAssessment.objects.exists()


def test_refusals_of_the_service(world, entry):
    bureau = world.users["bureau"]
    with pytest.raises(ValidationError) as future:
        services.pool_innovation_assess(
            entry=entry, actor=bureau, assessed_on=TODAY + dt.timedelta(days=1), scores=SCORES
        )
    assert "评价日期" in future.value.message_dict["assessed_on"][0]
    with pytest.raises(ValidationError) as early:
        services.pool_innovation_assess(
            entry=entry, actor=bureau, assessed_on=TODAY - dt.timedelta(days=11), scores=SCORES
        )
    assert "推荐日期" in early.value.message_dict["assessed_on"][0]
    with pytest.raises(PermissionDenied):
        services.pool_innovation_assess(entry=entry, actor=world.users["county"], scores=SCORES)
    services.pool_transition(entry=entry, action="decline", actor=bureau, comment="条件不足")
    entry.refresh_from_db()
    with pytest.raises(ValidationError) as closed:
        services.pool_innovation_assess(entry=entry, actor=bureau, scores=SCORES)
    assert "未入库" in closed.value.message_dict["assessed_on"][0]
    assert not InnovationAssessment.objects.exists()
