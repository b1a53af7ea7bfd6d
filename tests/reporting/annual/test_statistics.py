"""The annual statistics against a hand-built fixture, the change on the previous year, query counts,
links to the lists that show the same numbers, the dashboard's permissions and the PDF's content."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run
from kejiju.reporting.annual import annual_statistics, figure_value, summary_sentences
from kejiju.reporting.annual_pdf import KIND, bar_chart, render_pdf
from tests.enterprises.build import admitted_pool_entry, admitted_smes
from tests.enterprises.factories import (
    CertificateFactory,
    EnterpriseFactory,
    SmesEvaluationFactory,
)
from tests.experts.factories import CommissionerFactory, PlacementFactory, TeamFactory, UniversityFactory
from tests.projects.factories import CooperationProjectFactory

from .pdfcheck import pdf_glyphs, pdf_text

pytestmark = pytest.mark.django_db


def _smes(region, year, n, *, start=0):
    # Through the services: the figure reads the 入库 events (factories write none).
    for _ in range(n):
        admitted_smes(region=region, year=year, admitted_on=date(year, 6, 1))


def _pool(region, year, n):
    for _ in range(n):
        admitted_pool_entry(region=region, admitted_on=date(year, 7, 1))


def _commissioners(region, year, teams, members):
    for _team in range(teams):
        team = TeamFactory(year=year, counties=[region])
        for _ in range(members):
            CommissionerFactory(team=team, county=region)


@pytest.fixture
def figures(world):
    a, b = world.county_a, world.county_b
    _smes(a, 2023, 3)
    _smes(b, 2023, 2, start=10)
    _smes(a, 2022, 1, start=20)
    _smes(a, 2023, 0)
    SmesEvaluationFactory(enterprise=EnterpriseFactory(region=a), year=2023, state="rejected")
    _pool(a, 2023, 2)
    _pool(b, 2022, 3)
    _commissioners(a, 2023, 2, 3)
    _commissioners(b, 2022, 1, 2)
    # 科技副总 of 2023: four candidates from two universities (one placed in county B), one of 2022.
    north, south = UniversityFactory(), UniversityFactory()
    for university, county in ((north, a), (north, a), (north, b), (south, None)):
        PlacementFactory(university=university, county=county, year=2023)
    PlacementFactory(university=UniversityFactory(), year=2022)
    # Valid on 31 December 2023: the first only (the second expired, the third was revoked in 2023).
    CertificateFactory(
        enterprise=EnterpriseFactory(region=a), issued_on=date(2022, 12, 1), expires_on=date(2025, 11, 30)
    )
    CertificateFactory(
        enterprise=EnterpriseFactory(region=b), issued_on=date(2020, 1, 1), expires_on=date(2022, 12, 31)
    )
    CertificateFactory(
        enterprise=EnterpriseFactory(region=b),
        issued_on=date(2023, 1, 1),
        expires_on=date(2025, 12, 31),
        revoked_on=date(2023, 6, 30),
    )
    # 省校合作 of 2023: one 成果转化基地 landed and one 产业园 finished count; the 已终止 ones dated in 2023
    # do not (the list links must leave them out too).
    on = date(2023, 5, 1)
    CooperationProjectFactory(region=a, state="landed", signed_on=on, landed_on=on)
    CooperationProjectFactory(region=a, state="stopped", signed_on=on, landed_on=on)
    for state in ("finished", "stopped"):
        CooperationProjectFactory(
            region=b, kind="industrial_park", state=state, signed_on=on, landed_on=on, finished_on=on
        )
    return world


def test_statistics_city_and_change_on_previous_year(figures):
    stats = annual_statistics(year=2023)
    assert figure_value(stats, "smes") == 5
    assert figure_value(stats, "pool") == 2
    assert figure_value(stats, "commissioner_teams") == 2
    assert figure_value(stats, "commissioners") == 6
    assert figure_value(stats, "gaoqi_valid") == 1
    by_key = {f["key"]: f for f in stats["figures"]}
    assert by_key["smes"]["previous"] == 1 and by_key["smes"]["change"] == "+4"
    assert by_key["pool"]["previous"] == 3 and by_key["pool"]["change"] == "-1"
    assert by_key["commissioners"]["previous"] == 2 and by_key["commissioners"]["change"] == "+4"
    counties = {row["region"]: row for row in stats["counties"]}
    assert counties[figures.county_a.name]["smes"] == 3
    assert counties[figures.county_b.name]["smes"] == 2
    assert counties[figures.county_a.name]["commissioners"] == 6
    assert stats["trend"]["series"]["smes"][-2:] == [1, 5]
    assert "全市共选派科技特派团2个、科技特派员6人。" in summary_sentences(stats)


def test_statistics_of_one_county(figures):
    stats = annual_statistics(year=2023, region=figures.county_b)
    assert figure_value(stats, "smes") == 2
    assert figure_value(stats, "pool") == 0
    assert figure_value(stats, "commissioners") == 0
    assert stats["counties"] == []
    assert len(stats["appendix"]["smes"]) == 2


def test_statistics_take_a_fixed_number_of_queries(figures, django_assert_max_num_queries):
    # About a dozen grouped queries per section, whatever the number of rows (the second block).
    with django_assert_max_num_queries(120) as small:
        annual_statistics(year=2023)
    _smes(figures.county_a, 2023, 40, start=100)
    _commissioners(figures.county_b, 2023, 5, 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        annual_statistics(year=2023)


def test_dashboard_figures_link_to_lists_showing_the_same_number(figures, client):
    client.force_login(figures.users["leader"])
    response = client.get(reverse("reporting:annual_dashboard"), {"year": 2023})
    assert response.status_code == 200
    stats = response.context["stats"]
    checked = 0
    for figure in stats["figures"]:
        if figure["unit"] == "万元":  # money links to the projects it sums
            continue
        listing = client.get(figure["url"])
        assert listing.status_code == 200, figure["url"]
        assert listing.context["table"].paginator.count == figure["value"], figure["key"]
        checked += 1
    assert checked == 14  # 新认定/升级认定 platforms and 申报/立项 projects are two figures each
    by_key = {f["key"]: f["value"] for f in stats["figures"]}
    assert (by_key["vp_candidates"], by_key["vp_universities"]) == (4, 2)
    assert (by_key["transfer_bases"], by_key["parks"]) == (1, 1)
    assert b'id="annual-chart-data"' in response.content
    assert b"<script>" not in response.content  # chart code lives in a static file


def test_dashboard_takes_a_fixed_number_of_queries(figures, client, django_assert_max_num_queries):
    client.force_login(figures.users["leader"])
    url = reverse("reporting:annual_dashboard")
    with django_assert_max_num_queries(140) as small:
        client.get(url, {"year": 2023})
    _smes(figures.county_b, 2023, 30, start=200)
    _pool(figures.county_a, 2023, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url, {"year": 2023})


def test_dashboard_county_filter_and_links(figures, client):
    client.force_login(figures.users["bureau"])
    response = client.get(
        reverse("reporting:annual_dashboard"), {"year": 2023, "region": figures.county_a.pk}
    )
    stats = response.context["stats"]
    smes = next(f for f in stats["figures"] if f["key"] == "smes")
    assert smes["value"] == 3
    assert client.get(smes["url"]).context["table"].paginator.count == 3
    universities = next(f for f in stats["figures"] if f["key"] == "vp_universities")
    assert universities["value"] == 1
    assert client.get(universities["url"]).context["table"].paginator.count == 1


def test_county_accounts_get_no_dashboard(world, client):
    client.force_login(world.users["county"])
    assert client.get(reverse("reporting:annual_dashboard")).status_code == 403
    assert client.post(reverse("reporting:annual_build"), {"year": 2023}).status_code == 403


def test_leader_builds_the_review_page_and_pdf_agree(figures, client, django_capture_on_commit_callbacks):
    client.force_login(figures.users["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:annual_build"), {"year": 2023})
    job = ReportJob.objects.get(kind=KIND)
    assert response.url == reverse("reporting:annual_edition_detail", args=[job.pk])
    assert job.state == ReportJob.State.SUCCEEDED, job.error
    dashboard = client.get(reverse("reporting:annual_dashboard"), {"year": 2023})
    assert job in list(dashboard.context["editions"])
    assert reverse("reporting:annual_edition_download", args=[job.pk]).encode() in dashboard.content
    download = client.get(reverse("reporting:annual_edition_download", args=[job.pk]))
    pdf = b"".join(download.streaming_content)
    text = pdf_text(pdf)
    compact = "".join(text.split())
    for figure in dashboard.context["stats"]["figures"]:
        stored = next(f for f in job.result["figures"] if f["key"] == figure["key"])
        assert stored["value"] == figure["value"]
        # The PDF's table row: label（unit）, this year, last year, change.
        shown = [figure["shown"], figure["previous_shown"]]  # money in 万元: 437.40
        row = f"{figure['label']}（{figure['unit']}）{shown[0]}{shown[1]}{figure['change']}"
        assert row in compact, row
    assert "科技型中小企业评价入库5家" in compact
    assert "共选派科技特派团2个、科技特派员6人" in compact


HOSTILE_NARRATIVE = (
    "<p class=MsoNormal><span style='mso-bidi-font-family:宋体'>从Word粘贴</span><o:p></o:p></p>\r\n\r\n"
    "   多余空白\u3000\u00a0\t全角空格\x0b垂直制表符 <script>alert(1)</script> &nbsp; 😀 𠮷 龘 𪚥"
)


def test_pdf_survives_what_users_type(world):
    """Word markup, odd whitespace, emoji, 生僻字 inside and outside the BMP, a 2,000-character unbroken
    string: all in the PDF's text, none drawn as .notdef, every font embedded as a subset."""
    from kejiju.reporting.rules import clean_narrative
    from platforms import services as platform_services
    from platforms.rules import Level, PlatformState
    from tests.platforms.factories import OrganizationFactory, platform_type

    odd = "𠮷野家😀龘𪚥<b>粗体</b>&nbsp;\u3000\u00a0\t"
    long = "A" * 180  # a platform's name holds 200 characters; the narrative carries the 2,000
    enterprise = EnterpriseFactory(region=world.county_a, name=f"山西{odd}科技有限公司")
    admitted_smes(enterprise=enterprise, year=2023, admitted_on=date(2023, 6, 1))
    platform_services.platform_create(  # through the service: the appendix reads the 认定 event
        name=f"{long}实验室",
        platform_type=platform_type(),
        level=Level.CITY,
        state=PlatformState.RECOGNISED,
        host=OrganizationFactory(),
        region=world.county_a,
        recognised_on=date(2023, 5, 1),
        user=world.users["bureau"],
    )
    narrative = clean_narrative(HOSTILE_NARRATIVE + "\n" + "B" * 2000)
    pdf = render_pdf(annual_statistics(year=2023), narrative=narrative)
    text = pdf_text(pdf)
    flat = "".join(text.split())
    typed = ("𠮷野家😀龘𪚥", "<b>粗体</b>", "从Word粘贴", "MsoNormal", "<script>alert(1)</script>")
    for piece in (*typed, "垂直制表符"):
        assert piece in flat, piece  # shown as typed, never interpreted
    assert "😀𠮷龘𪚥" in flat.replace(" ", "")
    raw = "".join(pdf_text(pdf, raw=True).split())
    assert "A" * 180 in raw
    assert raw.count("B") == 2000  # wrapped over lines and a page break, none lost
    glyphs = pdf_glyphs(pdf)
    assert glyphs.drawn > 1000
    assert glyphs.notdef == [], glyphs.notdef
    assert glyphs.fonts
    for name, font in glyphs.fonts.items():
        assert font.embedded and font.subset, name
    by_family = {name.split("+", 1)[1]: chars for name, chars in glyphs.characters.items()}
    rare = [family for family, chars in by_family.items() if "𪚥" in chars]
    assert rare and rare[0].startswith("HanaMin"), by_family
    assert "0" in by_family["Noto-Sans-CJK-SC"]
    assert by_family["Noto-Color-Emoji"] == {"😀"}  # the emoji font draws the emoji only, not the digits


def test_glyph_check_catches_a_character_no_font_has(world):
    """The .notdef check can fail: a private-use character is in no font of the stack."""
    pdf = render_pdf(annual_statistics(year=2010), narrative="无字形\ue000")
    assert "\ue000" in pdf_text(pdf)  # pdftotext still "finds" it …
    assert [character for _, character in pdf_glyphs(pdf).notdef] == ["\ue000"]  # … but nothing is drawn


def test_empty_year_renders(world):
    pdf = render_pdf(annual_statistics(year=2010))
    text = pdf_text(pdf)
    assert "本年度无新认定平台" in text and "2010年度工作综述" in text
    assert pdf_glyphs(pdf).notdef == []


def test_bar_chart_escapes_labels():
    svg = bar_chart([("<script>", 3), ("县", 0)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert bar_chart([]) == ""


def test_failed_job_says_why(world, client, monkeypatch):
    import kejiju.reporting.annual_pdf as annual_pdf

    def broken(**kwargs):
        raise RuntimeError("统计数据读取失败")

    monkeypatch.setattr(annual_pdf, "annual_statistics", broken)
    job = ReportJob.objects.create(kind=KIND, parameters={"year": 2023}, requested_by=world.users["leader"])
    report_job_run(job_id=job.pk)
    client.force_login(world.users["leader"])
    page = client.get(reverse("core:reportjob_detail", args=[job.pk]))
    assert "统计数据读取失败" in page.content.decode()


def test_home_page_offers_the_dashboard_to_leadership(world, client):
    client.force_login(world.users["leader"])
    assert reverse("reporting:annual_dashboard") in client.get("/").content.decode()
    client.force_login(world.users["county"])
    assert reverse("reporting:annual_dashboard") not in client.get("/").content.decode()


def test_a_long_appendix_is_cut_with_a_note_naming_the_total(figures, monkeypatch):
    """At province scale the appendix would be hundreds of pages: it lists the first rows and says how
    many there are and where the whole list is."""
    import kejiju.reporting.annual as annual

    monkeypatch.setattr(annual, "APPENDIX_LIMIT", 1)
    stats = annual_statistics(year=2023, region=figures.county_b)
    assert stats["appendix"]["totals"]["smes"] == 2
    assert len(stats["appendix"]["smes"]) == 1
    text = "".join(pdf_text(render_pdf(stats)).split())
    assert "共2家，此处按县区列出前1家" in text


def test_a_long_chart_is_drawn_in_pieces_that_fit_a_page_on_one_scale():
    """130 counties' bars in one SVG were taller than the page, and WeasyPrint cut them at its foot."""
    import re

    from kejiju.reporting.annual_pdf import CHART_MAX_HEIGHT, bar_chart_pieces, chart_images

    rows = [(f"县{i:03d}", 50 if i in (0, 129) else i % 40) for i in range(130)]
    pieces = bar_chart_pieces(rows, bar_height=12)
    assert [piece.count("<rect") for piece in pieces] == [44, 44, 42]
    assert all(int(re.search(r'height="(\d+)"', piece)[1]) <= CHART_MAX_HEIGHT for piece in pieces)
    assert all(f">县{i:03d}<" in "".join(pieces) for i in range(130))
    widths = [re.findall(r'<rect [^>]*width="([\d.]+)"', piece) for piece in pieces]
    assert widths[0][0] == widths[-1][-1] == "420.0"  # the same value, the same bar in every piece
    assert chart_images(pieces).count('<img class="chart"') == 3
    assert len(bar_chart_pieces(rows[:10])) == 1
