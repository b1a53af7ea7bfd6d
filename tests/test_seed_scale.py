"""The scale generator produces what it says at 'city' scale, quickly, and refuses other databases."""

import io
import time

import pytest
from django.core.management import CommandError, call_command

from enterprises.models import Enterprise, EnterpriseYear
from experts.models import Expert, ReviewScore
from kejiju.accounts.models import Region
from kejiju.core.identifiers import is_valid_uscc
from kejiju.core.models import WorkflowEvent
from kejiju.core.scale import SCALES
from kejiju.reporting.models import MonthlyFiling
from platforms.models import Platform
from projects.models import Project


@pytest.mark.django_db
def test_refuses_a_database_not_named_scale(settings):
    settings.SEED_SCALE_ALLOWED = False
    with pytest.raises(CommandError, match="_scale"):
        call_command("seed_scale", "--scale", "city", stdout=io.StringIO())
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_city_scale_builds_what_it_says_in_seconds(settings):
    settings.SEED_SCALE_ALLOWED = True
    size = SCALES["city"]
    started = time.perf_counter()
    call_command("seed_scale", "--scale", "city", "--seed", "7", stdout=io.StringIO())
    assert time.perf_counter() - started < 60
    assert Region.objects.county_level().count() == size.county_units
    assert Enterprise.objects.count() == size.enterprises
    codes = Enterprise.objects.values_list("uscc", flat=True)
    assert all(is_valid_uscc(code) for code in codes), "generated codes pass the whole GB 32100 check"
    assert EnterpriseYear.objects.count() == size.enterprises * size.enterprise_years
    assert Platform.objects.count() == size.platforms
    assert (
        WorkflowEvent.objects.filter(workflow="platforms.platform", action="register").count()
        == size.platforms
    )
    assert Project.objects.count() == size.projects
    assert WorkflowEvent.objects.filter(workflow="projects.project", action="create").count() == size.projects
    assert Expert.objects.count() == size.experts
    assert ReviewScore.objects.count() == size.review_scores
    assert MonthlyFiling.objects.count() == size.county_units * size.filing_years * 12
    # PII went through the experts' own helper: the masked and encrypted forms, never the clear text.
    expert = Expert.objects.order_by("pk").first()
    assert expert.reveal_id_number().startswith("140902")
    assert "*" in expert.id_number_masked
    # Sequences follow the COPYed ids: an ordinary insert still works.
    region = Region.objects.county_level().first()
    created = Region.objects.create(
        code="T-SEQ", name="序列检查", kind=Region.Kind.ZONE, parent=region.parent
    )
    assert created.pk > region.pk


@pytest.mark.django_db
def test_same_seed_same_data(settings):
    settings.SEED_SCALE_ALLOWED = True
    call_command("seed_scale", "--scale", "city", "--seed", "3", stdout=io.StringIO())
    names = list(Enterprise.objects.order_by("pk").values_list("name", flat=True)[:50])
    assert len(set(names)) == 50
    assert names[0].endswith("000000")
