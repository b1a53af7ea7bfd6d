"""在线用户: the system admin's list of live sessions, 强制下线, the limit of concurrent sessions per account,
the reason shown at the login page, and a last-activity write at most once a minute."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kejiju.accounts.models import UserSession
from kejiju.core.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
ADMIN_MESSAGE = "您的会话已被系统管理员强制下线"
LIMIT_MESSAGE = "您已在其他地方登录，本会话已结束"
LIST = reverse("accounts:usersession_list")


def _logged_in(user, **meta) -> Client:
    client = Client(**meta)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _row(client) -> UserSession:
    from kejiju.accounts.services import USER_SESSION_KEY

    return UserSession.objects.get(pk=client.session[USER_SESSION_KEY])


class _queries:
    """The SQL statements run inside (through an execute wrapper: the debug log is emptied by every
    request as it starts)."""

    def __enter__(self):
        self.captured_queries = []

        def wrapper(execute, sql, params, many, context):
            self.captured_queries.append({"sql": sql})
            return execute(sql, params, many, context)

        self._wrapper = connection.execute_wrapper(wrapper)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


def _usersession_writes(queries) -> int:
    return sum('UPDATE "accounts_usersession"' in q["sql"] for q in queries.captured_queries)


def _sent_away_with(client, message: str) -> None:
    """The next request of an ended session lands on the login page, which says why."""
    response = client.get("/", follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_list_shows_live_sessions_only_with_their_fields(world):
    county = world.users["county"]
    _logged_in(county, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="10.1.2.3")
    gone = _logged_in(world.users["bureau"])
    gone.post(reverse("accounts:logout"))
    idle = _row(_logged_in(world.users["leader"]))
    UserSession.objects.filter(pk=idle.pk).update(last_seen_at=timezone.now() - timedelta(hours=1))
    admin = _logged_in(world.users["sysadmin"])

    response = admin.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    row = UserSession.objects.get(user=county)
    assert county.username in page and "县区科技局" in page and "忻府区" in page
    assert "10.1.2.3" in page and "Chrome 120 · Windows" in page
    assert timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S") in page
    assert reverse("accounts:usersession_end", args=[row.pk]) in page
    # Logged out and idle beyond 30 minutes: not live.
    assert world.users["bureau"].username not in page
    assert world.users["leader"].username not in page
    assert list(response.context["table"].data) and len(response.context["table"].rows) == 2  # county, admin


def test_list_filters_by_role_and_county(world):
    _logged_in(world.users["county"])
    _logged_in(world.users["other_county"])
    _logged_in(world.users["bureau"])
    admin = _logged_in(world.users["sysadmin"])

    def users(query):
        response = admin.get(LIST, query)
        assert response.status_code == 200
        return [row.record.user.username for row in response.context["table"].rows]

    assert sorted(users({"role": "county"})) == sorted(
        [world.users["county"].username, world.users["other_county"].username]
    )
    assert users({"region": world.county_b.pk}) == [world.users["other_county"].username]
    by_name = sorted(world.users[k].username for k in ("county", "other_county", "bureau", "sysadmin"))
    assert users({"sort": "user"}) == by_name
    assert users({"sort": "-user"}) == by_name[::-1]
    assert users({})[0] == world.users["sysadmin"].username  # the latest activity first


def test_list_queries_do_not_grow_with_the_sessions(world, make_user, county_b):
    admin = _logged_in(world.users["sysadmin"])
    _logged_in(world.users["county"])
    admin.get(LIST)  # warm-up (cached permissions, region choices)
    with _queries() as few:
        assert admin.get(LIST).status_code == 200
    for i in range(10):
        _logged_in(make_user("county", region=county_b, display_name=f"县区{i}"))
    admin.get(LIST)  # new accounts dropped the cached permission sets
    with _queries() as many:
        response = admin.get(LIST)
    assert len(response.context["table"].rows) == 12
    assert len(many.captured_queries) == len(few.captured_queries), (
        "\n".join(q["sql"][:300] for q in few.captured_queries),
        "\n".join(q["sql"][:300] for q in many.captured_queries),
    )


@pytest.mark.parametrize("engine", ["db", "cached_db", "cache", "redis"])
def test_force_logout_ends_the_victims_session_is_audited_and_shown_at_login(world, settings, engine):
    if engine == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/8",
                "KEY_PREFIX": "kejiju-test-sessions",
            }
        }
        engine = "cache"
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{engine}"
    victim_user = world.users["county"]
    victim = _logged_in(victim_user, REMOTE_ADDR="10.7.7.7")
    assert victim.get("/").status_code == 200
    row = _row(victim)
    admin_user = world.users["sysadmin"]
    admin = _logged_in(admin_user)
    url = reverse("accounts:usersession_end", args=[row.pk])

    confirm = admin.get(url)
    assert confirm.status_code == 200 and "确认强制下线" in confirm.content.decode()
    assert _row(victim).ended_at is None  # the GET only asks
    response = admin.post(url)
    assert response.status_code == 302 and response["Location"] == LIST

    row.refresh_from_db()
    assert row.ended_reason == UserSession.EndReason.ADMIN and row.ended_by == admin_user and row.ended_at
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert not store().exists(victim.cookies[settings.SESSION_COOKIE_NAME].value)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.SESSION_END)
    assert event.actor == admin_user and event.object_repr == victim_user.username
    assert "10.7.7.7" in event.detail and f"#{row.pk}" in event.detail
    assert row not in admin.get(LIST).context["table"].data
    assert "该会话已于" in admin.get(url).content.decode()
    assert "该会话已结束" in admin.post(url, follow=True).content.decode()  # ended once, audited once
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SESSION_END).count() == 1
    _sent_away_with(victim, ADMIN_MESSAGE)
    assert admin.get("/").status_code == 200  # the admin's own session goes on


def test_own_current_session_cannot_be_forced_out(world):
    admin_user = world.users["sysadmin"]
    admin = _logged_in(admin_user)
    own = _row(admin)
    url = reverse("accounts:usersession_end", args=[own.pk])
    assert "不能强制下线" in admin.get(url).content.decode()
    response = admin.post(url, follow=True)
    assert "不能强制下线您当前使用的会话" in response.content.decode()
    own.refresh_from_db()
    assert own.ended_at is None and admin.get("/").status_code == 200
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.SESSION_END).exists()
    # Another session of the same account can be ended.
    other = _logged_in(admin_user)
    assert admin.post(reverse("accounts:usersession_end", args=[_row(other).pk])).status_code == 302
    _sent_away_with(other, ADMIN_MESSAGE)


def test_other_roles_cannot_list_or_end_sessions(world):
    victim = _logged_in(world.users["county"])
    row = _row(victim)
    for role in ("bureau", "leader", "county", "auditor", "unit_admin", "applicant", "expert"):
        client = _logged_in(world.users[role])
        assert client.get(LIST).status_code == 403, role
        assert client.post(reverse("accounts:usersession_end", args=[row.pk])).status_code == 403, role
    row.refresh_from_db()
    assert row.ended_at is None and victim.get("/").status_code == 200


def test_concurrent_sessions_beyond_the_limit_end_the_oldest(world, settings):
    settings.SESSION_LIMIT_PER_USER = 3
    user = world.users["bureau"]
    clients = [_logged_in(user) for _ in range(3)]
    first = _row(clients[0])
    assert all(c.get("/").status_code == 200 for c in clients)
    clients.append(_logged_in(user))  # the fourth
    first.refresh_from_db()
    assert first.ended_reason == UserSession.EndReason.LIMIT and first.ended_by is None
    assert UserSession.objects.live().filter(user=user).count() == 3
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.SESSION_END)
    assert event.actor == user and f"#{first.pk}" in event.detail
    _sent_away_with(clients[0], LIMIT_MESSAGE)
    assert all(c.get("/").status_code == 200 for c in clients[1:])


def test_no_limit_when_set_to_zero(world, settings):
    settings.SESSION_LIMIT_PER_USER = 0
    user = world.users["bureau"]
    clients = [_logged_in(user) for _ in range(4)]
    assert all(c.get("/").status_code == 200 for c in clients)


def test_last_activity_is_written_once_a_minute_not_per_request(world, settings):
    client = _logged_in(world.users["county"])
    client.get("/")  # the first page after the login
    seen = _row(client).last_seen_at
    with _queries() as queries:
        for _ in range(3):
            assert client.get("/").status_code == 200
    assert _usersession_writes(queries) == 0 and _row(client).last_seen_at == seen
    settings.SESSION_REFRESH_SECONDS = 0  # as if a minute had passed since the last save
    with _queries() as queries:
        for _ in range(2):
            assert client.get("/").status_code == 200
    assert _usersession_writes(queries) == 2 and _row(client).last_seen_at > seen


def test_a_row_ended_while_its_session_lives_on_is_logged_out(world, settings):
    """Should a session survive its row's end (a race with a request in flight, an engine that cannot
    delete it), the next activity write finds the row ended and logs the session out."""
    client = _logged_in(world.users["county"])
    UserSession.objects.filter(pk=_row(client).pk).update(
        ended_at=timezone.now(), ended_reason=UserSession.EndReason.ADMIN
    )
    assert client.get("/").status_code == 200  # the row is read only when the activity is written
    settings.SESSION_REFRESH_SECONDS = 0  # as if a minute had passed since the last save
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session
    response = client.get(reverse("accounts:login"))
    assert ADMIN_MESSAGE in response.content.decode()


def test_logout_ends_the_row(world):
    client = _logged_in(world.users["county"])
    row = _row(client)
    client.post(reverse("accounts:logout"))
    row.refresh_from_db()
    assert row.ended_reason == UserSession.EndReason.LOGOUT and row.ended_at is not None
    assert not UserSession.objects.live().exists()
    # An ordinary logout shows no forced-logout message.
    page = client.get(reverse("accounts:login")).content.decode()
    assert ADMIN_MESSAGE not in page and LIMIT_MESSAGE not in page


def test_the_session_key_is_not_stored_in_clear(world, settings):
    client = _logged_in(world.users["county"])
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    row = _row(client)
    assert key not in row.key_digest and key not in row.key_cipher
    assert row.key_cipher.startswith("sm4gcm:") and row.reveal_key() == key


def test_the_list_is_in_the_system_admins_menu_only(world):
    assert f'href="{LIST}"' in _logged_in(world.users["sysadmin"]).get("/").content.decode()
    for role in ("bureau", "auditor", "county"):
        assert f'href="{LIST}"' not in _logged_in(world.users[role]).get("/").content.decode(), role


def test_rows_of_sessions_long_over_go_at_the_next_login(world):
    user = world.users["county"]
    old = _row(_logged_in(user))
    UserSession.objects.filter(pk=old.pk).update(last_seen_at=timezone.now() - timedelta(days=31))
    recent = _row(_logged_in(user))
    UserSession.objects.filter(pk=recent.pk).update(last_seen_at=timezone.now() - timedelta(days=29))
    _logged_in(user)
    assert not UserSession.objects.filter(pk=old.pk).exists()
    assert (
        UserSession.objects.filter(pk=recent.pk).exists()
        and UserSession.objects.filter(user=user).count() == 2
    )


def _session_without_login_signal(client, user, settings) -> str:
    """A logged-in session written straight into the store (as before sessions were recorded, or as the
    HTTP load benchmark makes one): no login signal, no row."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "kejiju.accounts.backends.CachedPermissionsBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return store.session_key


def test_a_session_opened_before_recording_is_recorded_once(world, settings):
    client = Client(HTTP_USER_AGENT=CHROME)
    _session_without_login_signal(client, world.users["county"], settings)
    for _ in range(3):
        assert client.get("/").status_code == 200
    row = UserSession.objects.get(user=world.users["county"])
    assert _row(client) == row and "Chrome" in row.user_agent


def test_concurrent_first_requests_of_a_session_share_its_row(world, settings, monkeypatch, rf):
    """Two first requests of an unrecorded session at once: the second one's insert meets the first's row
    (unique digest) and takes it instead of failing."""
    from django.contrib.sessions.backends.db import SessionStore

    from kejiju.accounts import services
    from kejiju.accounts.models import UserSessionQuerySet

    user = world.users["county"]
    key = _session_without_login_signal(Client(), user, settings)
    first, second = rf.get("/"), rf.get("/")
    first.session, second.session = SessionStore(key), SessionStore(key)
    row = services.user_session_start(user=user, request=first)
    monkeypatch.setattr(UserSessionQuerySet, "first", lambda self: None)  # as if not committed yet
    assert services.user_session_start(user=user, request=second) == row
    assert second.session[services.USER_SESSION_KEY] == row.pk
    assert UserSession.objects.count() == 1
