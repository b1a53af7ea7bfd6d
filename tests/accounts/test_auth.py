import pytest
from django.urls import reverse

from kejiju.core.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.logins import login_post

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return login_post(client, username, password)


def test_login_page_is_chinese_and_public(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "用户登录" in response.content.decode()


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_lands_on_home_and_records_event(client, county_user):
    response = _login(client, county_user.username, TEST_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "县区科技局" in page and "忻府区" in page
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.LOGIN)
    assert event.actor == county_user and event.ip_address == "127.0.0.1"


def test_wrong_password_gives_chinese_message_and_failure_event(client, county_user):
    response = _login(client, county_user.username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.LOGIN_FAILED)
    assert event.username == county_user.username and event.outcome == AuditEvent.Outcome.FAILURE


def test_five_failures_lock_the_account_for_the_right_password_too(client, county_user):
    for _ in range(5):
        _login(client, county_user.username, "wrong-password")
    response = _login(client, county_user.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "账户已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        event_type=AuditEvent.Type.LOCKOUT, username=county_user.username
    ).exists()


def test_a_lockout_holds_one_account_not_the_address(client, county_user, bureau_user):
    for _ in range(5):
        _login(client, county_user.username, "wrong-password")
    response = _login(client, bureau_user.username, TEST_PASSWORD)
    assert response.status_code == 302


def test_logout_ends_the_session_on_the_server(client, county_user):
    _login(client, county_user.username, TEST_PASSWORD)
    session_key = client.session.session_key
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.LOGOUT, actor=county_user).exists()
    assert client.get("/").status_code == 302


def test_expired_session_sends_back_to_login(client, county_user, settings):
    _login(client, county_user.username, TEST_PASSWORD)
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _session_writes(queries) -> int:
    return sum('UPDATE "django_session"' in query["sql"] for query in queries.captured_queries)


def test_idle_timeout_is_thirty_minutes_and_slides_once_a_minute(client, county_user, settings):
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_REFRESH_SECONDS == 60
    _login(client, county_user.username, TEST_PASSWORD)
    client.get("/")  # the first page after the login marks the session as refreshed now
    expiry = Session.objects.get().expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert _session_writes(queries) == 0 and Session.objects.get().expire_date == expiry
    settings.SESSION_REFRESH_SECONDS = 0  # as if a minute had passed since the last save
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert _session_writes(queries) == 1 and Session.objects.get().expire_date > expiry


def test_permissions_are_read_once_and_follow_a_role_change(client, make_user, county_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kejiju.accounts import services

    admin = make_user("sysadmin")
    user = make_user("leader")
    client.force_login(user)
    assert client.get(reverse("enterprises:enterprise_list")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("enterprises:enterprise_list")).status_code == 200
    assert not any('"auth_permission"' in query["sql"] for query in queries.captured_queries)
    services.user_update(user=user, role="auditor", region=None, display_name="审计", actor=admin)
    assert client.get(reverse("enterprises:enterprise_list")).status_code == 403
    services.user_update(user=user, role="county", region=county_a, display_name="县区", actor=admin)
    assert client.get(reverse("enterprises:enterprise_list")).status_code == 200


def test_pages_for_logged_in_users_are_not_cached(client, county_user):
    client.force_login(county_user)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]


def test_permission_denial_is_audited(client, county_user):
    client.force_login(county_user)
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert AuditEvent.objects.filter(
        event_type=AuditEvent.Type.PERMISSION_DENIED, actor=county_user, object_repr="/accounts/users/"
    ).exists()


def test_password_rules_need_three_character_classes(client, county_user):
    client.force_login(county_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "abcdefghij", "new_password2": "abcdefghij"},
    )
    assert response.status_code == 200
    assert "至少三类" in response.content.decode()
