"""Deactivating an account or resetting its password ends every live session of it the way 强制下线 does
(the session store's entry deleted, the row ended and audited, the holder told why at the login page); a
user changing their own password keeps the session they use and ends the others."""

import pytest
from django.conf import settings
from django.urls import reverse

from kejiju.accounts.models import UserSession
from kejiju.core.models import AuditEvent
from tests.accounts.test_sessions import LIST, _logged_in, _row, _sent_away_with

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Xinzhou#2027new"


def _store_has(client) -> bool:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store().exists(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _listed(admin, rows) -> set[int]:
    shown = {row.pk for row in admin.get(LIST).context["table"].data}
    return shown & {row.pk for row in rows}


def test_deactivation_ends_every_session_of_the_account(world):
    user = world.users["county"]
    first, second = _logged_in(user, REMOTE_ADDR="10.5.5.1"), _logged_in(user, REMOTE_ADDR="10.5.5.2")
    rows = [_row(first), _row(second)]
    admin = _logged_in(world.users["sysadmin"])
    assert _listed(admin, rows) == {row.pk for row in rows}

    response = admin.post(reverse("accounts:user_deactivate", args=[user.pk]))
    assert response.status_code == 302

    for client, row in zip((first, second), rows, strict=True):
        row.refresh_from_db()
        assert row.ended_at and row.ended_by == world.users["sysadmin"]
        assert row.ended_reason == UserSession.EndReason.DEACTIVATED
        assert not _store_has(client)
    assert not _listed(admin, rows)
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.SESSION_END, object_repr=user.username)
    assert events.count() == 2 and all(e.detail.startswith("账户已停用：") for e in events)
    assert all(any(ip in e.detail for e in events) for ip in ("10.5.5.1", "10.5.5.2"))
    _sent_away_with(first, "您的账户已被停用")
    _sent_away_with(second, "您的账户已被停用")
    assert admin.get("/").status_code == 200


def test_admin_password_reset_ends_every_session_of_the_account(world):
    user = world.users["bureau"]
    first, second = _logged_in(user), _logged_in(user)
    rows = [_row(first), _row(second)]
    admin = _logged_in(world.users["sysadmin"])

    response = admin.post(
        reverse("accounts:user_password", args=[user.pk]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    for client, row in zip((first, second), rows, strict=True):
        row.refresh_from_db()
        assert row.ended_at and row.ended_reason == UserSession.EndReason.PASSWORD_RESET
        assert not _store_has(client)
    assert not _listed(admin, rows)
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEvent.Type.SESSION_END,
            object_repr=user.username,
            detail__startswith="管理员重置密码：",
        ).count()
        == 2
    )
    _sent_away_with(first, "您的密码已被管理员重置")
    _sent_away_with(second, "您的密码已被管理员重置")


def test_force_logout_still_says_force_logout(world):
    """Each end keeps its own reason: a plain 强制下线 says so, not a deactivation or a reset."""
    victim = _logged_in(world.users["leader"])
    admin = _logged_in(world.users["sysadmin"])
    admin.post(reverse("accounts:usersession_end", args=[_row(victim).pk]))
    _sent_away_with(victim, "您的会话已被系统管理员强制下线")


def test_own_password_change_keeps_this_session_and_ends_the_others(world):
    user = world.users["leader"]
    here, elsewhere = _logged_in(user, REMOTE_ADDR="10.6.6.1"), _logged_in(user, REMOTE_ADDR="10.6.6.2")
    other_row = _row(elsewhere)

    from tests.factories import TEST_PASSWORD

    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # update_session_auth_hash: this session goes on

    other_row.refresh_from_db()
    assert other_row.ended_at and other_row.ended_by == user
    assert other_row.ended_reason == UserSession.EndReason.PASSWORD_CHANGED
    assert not _store_has(elsewhere)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.SESSION_END)
    assert event.detail.startswith("修改本人密码") and "10.6.6.2" in event.detail
    _sent_away_with(elsewhere, "您已在其他会话中修改了密码")

    # The row followed the session to the key update_session_auth_hash gave it: the system admin still
    # lists it and 强制下线 still ends it.
    row = _row(here)
    assert row.ended_at is None
    admin = _logged_in(world.users["sysadmin"])
    assert _listed(admin, [row]) == {row.pk}
    admin.post(reverse("accounts:usersession_end", args=[row.pk]))
    assert not _store_has(here)
    _sent_away_with(here, "您的会话已被系统管理员强制下线")


def test_reactivation_ends_nothing_and_a_deactivated_account_cannot_log_in(world):
    user = world.users["county"]
    admin = _logged_in(world.users["sysadmin"])
    admin.post(reverse("accounts:user_deactivate", args=[user.pk]))
    admin.post(reverse("accounts:user_activate", args=[user.pk]))
    client = _logged_in(user)
    assert client.get("/").status_code == 200
