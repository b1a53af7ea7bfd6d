"""Identity controls (等保 2.0 level 3, 身份鉴别): password age and first-login change, password history,
lockout and unlock, two-factor authentication, absolute session lifetime."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kejiju.accounts import services
from kejiju.accounts.models import PasswordHistory, User
from kejiju.accounts.roles import Role
from kejiju.core.middleware import LOGIN_AT_SESSION_KEY
from kejiju.core.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.logins import login_post

pytestmark = pytest.mark.django_db

NEW_PASSWORDS = ["Xinzhou#2027a", "Xinzhou#2027b", "Xinzhou#2027c", "Xinzhou#2027d", "Xinzhou#2027e"]


def _login(client, username, password=TEST_PASSWORD):
    return login_post(client, username, password)


def _change(client, old, new):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


# ------------------------------------------------------------------------------------ password age


def test_expired_password_sends_every_page_to_the_change_page(client, bureau_user):
    User.objects.filter(pk=bureau_user.pk).update(password_changed_at=timezone.now() - timedelta(days=90))
    client.force_login(bureau_user)
    for url in ("/", reverse("core:organization_list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert _change(client, TEST_PASSWORD, NEW_PASSWORDS[0]).status_code == 302
    assert client.get("/").status_code == 200
    bureau_user.refresh_from_db()
    assert timezone.now() - bureau_user.password_changed_at < timedelta(minutes=1)


def test_password_younger_than_ninety_days_is_not_forced(client, bureau_user):
    User.objects.filter(pk=bureau_user.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    client.force_login(bureau_user)
    assert client.get("/").status_code == 200


def test_new_account_and_admin_reset_change_the_password_at_first_login(client, sysadmin_user, regions):
    user = services.user_create(
        username="newcomer", password="Initial#2026", role=Role.BUREAU, actor=sysadmin_user
    )
    assert user.must_change_password
    response = _login(client, "newcomer", "Initial#2026")
    assert client.get("/")["Location"] == reverse("accounts:password_change")
    assert _change(client, "Initial#2026", NEW_PASSWORDS[0]).status_code == 302
    assert client.get("/").status_code == 200

    services.user_set_password(user=user, password="Reset#2026x", actor=sysadmin_user)
    user.refresh_from_db()
    assert user.must_change_password
    client.logout()
    response = _login(client, "newcomer", "Reset#2026x")
    assert response.status_code == 302
    assert client.get("/")["Location"] == reverse("accounts:password_change")


def test_logout_stays_reachable_while_a_change_is_due(client, bureau_user):
    User.objects.filter(pk=bureau_user.pk).update(must_change_password=True)
    client.force_login(bureau_user)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# ------------------------------------------------------------------------------------ password history


def test_a_password_may_not_repeat_one_of_the_last_five(client, bureau_user):
    client.force_login(bureau_user)
    current = TEST_PASSWORD
    for new in NEW_PASSWORDS[:4]:
        assert _change(client, current, new).status_code == 302
        current = new
    # TEST_PASSWORD and the four new ones are the last five.
    for old in (TEST_PASSWORD, *NEW_PASSWORDS[:4]):
        response = _change(client, current, old)
        assert response.status_code == 200
        assert "最近 5 次" in response.content.decode()
    assert _change(client, current, NEW_PASSWORDS[4]).status_code == 302
    # Now TEST_PASSWORD is the sixth most recent: allowed again.
    validate_password(TEST_PASSWORD, User.objects.get(pk=bureau_user.pk))
    assert PasswordHistory.objects.filter(user=bureau_user).count() == PasswordHistory.KEEP
    assert all(row.password.startswith("md5$") for row in PasswordHistory.objects.filter(user=bureau_user))


def test_admin_reset_also_checks_the_history(bureau_user, sysadmin_user):
    with pytest.raises(ValidationError, match="最近 5 次"):
        services.user_set_password(user=bureau_user, password=TEST_PASSWORD, actor=sysadmin_user)


# ------------------------------------------------------------------------------------ lockout, unlock


def test_system_admin_unlocks_a_locked_account_and_it_is_audited(client, county_user, sysadmin_user):
    for _ in range(5):
        _login(client, county_user.username, "wrong-password")
    assert _login(client, county_user.username).status_code == 429
    assert services.user_is_locked(county_user)

    admin = type(client)()
    admin.force_login(sysadmin_user)
    page = admin.get(reverse("accounts:user_detail", args=[county_user.pk])).content.decode()
    assert "已锁定" in page and reverse("accounts:user_unlock", args=[county_user.pk]) in page
    response = admin.post(reverse("accounts:user_unlock", args=[county_user.pk]))
    assert response.status_code == 302
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.UNLOCK)
    assert event.actor == sysadmin_user and event.object_repr == county_user.username

    assert _login(client, county_user.username).status_code == 302
    assert client.get("/").status_code == 200


def test_a_business_role_cannot_unlock(client, bureau_user, county_user):
    client.force_login(bureau_user)
    assert client.post(reverse("accounts:user_unlock", args=[county_user.pk])).status_code == 403
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.UNLOCK).exists()


# ------------------------------------------------------------------------------------ two-factor


def _code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def _unthrottle(user):
    """django-otp makes the next try wait after a wrong code (1 s, 2 s, 4 s …); tests skip the wait."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _enrol(client, user):
    client.force_login(user)
    page = client.get(reverse("accounts:otp_setup")).content.decode()
    assert "<svg" in page and "otp-secret" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"token": _code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    client.logout()
    return TOTPDevice.objects.get(pk=device.pk), codes


def test_enrolment_shows_a_qr_code_and_ten_recovery_codes_once(client, bureau_user):
    client.force_login(bureau_user)
    response = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert "动态口令不正确" in response.content.decode()
    assert not services.otp_has_device(bureau_user)
    _unthrottle(bureau_user)
    device, codes = _enrol(client, bureau_user)
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    client.force_login(bureau_user)
    page = client.get(reverse("accounts:otp_setup")).content.decode()
    assert "已启用" in page and codes[0] not in page  # shown once
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.ACCOUNT, detail__contains="双因素").exists()


def test_login_asks_for_the_code_after_the_password(client, bureau_user):
    device, _ = _enrol(client, bureau_user)
    response = _login(client, bureau_user.username)
    assert response["Location"] == reverse("accounts:login_verify")
    assert "_auth_user_id" not in client.session  # not logged in before the code
    assert client.get("/").status_code == 302

    response = client.post(reverse("accounts:login_verify"), {"token": "123456"})
    assert "动态口令不正确" in response.content.decode()
    assert AuditEvent.objects.filter(
        event_type=AuditEvent.Type.LOGIN_FAILED, username=bureau_user.username
    ).exists()
    code = _code(device, 1)  # the enrolment used the current one: a code works once
    _unthrottle(bureau_user)
    response = client.post(reverse("accounts:login_verify"), {"token": code})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.LOGIN, actor=bureau_user).exists()

    # The same code does not work twice.
    client.logout()
    _login(client, bureau_user.username)
    _unthrottle(bureau_user)
    response = client.post(reverse("accounts:login_verify"), {"token": code})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_recovery_code_works_once(client, bureau_user):
    _, codes = _enrol(client, bureau_user)
    _login(client, bureau_user.username)
    assert client.post(reverse("accounts:login_verify"), {"token": codes[3]}).status_code == 302
    client.logout()
    _login(client, bureau_user.username)
    assert client.post(reverse("accounts:login_verify"), {"token": codes[3]}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_toward_the_lockout(client, bureau_user):
    _enrol(client, bureau_user)
    _login(client, bureau_user.username)
    for _ in range(5):
        client.post(reverse("accounts:login_verify"), {"token": "000000"})
    assert services.user_is_locked(bureau_user)


def test_wrong_codes_from_one_address_do_not_lock_the_code_step_elsewhere(client, bureau_user):
    """The lockout is by (username, address) at the code step too: a stranger who knows the password and
    fails the code locks only their own address out."""
    device, _ = _enrol(client, bureau_user)
    stranger = type(client)(REMOTE_ADDR="203.0.113.7")
    _login(stranger, bureau_user.username)
    for _ in range(5):
        _unthrottle(bureau_user)
        stranger.post(reverse("accounts:login_verify"), {"token": "000000"})
    assert services.user_is_locked(bureau_user, ip_address="203.0.113.7")
    assert not services.user_is_locked(bureau_user, ip_address="127.0.0.1")
    _unthrottle(bureau_user)
    assert _login(client, bureau_user.username)["Location"] == reverse("accounts:login_verify")
    response = client.post(reverse("accounts:login_verify"), {"token": _code(device, 1)})
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(bureau_user.pk)


def test_the_code_page_needs_the_password_step_first(client):
    response = client.get(reverse("accounts:login_verify"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


@pytest.mark.parametrize("role", ["bureau", "leader", "sysadmin", "auditor"])
def test_required_roles_must_enrol_when_otp_is_required(client, world, settings, role):
    settings.OTP_REQUIRED = True
    client.force_login(world.users[role])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_setup")
    assert client.get(reverse("accounts:otp_setup")).status_code == 200


def test_the_superuser_must_enrol_too(client, settings, regions):
    settings.OTP_REQUIRED = True
    root = User.objects.create_superuser("root", password="Root#2026xx")
    client.force_login(root)
    assert client.get("/")["Location"] == reverse("accounts:otp_setup")


def test_county_offices_may_choose(client, county_user, settings):
    settings.OTP_REQUIRED = True
    client.force_login(county_user)
    assert client.get("/").status_code == 200


def test_enrolled_user_is_let_in_after_the_code_when_required(client, bureau_user, settings):
    settings.OTP_REQUIRED = True
    device, _ = _enrol(client, bureau_user)
    _login(client, bureau_user.username)
    client.post(reverse("accounts:login_verify"), {"token": _code(device, 1)})
    assert client.get("/").status_code == 200
    # A session that skipped the code (it cannot come from the login page) is ended.
    other = type(client)()
    other.force_login(bureau_user)
    assert other.get("/")["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in other.session


def test_demo_offers_two_factor_without_forcing_it(client, bureau_user, settings):
    settings.OTP_REQUIRED = False
    assert "演示环境：双因素认证可选" in client.get(reverse("accounts:login")).content.decode()
    client.force_login(bureau_user)
    assert client.get("/").status_code == 200
    settings.OTP_REQUIRED = True
    client.logout()
    assert "双因素认证可选" not in client.get(reverse("accounts:login")).content.decode()


def test_production_settings_require_two_factor():
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; print(settings.OTP_REQUIRED)"
    env = {
        "DJANGO_SETTINGS_MODULE": "kejiju.settings_prod",
        "SECRET_KEY": "x" * 60,
        "PII_ENCRYPTION_KEY": "bWFkZS11cC1mb3ItdGhlLWNoZWNrLW9ubHktMzJieXQ=",
        "PII_KEYS": "1:bWFkZS11cC1mb3ItY2hlYw==",
        "INTEGRITY_MAC_KEY": "YW5vdGhlci1tYWRlLXVwLWtleS1mb3ItdGhlLWNoZWNrcw==",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_system_admin_resets_a_lost_device(client, bureau_user, sysadmin_user):
    _enrol(client, bureau_user)
    client.force_login(sysadmin_user)
    assert client.post(reverse("accounts:user_otp_reset", args=[bureau_user.pk])).status_code == 302
    assert not services.otp_has_device(bureau_user)
    assert AuditEvent.objects.filter(detail="重置双因素认证", actor=sysadmin_user).exists()


# ------------------------------------------------------------------------------------ sessions


def test_a_session_ends_twelve_hours_after_login_however_active(client, bureau_user, settings):
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    _login(client, bureau_user.username)
    assert client.get("/").status_code == 200
    session = client.session
    session[LOGIN_AT_SESSION_KEY] -= 11 * 60 * 60
    session.save()
    assert client.get("/").status_code == 200
    session = client.session
    session[LOGIN_AT_SESSION_KEY] -= 60 * 60 + 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.LOGOUT, detail__contains="12 小时").exists()


# ------------------------------------------------------------------------------------ demo


def test_demo_accounts_are_not_forced_to_change_or_enrol(client, regions, settings):
    from kejiju.accounts.demo import DEMO_PASSWORD, seed_demo_accounts

    settings.OTP_REQUIRED = False
    seed_demo_accounts()
    User.objects.filter(username="bureau").update(password_changed_at=timezone.now() - timedelta(days=400))
    seed_demo_accounts()  # a second seed (idempotent) refreshes the date
    for username in ("bureau", "sysadmin", "county_140902"):
        client.logout()
        assert _login(client, username, DEMO_PASSWORD).status_code == 302
        assert client.get("/").status_code == 200
