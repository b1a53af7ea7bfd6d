"""科技型中小企业入库, 高企培育库新入库 and 年末有效高企 of a year are read from dated steps as they stood on
31 December (D): a 科小 revoked within the year is not counted, one revoked the next year is; a pool entry
counts for the year of its 入库 step whatever happened since; a certificate revoked the next year was valid
on D, one revoked within the year was not. Steps dated after D never change the year's figures."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from enterprises import selectors, services
from kejiju.reporting.annual import CITY, annual_statistics, figure_value
from tests.enterprises.build import admitted_pool_entry, admitted_smes, certificate, revoke_smes
from tests.enterprises.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

Y = 2024
D = date(Y, 12, 31)
KEYS = ("smes", "pool", "gaoqi_valid")


@pytest.fixture
def year(world, bureau_user):
    a, b = world.county_a, world.county_b
    w = {}
    # 科小: A admitted + admitted-then-revoked in Y + admitted in Y revoked in Y+1; B admitted, admitted in
    # Y and revoked in Y+1, and an evaluation of Y admitted only in Y+1 (not a Y admission).
    w["smes_a"] = admitted_smes(region=a, year=Y, admitted_on=date(Y, 3, 15))
    revoke_smes(admitted_smes(region=a, year=Y, admitted_on=date(Y, 6, 1)), on=date(Y, 10, 1))
    revoke_smes(admitted_smes(region=a, year=Y, admitted_on=date(Y, 9, 2)), on=date(Y + 1, 2, 1))
    w["smes_b"] = admitted_smes(region=b, year=Y, admitted_on=date(Y, 5, 6))
    revoke_smes(admitted_smes(region=b, year=Y, admitted_on=date(Y, 4, 1)), on=date(Y + 1, 3, 1))
    admitted_smes(region=b, year=Y, admitted_on=date(Y + 1, 1, 20))
    # 培育库: A one entry that exits in Y+1 and one certified in Y+1; B one admitted in Y with the next
    # year as its 入库年度 (the step's day decides), one declined, one admitted in Y+1.
    exiting = admitted_pool_entry(region=a, admitted_on=date(Y, 4, 1))
    services.pool_transition(
        entry=exiting, action="exit", actor=bureau_user, comment="企业申请退出", on=date(Y + 1, 3, 1)
    )
    certified = admitted_pool_entry(region=a, admitted_on=date(Y, 5, 6))
    services.pool_transition(entry=certified, action="apply", actor=bureau_user, on=date(Y, 8, 1))
    services.pool_transition(entry=certified, action="certify", actor=bureau_user, on=date(Y + 1, 11, 3))
    w["pool_b"] = admitted_pool_entry(region=b, admitted_on=date(Y, 7, 1), year=Y + 1)
    declined = services.pool_recommend(
        enterprise=EnterpriseFactory(region=b), actor=bureau_user, on=date(Y, 3, 1)
    )
    services.pool_transition(
        entry=declined, action="decline", actor=bureau_user, comment="指标不足", on=date(Y, 4, 1)
    )
    admitted_pool_entry(region=b, admitted_on=date(Y + 1, 2, 3))
    # Certificates: A one revoked in Y+1 (valid on D), one revoked in Y (not), one enterprise holding two
    # valid ones (counted once); B one issued in Y, one expired in Y.
    w["cert_a"] = certificate(region=a, issued_on=date(Y - 1, 11, 1), number=f"GR{Y - 1}14000001")
    services.certificate_revoke(certificate=w["cert_a"], revoked_on=date(Y + 1, 4, 1), user=bureau_user)
    revoked = certificate(region=a, issued_on=date(Y - 2, 12, 1), number=f"GR{Y - 2}14000002")
    services.certificate_revoke(certificate=revoked, revoked_on=date(Y, 6, 1), user=bureau_user)
    twice = certificate(region=a, issued_on=date(Y - 2, 11, 20), number=f"GR{Y - 2}14000003")
    certificate(enterprise=twice.enterprise, issued_on=date(Y, 11, 20), number=f"GR{Y}14000004")
    w["cert_b"] = certificate(region=b, issued_on=date(Y, 11, 15), number=f"GR{Y}14000005")
    certificate(region=b, issued_on=date(Y - 3, 1, 10), number=f"GR{Y - 3}14000006")
    return w


EXPECTED = {"smes": (2, 2), "pool": (2, 1), "gaoqi_valid": (2, 1)}


def _figures(world) -> dict:
    a, b = world.county_a, world.county_b
    by_region = {
        "smes": selectors.smes_admitted_by_region(user=CITY, year=Y),
        "pool": selectors.pool_new_entries_by_region(user=CITY, year=Y),
        "gaoqi_valid": selectors.gaoqi_valid_by_region(user=CITY, on=D),
    }
    stats = annual_statistics(year=Y)
    counties = {row["region_id"]: row for row in stats["counties"]}
    return {
        "headline": {key: figure_value(stats, key) for key in KEYS},
        "counts": {
            "smes": selectors.smes_admitted_count(user=CITY, year=Y),
            "pool": selectors.pool_new_entries(user=CITY, year=Y),
            "gaoqi_valid": selectors.gaoqi_valid_count(user=CITY, on=D),
        },
        "by_region": {
            key: (rows.get(a.pk, 0), rows.get(b.pk, 0), sum(rows.values())) for key, rows in by_region.items()
        },
        "rows": {key: (counties[a.pk][key], counties[b.pk][key]) for key in KEYS},
        "county_b": {key: figure_value(annual_statistics(year=Y, region=b), key) for key in KEYS},
        "appendix": sorted(row["number"] for row in stats["appendix"]["smes"]),
    }


def test_the_years_figures_overall_and_per_county(year, world):
    figures = _figures(world)
    for key, (in_a, in_b) in EXPECTED.items():
        assert figures["headline"][key] == figures["counts"][key] == in_a + in_b, key
        assert figures["by_region"][key] == (in_a, in_b, in_a + in_b), key
        assert figures["rows"][key] == (in_a, in_b), key
        assert figures["county_b"][key] == in_b, key
    # The appendix lists exactly the evaluations counted.
    assert len(figures["appendix"]) == figures["headline"]["smes"]
    # The month providers of the county filings use the same definitions.
    assert selectors.smes_entered_in_month(world.county_a, Y, 3) == 1
    # Admitted in June, revoked in October: June's filing counted it (still admitted on 30 June).
    assert selectors.smes_entered_in_month(world.county_a, Y, 6) == 1
    assert selectors.pool_entered_in_month(world.county_b, Y, 7) == 1


def test_steps_dated_after_the_year_change_nothing(year, world, bureau_user):
    before = _figures(world)
    revoke_smes(year["smes_a"], on=date(Y + 1, 5, 1))
    revoke_smes(year["smes_b"], on=date(Y + 1, 6, 1))
    services.pool_transition(
        entry=year["pool_b"], action="exit", actor=bureau_user, comment="退出", on=date(Y + 1, 9, 1)
    )
    services.certificate_revoke(certificate=year["cert_b"], revoked_on=date(Y + 1, 7, 1), user=bureau_user)
    admitted_smes(region=world.county_a, year=Y + 1, admitted_on=date(Y + 1, 4, 1))
    admitted_pool_entry(region=world.county_a, admitted_on=date(Y + 1, 4, 1))
    assert _figures(world) == before


def test_dashboard_links_list_exactly_the_counted_records(year, world, client):
    client.force_login(world.users["leader"])
    for region in (None, world.county_a):
        params = {"year": Y, **({"region": region.pk} if region else {})}
        stats = client.get(reverse("reporting:annual_dashboard"), params).context["stats"]
        for figure in stats["figures"]:
            if figure["key"] in KEYS:
                listing = client.get(figure["url"])
                assert listing.context["table"].paginator.count == figure["value"], (figure["key"], region)
