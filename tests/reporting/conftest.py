import datetime as dt

import pytest

from kejiju.reporting.rules import SHANGHAI


def sh(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def task_a(county_a):
    from tests.reporting.factories import CountyTaskFactory

    return CountyTaskFactory(region=county_a, year=2024, target_quantity=4, title="山西农业大学成果转化基地")


@pytest.fixture
def county_mail_user(county_user):
    county_user.email = "xinfu@example.gov.cn"
    county_user.save()
    return county_user
