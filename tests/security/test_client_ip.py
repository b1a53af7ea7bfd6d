"""The client's address in the audit records (kejiju.core.clientip): X-Forwarded-For is believed only from
a proxy in TRUSTED_PROXIES, read from the right; a header forged by the client is recorded nowhere.

The sweep finds every model with an IP address field (security events, auditlog's change entries,
django-axes' attempts and logs, report jobs, and any added later), drives the portal through logins,
failed logins and a lockout, a change, an inline and a background import, and a POST to every route of
the access matrix that takes one (state changes of filings, projects, evaluations … among them), once from
an untrusted address that forges the header and once through a trusted proxy; then every row written to
any of those models must carry the client's real address, and every such model must have been written."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from kejiju.core.clientip import client_ip, parse_address, resolve_client_ip
from tests.access import ALL_ROLES, all_routes
from tests.logins import login_post

FORGED = "198.51.100.66"
PROXY_NETWORK = "10.9.0.0/16"


# ------------------------------------------------------------------------------------------ resolution


def _request(remote="203.0.113.7", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # Nothing trusted (the default): the header is ignored, whatever it says.
        ([], "203.0.113.7", FORGED, "203.0.113.7"),
        ([], "10.9.0.2", f"{FORGED}, 192.0.2.10", "10.9.0.2"),
        # A connection from outside the trusted proxies: the header is the client's own words.
        ([PROXY_NETWORK], "203.0.113.7", FORGED, "203.0.113.7"),
        # Through a trusted proxy: the rightmost address that is not a trusted proxy.
        ([PROXY_NETWORK], "10.9.0.2", "192.0.2.10", "192.0.2.10"),
        ([PROXY_NETWORK], "10.9.0.2", f"{FORGED}, 192.0.2.10", "192.0.2.10"),
        ([PROXY_NETWORK], "10.9.0.2", f"{FORGED}, 192.0.2.10, 10.9.0.7", "192.0.2.10"),
        (["10.9.0.2", "10.9.0.7"], "10.9.0.2", f"{FORGED},192.0.2.10 , 10.9.0.7", "192.0.2.10"),
        # Ports and IPv6 forms.
        ([PROXY_NETWORK], "10.9.0.2", "192.0.2.10:51234", "192.0.2.10"),
        ([PROXY_NETWORK, "fd00::/8"], "fd00::1", "[2001:db8::5]:443", "2001:db8::5"),
        (["::1"], "::1", "2001:DB8::5", "2001:db8::5"),
        ([PROXY_NETWORK], "::ffff:10.9.0.2", "192.0.2.10", "192.0.2.10"),
        # No header, an empty one, or garbage where the proxy's entry should be: the last trusted hop.
        ([PROXY_NETWORK], "10.9.0.2", None, "10.9.0.2"),
        ([PROXY_NETWORK], "10.9.0.2", "", "10.9.0.2"),
        ([PROXY_NETWORK], "10.9.0.2", f"{FORGED}, unknown", "10.9.0.2"),
        ([PROXY_NETWORK], "10.9.0.2", "192.0.2.10, 10.9.0.3, 10.9.0.4", "192.0.2.10"),
        ([PROXY_NETWORK], "10.9.0.2", "10.9.0.3", "10.9.0.3"),
        # No usable REMOTE_ADDR at all.
        ([PROXY_NETWORK], "", FORGED, None),
    ],
)
def test_resolution(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    assert resolve_client_ip(_request(remote, forwarded)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.2.3.4", "1.2.3.4"), (" 1.2.3.4:80 ", "1.2.3.4"), ("[::1]:8", "::1"), ("x", None), ("", None)],
)
def test_parse_address(text, expected):
    assert parse_address(text) == expected


def test_a_bad_trusted_proxies_entry_fails_the_system_check(settings):
    from kejiju.core.clientip import check_trusted_proxies

    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "nginx"]
    assert [error.id for error in check_trusted_proxies()] == ["kejiju.E101"]
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
    assert check_trusted_proxies() == []


def test_axes_uses_the_same_resolution(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = [PROXY_NETWORK]
    assert get_client_ip_address(_request("10.9.0.2", f"{FORGED}, 192.0.2.10")) == "192.0.2.10"
    assert get_client_ip_address(_request("203.0.113.7", FORGED)) == "203.0.113.7"
    assert client_ip() is None  # outside a request or job


# ------------------------------------------------------------------------------------------ the sweep


def ip_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) of the project and its libraries that records an IP address."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.GenericIPAddressField)
    ]


def test_the_sweep_finds_the_known_ip_fields():
    found = {f"{model._meta.label}.{name}" for model, name in ip_fields()}
    assert {
        "core.AuditEvent.ip_address",
        "core.ReportJob.client_ip",
        "auditlog.LogEntry.remote_addr",
        "axes.AccessAttempt.ip_address",
        "axes.AccessLog.ip_address",
        "axes.AccessFailureLog.ip_address",
    } <= found


MODES = {
    # (REMOTE_ADDR, X-Forwarded-For, the address that must be recorded)
    "forged-from-untrusted": ("203.0.113.7", FORGED, "203.0.113.7"),
    "through-trusted-proxy": ("10.9.0.2", f"{FORGED}, 192.0.2.10", "192.0.2.10"),
}
# Who POSTs to a matrix route: the first role that the route allows, a county office first.
ROLE_ORDER = ("county", *(role for role in ALL_ROLES if role != "county"))


def _client(remote, forwarded, user=None) -> Client:
    """A browser at `remote` sending `forwarded`; logged in through the login form when a user is given
    (force_login would log in with a bare request, and its login events would carry no address)."""
    # A view that fails on an empty form is another test's business: here only the addresses count.
    client = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded, raise_request_exception=False)
    if user is not None:
        response = login_post(client, user.username)
        assert response.status_code == 302, response.status_code
    return client


def _logins(world, remote, forwarded):
    client = _client(remote, forwarded)
    for _ in range(5):  # failed logins (the captcha answered), then the lockout
        login_post(client, world.users["county"].username, "wrong")
    login_post(client, world.users["bureau"].username)
    client.post(reverse("core:organization_add"), {"name": "地址测试单位", "kind": "enterprise"})
    client.post(reverse("accounts:logout"))


def _imports(world, remote, forwarded, monkeypatch, capture):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enterprises import importer
    from tests.enterprises.test_import import enterprise_row, figure_row, workbook_bytes

    client = _client(remote, forwarded, world.users["bureau"])
    upload, confirm = (
        reverse("enterprises:enterprise_import"),
        reverse("enterprises:enterprise_import_confirm"),
    )
    inline = workbook_bytes([enterprise_row(n) for n in (97001, 97002)], [figure_row(97001)])
    client.post(upload, {"file": SimpleUploadedFile("企业.xlsx", inline)})
    with capture(execute=True):
        assert client.post(confirm).status_code == 302
    monkeypatch.setattr(importer, "INLINE_ROWS", 2)  # the rest is committed by a background job
    background = workbook_bytes([enterprise_row(n) for n in (97003, 97004, 97005)], [figure_row(97003)])
    client.post(upload, {"file": SimpleUploadedFile("企业.xlsx", background)})
    with capture(execute=True):  # the job runs after the request, in-process (eager)
        assert client.post(confirm).status_code == 302


def _post_requests(world) -> list[tuple[str, str, dict]]:
    """(role, url, data) of a POST to every matrix route whose view takes one (declared or not), as a role
    it allows, with the route's data; deletions last. Built before the sweep: the objects they need are
    test set-up, not audited requests."""
    requests = []
    for route in sorted(all_routes(), key=lambda route: "delete" in route.name):
        if route.public or route.name == "accounts:logout":
            continue
        url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
        view = resolve(url).func
        if "POST" not in route.methods and not hasattr(getattr(view, "view_class", None), "post"):
            continue
        role = next(role for role in ROLE_ORDER if role in route.allowed)
        requests.append((role, url, route.data(world) if route.data else {}))
    return requests


def _post_routes(world, requests, remote, forwarded, capture):
    clients: dict[str, Client] = {}
    for role, url, data in requests:
        user = world.users[role]
        if role not in clients:
            clients[role] = _client(remote, forwarded, user)
        client = clients[role]
        user.refresh_from_db(fields=["is_active"])
        if user.is_active and "_auth_user_id" not in client.session:
            # A route of the sweep deactivated the account (ending its sessions) and another reactivated
            # it: log in again, through the form as at first.
            assert login_post(client, user.username).status_code == 302
        with capture(execute=True):
            client.post(url, data)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", MODES)
def test_every_recorded_address_is_the_clients(
    mode, settings, world, monkeypatch, django_capture_on_commit_callbacks
):
    from auditlog.models import LogEntry

    from enterprises.models import Enterprise
    from kejiju.core.models import AuditEvent, ReportJob
    from tests.enterprises.factories import make_uscc

    remote, forwarded, expected = MODES[mode]
    settings.TRUSTED_PROXIES = [PROXY_NETWORK]
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    fields = ip_fields()
    requests = _post_requests(world)
    before = {
        model: model._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model, _ in fields
    }
    events_before = AuditEvent.objects.count()

    _post_routes(world, requests, remote, forwarded, django_capture_on_commit_callbacks)
    _imports(world, remote, forwarded, monkeypatch, django_capture_on_commit_callbacks)
    _logins(world, remote, forwarded)  # last: it locks the county account out

    wrong, unwritten = [], []
    for model, name in fields:
        rows = list(model._base_manager.filter(pk__gt=before[model]).values_list("pk", name))
        if not rows:
            unwritten.append(f"{model._meta.label}.{name}")
        wrong += [(model._meta.label, pk, value) for pk, value in rows if value != expected]
    assert not wrong, f"rows recorded without the client's address {expected}: {wrong[:20]}"
    assert not unwritten, f"models with an IP field that the sweep did not write: {unwritten}"
    for model, name in fields:  # the forged address nowhere, new rows or old
        assert not model._base_manager.filter(**{name: FORGED}).exists(), model._meta.label
    # The sweep did what it says: security events of each kind, state changes, bulk import entries.
    new_events = AuditEvent.objects.order_by("pk")[events_before:]
    kinds = {event.event_type for event in new_events}
    assert {"login", "login_failed", "lockout", "logout", "transition"} <= kinds, kinds
    transitions = " / ".join(event.object_repr for event in new_events if event.event_type == "transition")
    # State changes of filings, recognition batches, projects, 科小 evaluations and the 高企 pool.
    for what in ("工作动态", "认定批次", "项目", "评价", "培育库"):
        assert what in transitions, (what, transitions)
    imported = Enterprise.objects.filter(uscc__in=[make_uscc(n) for n in range(97001, 97006)])
    assert LogEntry.objects.get_for_objects(imported).count() == 5  # inline and background bulk entries
    job = ReportJob.objects.get(kind="enterprise_import")
    assert job.state == ReportJob.State.SUCCEEDED and job.client_ip == expected, job.error
