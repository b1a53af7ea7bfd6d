"""The free-text search of list filters (kejiju.core.filters.search_condition)."""

import pytest

from kejiju.core.filters import search_condition
from platforms.models import Platform
from tests.platforms.factories import OrganizationFactory, PlatformFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("term", ["晋北", "晋北理工", "理工大学工程"])
def test_a_term_matches_the_row_and_its_hosts_name_alike(term, county_a):
    by_host = PlatformFactory(region=county_a, host=OrganizationFactory(name="晋北理工大学工程中心"))
    by_name = PlatformFactory(region=county_a, name="晋北理工大学工程技术研究中心")
    neither = PlatformFactory(region=county_a, name="忻州农业平台")
    condition = search_condition(Platform, ("name", "host__name", "certificate_no"), term)
    found = set(Platform.objects.filter(condition))
    assert neither not in found
    assert by_host in found and by_name in found


def test_a_long_term_reads_the_host_through_a_subquery_a_short_one_through_a_join():
    long_sql = str(
        Platform.objects.filter(search_condition(Platform, ("name", "host__name"), "晋北理工")).query
    )
    short_sql = str(Platform.objects.filter(search_condition(Platform, ("name", "host__name"), "晋北")).query)
    assert "JOIN" not in long_sql and '"platforms_platform"."host_id" = ANY(ARRAY(SELECT' in long_sql
    assert "JOIN" in short_sql
