"""Only GET, HEAD, OPTIONS and POST reach a view (kejiju.core.middleware.AllowedMethodsMiddleware); the
role × view matrix (tests/test_access_matrix.py::test_methods_not_declared_are_refused) sends the others
to every route."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_delete_view_does_not_delete_on_http_delete(client, world):
    from kejiju.core.models import Organization

    org = Organization.objects.create(name="忻府区测试企业", region=world.county_a)
    client.force_login(world.users["bureau"])
    response = client.delete(reverse("core:organization_delete", kwargs={"pk": org.pk}))
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert Organization.objects.filter(pk=org.pk).exists()


def test_options_does_not_offer_put(client, world):
    client.force_login(world.users["bureau"])
    response = client.options(reverse("core:organization_add"))
    assert response.status_code == 200
    assert "PUT" not in response["Allow"] and "POST" in response["Allow"]
