"""Exports, downloads and report files of another county: a county office's export holds its own county's
rows only, and another county's attachment or report job is a 404.

The objects come from the role × view matrix (tests/<app>/access.py): every scoped Route's builder runs
once for county A (忻府区) and once for county B (定襄县), so each export has rows of both counties."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import load_workbook

from kejiju.core import uploads
from tests.access import World, all_routes
from tests.factories import small_xlsx

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
# Every xlsx export a county office may use: the list exports and one batch's result list.
COUNTY_EXPORTS = [
    r
    for r in ROUTES
    if (r.name.endswith("_export") or r.name == "platforms:recognitionbatch_results")
    and "county" in r.allowed
]
# Exports of figures per shared row (a batch, a category): each county's figures add up to the bureau's.
AGGREGATES = {
    "platforms:platform_stats_export",
    "platforms:recognitionbatch_export",
}
# Exports of a global model (kejiju.core.scoping.register_global): every reader gets the same rows.
PUBLISHED_EXPORTS = {"integrity:integrityrecord_export": "科研诚信失信记录：全市统一适用，各县区均须查询"}


def _build_all(world: World) -> dict[str, World]:
    """Every Route's objects in the world's county A (a fresh cache per app: the apps' builders share cache
    keys); an object shared by all counties (the reward tier of a year) that the other world made already
    is left as it is. Rewards have no Route builder (they are computed): one per county."""
    from decimal import Decimal

    from enterprises.models import Reward
    from tests.enterprises.factories import CertificateFactory

    worlds = {}
    for namespace in sorted({route.name.split(":")[0] for route in ROUTES}):
        app_world = worlds[namespace] = World(
            users=world.users,
            county_a=world.county_a,
            county_b=world.county_b,
            unit_a=world.unit_a,
            unit_b=world.unit_b,
        )
        for route in ROUTES:
            if route.kwargs and route.name.startswith(f"{namespace}:"):
                try:
                    with uploads.atomic():  # a savepoint; builders may store files
                        route.kwargs(app_world)
                except IntegrityError:
                    continue
    certificate = CertificateFactory(enterprise__region=world.county_a)
    Reward.objects.create(
        enterprise=certificate.enterprise,
        year=2025,
        certificate=certificate,
        rd_expense=Decimal(1_000_000),
        amount=Decimal(100_000),
    )
    return worlds


@pytest.fixture
def two_counties(db, make_user, county_a, county_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world_a = World.build(make_user=make_user, county_a=county_a, county_b=county_b)
    world_b = World.build(make_user=make_user, county_a=county_b, county_b=county_a)
    return _build_all(world_a), _build_all(world_b)


def _figures(rows: Counter) -> dict:
    """(sheet, text cells) -> the sum of the number cells of the rows with those text cells."""
    figures: dict = {}
    for (sheet, row), count in rows.items():
        key = (sheet, tuple(v for v in row if not _number(v)))
        numbers = [v * count for v in row if _number(v)]
        previous = figures.get(key, [0] * len(numbers))
        figures[key] = [a + b for a, b in zip(previous, numbers, strict=True)]
    return figures


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rows(client, user, url) -> Counter:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows: Counter = Counter()
    for sheet in workbook.worksheets:
        for row in list(sheet.iter_rows(values_only=True))[1:]:
            rows[(sheet.title, row)] += 1
    return rows


def test_a_county_export_holds_its_own_county_only(client, two_counties):
    """Each county's export has rows, none of them in the other county's; both are part of the bureau's.
    An export of one object (a batch's results) shows the other county none of its rows. An export of
    figures per shared row: each figure is the same for all (a year) or the two counties' add up to the
    bureau's (a count), and some figure differs between a county and the bureau."""
    worlds_a, worlds_b = two_counties
    failures = []
    for route in COUNTY_EXPORTS:
        world_a, world_b = worlds_a[route.name.split(":")[0]], worlds_b[route.name.split(":")[0]]
        url = reverse(route.name, kwargs=route.kwargs(world_a) if route.kwargs else None)
        everything = _rows(client, world_a.users["bureau"], url)
        rows_a = _rows(client, world_a.users["county"], url)
        rows_b = _rows(client, world_b.users["county"], url)
        if route.name in AGGREGATES:
            problem = _figures_problem(_figures(everything), _figures(rows_a), _figures(rows_b))
            if problem:
                failures.append((route.name, problem))
            continue
        if route.name in PUBLISHED_EXPORTS:
            if not (rows_a and rows_a == rows_b == everything):
                failures.append((route.name, "a published export differs between readers"))
            continue
        if not (rows_a and (rows_b or route.kwargs)):
            failures.append((route.name, "no rows for a county: the check would prove nothing", everything))
            continue
        if rows_a & rows_b:
            failures.append((route.name, "rows in both counties' exports", rows_a & rows_b))
        if not rows_a + rows_b <= everything:
            failures.append((route.name, "a county's export has rows the bureau's has not"))
    assert not failures, "\n".join(map(str, failures))


def _figures_problem(everything: dict, a: dict, b: dict) -> str | None:
    if not everything:
        return "no rows: the check would prove nothing"
    if set(a) - set(everything) or set(b) - set(everything):
        return "a county's export has rows the bureau's has not"
    differs = False
    for key, figures in everything.items():
        fa, fb = a.get(key, [0] * len(figures)), b.get(key, [0] * len(figures))
        for total, x, y in zip(figures, fa, fb, strict=True):
            if not (total == x == y or total == x + y):
                return f"{key}: {x} + {y} is not the bureau's {total}"
            differs |= x != total
    return None if differs else "every county figure is the bureau's: the check would prove nothing"


# Files published to every account that may read them (a global model, kejiju.core.scoping), with why.
PUBLISHED_DOWNLOADS = {"applications:guideattachment_download": "申报指南附件：随指南向全市公开"}


def test_every_download_a_county_may_use_is_scoped_in_the_matrix():
    """Attachments and report files: the matrix (test_other_county_gets_404) opens each as the other
    county's office and expects 404; a download Route without `scoped` would skip that."""
    downloads = [
        r
        for r in ROUTES
        if "download" in r.name and "county" in r.allowed and r.name not in PUBLISHED_DOWNLOADS
    ]
    assert {r.name for r in downloads} >= {"projects:attachment_download", "reporting:attachment_download"}
    assert all(r.scoped for r in downloads), [r.name for r in downloads if not r.scoped]


@pytest.fixture
def county_job_kind():
    """No report job kind of the apps is open to county offices today; one that is (as a county's own
    statistics would be) must still keep each county's files to itself."""
    from kejiju.core import jobs

    kind = jobs.JobKind(
        "test_county_figures",
        "县区统计（测试）",
        lambda job: jobs.JobOutput("县区统计.xlsx", b"PK"),
        "enterprises.view_enterprise",
    )
    jobs.register_job_kind(kind)
    yield kind
    jobs._kinds.pop(kind.name)


def test_another_countys_report_job_is_404(client, world, county_job_kind, settings, tmp_path):
    from kejiju.core.jobs import job_kinds
    from kejiju.core.models import ReportJob

    settings.MEDIA_ROOT = tmp_path
    county, other = world.users["county"], world.users["other_county"]
    kinds = [name for name, kind in job_kinds().items() if county.has_perm(kind.permission)]
    assert county_job_kind.name in kinds
    for kind in kinds:
        job = ReportJob(kind=kind, requested_by=county, state=ReportJob.State.SUCCEEDED)
        job.file.save("report.xlsx", ContentFile(small_xlsx()), save=False)
        job.save()
        for name in ("core:reportjob_detail", "core:reportjob_download"):
            url = reverse(name, kwargs={"pk": job.pk})
            client.force_login(other)
            assert client.get(url).status_code == 404, (kind, name)
            client.force_login(county)
            assert client.get(url).status_code == 200, (kind, name)
