"""Every figure of the annual review states its definition: each headline has a note, shown on the
dashboard, the edition page and in the PDF; the county table ends with the city's figures; an edition says
which definitions its stored numbers follow, and one built before they were versioned says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run
from kejiju.reporting import definitions
from kejiju.reporting.annual import HEADLINES, annual_statistics
from kejiju.reporting.annual_pdf import KIND

from .pdfcheck import pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", [key for key, _, _ in HEADLINES])
def test_every_headline_has_its_definition(key):
    assert definitions.figure_notes().get(key), f"headline {key} has no FIGURE_NOTES entry in its app"


def test_every_county_column_is_a_headline():
    headline_keys = {key for key, _, _ in HEADLINES}
    assert {c.key for c in definitions.COUNTY_COLUMNS} <= headline_keys


def test_dashboard_shows_every_definition_and_the_county_total(world, client):
    client.force_login(world.users["leader"])
    response = client.get(reverse("reporting:annual_dashboard"), {"year": 2023})
    html = response.content.decode()
    stats = response.context["stats"]
    for figure in stats["figures"]:
        assert figure["note"] and figure["note"] in html
    assert stats["definitions"]["version"] == definitions.VERSION
    assert stats["notes"]["timeliness"] in html
    table = response.context["county_table"]
    assert [c.key for c in table["columns"]] == [c.key for c in definitions.COUNTY_COLUMNS]
    assert 'data-testid="county-total"' in html
    assert html.count('data-testid="figure-note"') >= 4


def _edition(world, *, legacy: bool) -> ReportJob:
    job = ReportJob.objects.create(
        kind=KIND,
        parameters={"year": 2023, "region": None, "narrative": ""},
        requested_by=world.users["leader"],
    )
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.SUCCEEDED, job.error
    if legacy:  # as an edition built before the definitions were versioned was stored
        for key in ("definitions", "notes", "county_columns", "county_total"):
            job.result.pop(key)
        for row in job.result["counties"]:
            row["vice_presidents"] = row.pop("vp_candidates")
        for figure in job.result["figures"]:
            figure.pop("note")
        job.save(update_fields=["result"])
    return job


def test_an_edition_states_its_definitions_and_the_pdf_lists_them(world, client):
    job = _edition(world, legacy=False)
    client.force_login(world.users["leader"])
    page = client.get(reverse("reporting:annual_edition_detail", args=[job.pk])).content.decode()
    assert f"统计口径：{definitions.LABEL}" in page
    assert 'data-testid="county-total"' in page
    pdf = client.get(reverse("reporting:annual_edition_download", args=[job.pk]))
    text = "".join(pdf_text(b"".join(pdf.streaming_content)).split())
    assert "统计口径说明" in text
    assert "".join(definitions.figure_notes()["platforms"].split()) in text


def test_an_edition_built_before_the_definitions_says_so_and_keeps_its_table(world, client):
    job = _edition(world, legacy=True)
    client.force_login(world.users["bureau"])
    response = client.get(reverse("reporting:annual_edition_detail", args=[job.pk]))
    page = response.content.decode()
    assert f"统计口径：{definitions.LEGACY_LABEL}" in page
    labels = [c.label for c in response.context["county_table"]["columns"]]
    # The same columns; money, stored in 元, is shown in 万元 and labelled so.
    assert labels == [c.label.replace("（元）", "（万元）") for c in definitions.LEGACY_COUNTY_COLUMNS]
    assert 'data-testid="county-total"' not in page
    assert 'data-testid="figure-note"' not in page


def test_the_county_table_is_cut_for_the_page_without_losing_a_column(world):
    stats = annual_statistics(year=2023)
    table = definitions.county_table(stats)
    parts = definitions.county_table_parts(table, columns=5)
    assert [c for part in parts for c in part["columns"]] == table["columns"]
    for part in parts:
        assert len(part["columns"]) <= 5
        assert all(len(row["cells"]) == len(part["columns"]) for row in part["rows"])
        assert len(part["total"]) == len(part["columns"])
