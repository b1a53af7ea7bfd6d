"""What list pages keep in the cache between requests, and the production shape of that cache (Redis,
sessions read from it)."""

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_renamed_county_shows_in_the_filter_select_at_once(client, bureau_user, county_a):
    client.force_login(bureau_user)
    url = reverse("enterprises:enterprise_list")
    assert f">{county_a.name}</option>" in client.get(url).content.decode()
    county_a.name = "忻府新区"
    county_a.save()
    assert ">忻府新区</option>" in client.get(url).content.decode()


REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/9",
        "KEY_PREFIX": "kejiju-test",
    }
}


@override_settings(CACHES=REDIS_CACHE, SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_with_cache_url_sessions_and_permissions_live_in_redis(client, bureau_user):
    from django.contrib.sessions.models import Session

    cache = caches["default"]
    cache.clear()
    try:
        client.force_login(bureau_user)
        assert client.get(reverse("enterprises:enterprise_list")).status_code == 200
        session_key = client.cookies["sessionid"].value
        assert cache.get(f"django.contrib.sessions.cached_db{session_key}") is not None
        assert cache.get(f"perms:user:{bureau_user.pk}") is not None
        Session.objects.all().delete()  # the database copy is gone; the cached one still serves
        assert client.get(reverse("enterprises:enterprise_list")).status_code == 200
        client.logout()
        assert client.get(reverse("enterprises:enterprise_list")).status_code == 302
    finally:
        cache.clear()
