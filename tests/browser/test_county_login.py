import pytest

from kejiju.core.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_account_sees_only_its_county(page, live_server, login, county_user, county_a, county_b):
    Organization.objects.create(name="忻府区示范企业", region=county_a)
    Organization.objects.create(name="定襄县示范企业", region=county_b)
    login(county_user.username)
    assert "忻府区" in page.get_by_test_id("current-user").inner_text()

    page.goto(f"{live_server.url}/organizations/")
    body = page.locator("main").inner_text()
    assert "忻府区示范企业" in body
    assert "定襄县示范企业" not in body

    other = Organization.objects.get(name="定襄县示范企业")
    response = page.goto(f"{live_server.url}/organizations/{other.pk}/")
    assert response.status == 404
    assert "页面不存在" in page.locator("main").inner_text()
