"""Editions of the annual review: one ReportJob each, listed with their generation time, the page built
from the statistics stored with the job (so it keeps agreeing with its PDF after the records change), the
narrative leadership types, failures that say why, and downloads refused to those without the review
permission."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse

from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run
from kejiju.reporting.annual_pdf import KIND
from kejiju.reporting.rules import clean_narrative
from tests.enterprises.build import admitted_smes
from tests.factories import blank_pdf, small_xlsx

from .pdfcheck import pdf_text

pytestmark = pytest.mark.django_db


def _smes(region, n, *, start=0):
    # Through the services: the figure reads the 入库 events (factories write none).
    for _ in range(n):
        admitted_smes(region=region, year=2023, admitted_on=date(2023, 6, 1))


def _build(client, data, capture):
    with capture(execute=True):
        response = client.post(reverse("reporting:annual_build"), data)
    return response


def _figure(response, key):
    return next(f for f in response.context["stats"]["figures"] if f["key"] == key)


def test_edition_page_keeps_the_numbers_it_was_built_from(world, client, django_capture_on_commit_callbacks):
    _smes(world.county_a, 3)
    client.force_login(world.users["leader"])
    narrative = "<p class=MsoNormal>领导批示：<b>继续加大</b>\r\n\r\n力度😀𠮷</p>"
    response = _build(client, {"year": 2023, "narrative": narrative}, django_capture_on_commit_callbacks)
    job = ReportJob.objects.get(kind=KIND)
    assert response.url == reverse("reporting:annual_edition_detail", args=[job.pk])
    assert job.state == ReportJob.State.SUCCEEDED, job.error
    assert job.parameters["narrative"] == "<p class=MsoNormal>领导批示：<b>继续加大</b>\n\n力度😀𠮷</p>"
    _smes(world.county_a, 2, start=50)  # the records move on after the edition was built

    page = client.get(reverse("reporting:annual_edition_detail", args=[job.pk]))
    assert page.status_code == 200
    assert _figure(page, "smes")["value"] == 3
    html = page.content.decode()
    assert 'data-figure="smes" data-value="3"' in html
    assert "&lt;b&gt;继续加大&lt;/b&gt;" in html and "<b>继续加大</b>" not in html  # typed text, never markup
    assert 'id="annual-chart-data"' in html
    assert reverse("reporting:annual_edition_download", args=[job.pk]) in html
    dashboard = client.get(reverse("reporting:annual_dashboard"), {"year": 2023})
    assert _figure(dashboard, "smes")["value"] == 5

    download = client.get(reverse("reporting:annual_edition_download", args=[job.pk]))
    assert download.status_code == 200
    text = "".join(pdf_text(b"".join(download.streaming_content)).split())
    assert "科技型中小企业评价入库3家" in text
    assert "<pclass=MsoNormal>领导批示：<b>继续加大</b>力度😀𠮷</p>" in text


def test_edition_of_one_county_names_its_scope(world, client, django_capture_on_commit_callbacks):
    _smes(world.county_a, 2)
    _smes(world.county_b, 1, start=10)
    client.force_login(world.users["bureau"])
    _build(client, {"year": 2023, "region": world.county_b.pk}, django_capture_on_commit_callbacks)
    job = ReportJob.objects.get(kind=KIND)
    assert job.parameters["region_name"] == world.county_b.name
    page = client.get(reverse("reporting:annual_edition_detail", args=[job.pk]))
    assert _figure(page, "smes")["value"] == 1
    assert f"2023年度工作综述 · {world.county_b.name}" in page.content.decode()
    listing = client.get(reverse("reporting:annual_edition_list"))
    assert world.county_b.name in listing.content.decode()


def test_an_edition_is_named_by_year_scope_and_number_never_by_its_id(world, client):
    """A reader sees “2023年度工作综述（县区） 第2版”: the year, the scope and the edition's number within
    them, in the order requested; no database id in the title, the breadcrumbs or the lists."""
    county = world.county_b

    def edition(year, region=None):
        parameters = {"year": year, "region": region.pk if region else None}
        if region:
            parameters["region_name"] = region.name
        return ReportJob.objects.create(kind=KIND, parameters=parameters, state=ReportJob.State.SUCCEEDED)

    first, other_year, county_first, second = (
        edition(2023),
        edition(2022),
        edition(2023, county),
        edition(2023),
    )
    client.force_login(world.users["bureau"])
    html = client.get(reverse("reporting:annual_edition_detail", args=[second.pk])).content.decode()
    assert "<title>2023年度工作综述 第2版" in html
    assert "第2版" in html and f"#{second.pk}" not in html
    html = client.get(reverse("reporting:annual_edition_detail", args=[county_first.pk])).content.decode()
    assert f"2023年度工作综述（{county.name}） 第1版" in html and f"#{county_first.pk}" not in html
    dashboard = client.get(reverse("reporting:annual_dashboard"), {"year": 2023}).content.decode()
    assert "2023年度工作综述 第1版" in dashboard and "2023年度工作综述 第2版" in dashboard
    assert f"2023年度工作综述（{county.name}） 第1版" in dashboard
    listing = client.get(reverse("reporting:annual_edition_list")).content.decode()
    assert not any(f">#{job.pk}<" in listing for job in (first, other_year, county_first, second))
    assert listing.count("第1版") == 3 and listing.count("第2版") == 1


def test_edition_list_shows_every_edition_with_its_time_and_file(
    world, client, django_assert_max_num_queries
):
    leader = world.users["leader"]

    def edition(year, state, error=""):
        job = ReportJob.objects.create(
            kind=KIND,
            parameters={"year": year, "region": None},
            state=state,
            error=error,
            requested_by=leader,
        )
        if state == ReportJob.State.SUCCEEDED:
            job.file.save(f"年度工作综述-{year}.pdf", ContentFile(blank_pdf()))
        return job

    old = edition(2022, ReportJob.State.SUCCEEDED)
    new = edition(2023, ReportJob.State.SUCCEEDED)
    broken = edition(2023, ReportJob.State.FAILED, "生成失败：字体缺失")
    ReportJob.objects.create(kind="monthly_report", parameters={"year": 2023, "month": 1})
    client.force_login(world.users["bureau"])
    url = reverse("reporting:annual_edition_list")
    with django_assert_max_num_queries(20) as few:
        response = client.get(url)
    queries = len(few.captured_queries)  # read now: the next request resets the log
    html = response.content.decode()
    assert response.context["table"].paginator.count == 3  # the monthly report is not an edition
    for job in (old, new):
        assert reverse("reporting:annual_edition_download", args=[job.pk]) in html
        assert job.filename in html
    assert "生成失败：字体缺失" in html
    assert str(leader) in html
    assert reverse("reporting:annual_edition_detail", args=[broken.pk]) in html
    assert client.get(url, {"year": 2022}).context["table"].paginator.count == 1
    for year in range(2015, 2021):
        edition(year, ReportJob.State.SUCCEEDED)
    with django_assert_max_num_queries(queries):
        client.get(url)


def test_failed_edition_says_why_on_dashboard_and_page(world, client, monkeypatch):
    import kejiju.reporting.annual_pdf as annual_pdf

    def broken(**kwargs):
        raise RuntimeError("统计数据读取失败")

    monkeypatch.setattr(annual_pdf, "annual_statistics", broken)
    job = ReportJob.objects.create(kind=KIND, parameters={"year": 2023}, requested_by=world.users["leader"])
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED
    client.force_login(world.users["leader"])
    page = client.get(reverse("reporting:annual_edition_detail", args=[job.pk]))
    assert page.status_code == 200
    assert 'data-testid="job-error">生成失败：统计数据读取失败' in page.content.decode()
    assert page.context["stats"] is None
    dashboard = client.get(reverse("reporting:annual_dashboard"), {"year": 2023})
    assert "统计数据读取失败" in dashboard.content.decode()
    assert reverse("reporting:annual_edition_download", args=[job.pk]) not in dashboard.content.decode()
    assert client.get(reverse("reporting:annual_edition_download", args=[job.pk])).status_code == 404


def test_a_running_edition_polls_itself_then_reloads(world, client):
    job = ReportJob.objects.create(kind=KIND, parameters={"year": 2023}, requested_by=world.users["leader"])
    url = reverse("reporting:annual_edition_detail", args=[job.pk])
    client.force_login(world.users["leader"])
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'data-state="pending"' in page
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert (
        fragment.content.decode().startswith('<div id="job-status"')
        and f'hx-get="{url}"' in fragment.content.decode()
    )
    ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.State.FAILED, error="超过时间限制")
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"


def test_downloads_refused_without_the_review_permission(world, client):
    job = ReportJob.objects.create(
        kind=KIND,
        parameters={"year": 2023},
        state=ReportJob.State.SUCCEEDED,
        requested_by=world.users["leader"],
    )
    job.file.save("年度工作综述-2023.pdf", ContentFile(blank_pdf()))
    for role in ("county", "other_county", "sysadmin", "auditor"):
        client.force_login(world.users[role])
        assert client.get(reverse("reporting:annual_edition_download", args=[job.pk])).status_code == 403, (
            role
        )
        assert client.get(reverse("reporting:annual_edition_detail", args=[job.pk])).status_code == 403, role
        # Nor through the generic job download: the kind needs the review permission.
        assert client.get(reverse("core:reportjob_download", args=[job.pk])).status_code in (403, 404), role
    monthly = ReportJob.objects.create(
        kind="monthly_report", parameters={"year": 2023, "month": 1}, state=ReportJob.State.SUCCEEDED
    )
    monthly.file.save("月度进展报告-2023-01.xlsx", ContentFile(small_xlsx()))
    client.force_login(world.users["leader"])
    assert client.get(reverse("reporting:annual_edition_download", args=[monthly.pk])).status_code == 404
    assert client.get(reverse("reporting:annual_edition_detail", args=[monthly.pk])).status_code == 404
    assert client.get(reverse("reporting:annual_edition_download", args=[job.pk])).status_code == 200


def test_build_refuses_bad_input_and_saves_nothing(world, client):
    client.force_login(world.users["leader"])
    url = reverse("reporting:annual_build")
    response = client.post(url, {"year": 2023, "narrative": "x" * 5001})
    assert response.status_code == 302
    assert ReportJob.objects.count() == 0
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "补充说明" in text
    response = client.post(url, {"year": 1999})
    assert ReportJob.objects.count() == 0
    assert "年度" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_clean_narrative_keeps_what_was_typed():
    assert clean_narrative("  <p>一\r\n二\r三</p>\x0b四\x0c五\x00  ") == "<p>一\n二\n三</p> 四 五"
    assert clean_narrative("全角\u3000空格\u00a0😀𠮷𪚥\t制表") == "全角\u3000空格\u00a0😀𠮷𪚥\t制表"
    assert clean_narrative("A" * 2000) == "A" * 2000
