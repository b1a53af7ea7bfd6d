"""The 2023 edition built from the full demo world states the seed's own figures, because the data says so.
seed_demo runs once for the module, inside a transaction rolled back at the end."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from kejiju.core import uploads

# A db mark so that pytest-django runs these before the transactional tests that flush the migrations' rows.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def edition(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = uploads.atomic()  # seed_demo stores files: the transaction that removes them on rollback
        atomic.__enter__()
        try:
            from kejiju.accounts.models import Region
            from kejiju.accounts.regions import ensure_regions
            from kejiju.core.holidays import ensure_published_arrangements
            from kejiju.core.models import HolidayArrangement

            if not Region.objects.exists():  # a transactional test before this one flushed them
                ensure_regions(Region)
            ensure_published_arrangements(HolidayArrangement)  # the demo dates its 公示 in working days
            call_command("seed_demo", stdout=io.StringIO())
            out = io.StringIO()
            call_command("build_annual_review", "2023", stdout=out)
            path = Path(out.getvalue().strip().splitlines()[-1])
            with default_storage.open(str(path), "rb") as handle:
                pdf = handle.read()
            run = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
            text = run.stdout.decode()
            yield {"path": path, "pdf": pdf, "text": "".join(text.split())}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize(
    "phrase",
    [
        "市重点实验室4家",
        "市中试基地1家",
        "市技术创新中心8家",
        "市众创空间4家",
        "市新型研发机构3家",
        "科技型中小企业评价入库174家",
        "高新技术企业培育库新入库25家",
        "全市共选派科技特派团11个、科技特派员171人",
        "高校科技成果转化基地项目22个",
        "建成产业园4个",
        "来自65所高校",
        "新入库专家27人",
        # 2023's 30 applications, of which 20 were 立项 in 2023 (the old "市级科技计划项目" counted all 30).
        "全市申报市级科技计划项目30项，立项20项",
    ],
)
def test_2023_edition_states_the_seed_figures(edition, phrase):
    assert phrase in edition["text"]


def test_command_prints_the_pdf_path_last(edition):
    assert edition["path"].suffix == ".pdf" and edition["pdf"].startswith(b"%PDF")
    assert "附录二" in edition["text"] and "年入库科技型中小企业" in edition["text"]
    assert "山西众立法兰有限公司" in edition["text"] or "山西雁门山酒业有限公司" in edition["text"]


def test_2023_edition_has_the_science_week_the_pilot_and_the_researcher_targets(edition):
    from kejiju.accounts.models import Region
    from kejiju.reporting.models import ResearcherTarget
    from platforms.models import OutreachEvent
    from projects.models import LumpSumPilot, OwnershipPilot

    counties = list(Region.objects.county_level())
    week = OutreachEvent.objects.filter(science_week=True, held_on__year=2023, state="held")
    assert {event.region_id for event in week} >= {region.pk for region in counties}
    assert set(ResearcherTarget.objects.filter(year=2023).values_list("region", flat=True)) == {
        region.pk for region in counties
    }
    pilot = OwnershipPilot.objects.get(organization__name="忻州师范学院")
    assert LumpSumPilot.objects.filter(organization=pilot.organization).exists()  # two schemes, one unit
    assert pilot.achievements.filter(grants__isnull=False).distinct().count() == 2
    text = edition["text"]
    assert f"科技活动周期间举办活动{week.count()}场" in text
    assert "职务科技成果赋权改革试点赋权成果2项，转化金额53.50万元" in text
    assert "科研人员倍增计划目标" in text


def test_the_universities_figure_links_to_the_65_universities(edition):
    """The 科技副总 figure of universities opens the units list filtered to them: the list counts 65 (the
    97 candidates are another figure, with its own link)."""
    from urllib.parse import parse_qs, urlsplit

    from kejiju.core.filters import OrganizationFilterSet
    from kejiju.core.models import Organization
    from kejiju.reporting.views.annual import figure_links

    link = urlsplit(figure_links(2023, None)["vp_universities"])
    assert link.path == "/organizations/"
    data = {key: values[0] for key, values in parse_qs(link.query).items()}
    universities = OrganizationFilterSet(data, queryset=Organization.objects.all()).qs
    assert universities.count() == 65
    assert set(universities.values_list("kind", flat=True)) == {Organization.Kind.UNIVERSITY}
    assert "科技副总来源高校（所）65" in edition["text"]
