import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the live server's ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def open_transactions() -> list[str]:
    """The database aliases with a transaction open by the code under test (the test case's own
    transaction, which stands for autocommit, does not count)."""
    from django.db import connections

    return [
        connection.alias
        for connection in connections.all(initialized_only=True)
        if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
    ]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Per-address and per-username counts (failed logins, registrations) live in the process's cache:
    each test starts with none, so one test's failures never put a captcha or a wait on another's login.
    The tests' cache is the process's own (LocMemCache): emptied whole. A shared cache (CACHE_URL) is
    never flushed: only the counts of the addresses the tests use by default are removed."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.locmem import LocMemCache

    from kejiju.accounts.throttles import LOGIN_FAILURES
    from kejiju.units.views import REGISTER_THROTTLE

    if isinstance(caches["default"], LocMemCache):
        cache.clear()
        return
    for throttle in (LOGIN_FAILURES, REGISTER_THROTTLE):
        cache.delete_many([f"throttle:{throttle.scope}:{address}" for address in ("127.0.0.1", "10.9.9.9")])


@pytest.fixture(autouse=True)
def _mail_only_after_commit(monkeypatch):
    """In every test, an e-mail handed to the mail backend while a transaction is open fails the test
    (at teardown, so that a caller's `except Exception` cannot hide it): mail goes out through
    kejiju.core.mail once the transaction has committed, never from inside it. The list of such sends
    is the fixture's value."""
    from django.core.mail.backends.locmem import EmailBackend

    send_messages = EmailBackend.send_messages
    inside: list[str] = []

    def guarded(self, messages):
        still_open = open_transactions()
        if still_open:
            inside.extend(f"{m.subject} (transaction open on {', '.join(still_open)})" for m in messages)
        return send_messages(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", guarded)
    yield inside
    assert not inside, f"e-mail sent inside an open transaction: {inside}"


@pytest.fixture(autouse=True)
def _holiday_calendar(request):
    """Working days are computed from the 节假日安排 rows: each test reads them afresh (a rolled-back test may
    have changed them), and a test with the database gets the published years back when a transactional
    test before it flushed the migration's rows."""
    from kejiju.core.workdays import forget_calendar

    forget_calendar()
    if {"db", "transactional_db"} & set(request.fixturenames) or request.node.get_closest_marker("django_db"):
        from kejiju.core.holidays import ensure_published_arrangements
        from kejiju.core.models import HolidayArrangement

        request.getfixturevalue("django_db_setup")  # the test database exists before the first read
        with request.getfixturevalue("django_db_blocker").unblock():
            ensure_published_arrangements(HolidayArrangement)
    yield
    forget_calendar()


@pytest.fixture(autouse=True)
def _parameters_unsaved():
    """Every test starts with no 系统参数 saved (no migration writes any, a rolled-back or flushed test's
    rows are gone): this process's copy says so, so the first read costs no query (query budgets) and a
    test without the database reads the defaults."""
    from kejiju.core import parameters

    parameters._memo = (parameters.version(), {})
    parameters._pending = False
    yield
    parameters.forget()


@pytest.fixture
def regions(db):
    from kejiju.accounts.models import Region
    from kejiju.accounts.regions import ensure_regions

    if not Region.objects.exists():  # a transactional test before this one flushed the migration's rows
        ensure_regions(Region)
    return {region.code: region for region in Region.objects.all()}


@pytest.fixture
def county_a(regions):
    return regions["140902"]  # 忻府区


@pytest.fixture
def county_b(regions):
    return regions["140921"]  # 定襄县


@pytest.fixture
def make_user(db):
    from kejiju.accounts.roles import Role
    from tests.factories import UserFactory

    def make(role: str, region=None, **kwargs):
        if role == Role.COUNTY and region is None:
            from kejiju.accounts.models import Region

            region = Region.objects.get(code="140902")
        return UserFactory(role=role, region=region, **kwargs)

    return make


@pytest.fixture
def world(db, make_user, county_a, county_b):
    from tests.access import World

    return World.build(make_user=make_user, county_a=county_a, county_b=county_b)


@pytest.fixture
def bureau_user(world):
    return world.users["bureau"]


@pytest.fixture
def leader_user(world):
    return world.users["leader"]


@pytest.fixture
def county_user(world):
    return world.users["county"]


@pytest.fixture
def other_county_user(world):
    return world.users["other_county"]


@pytest.fixture
def sysadmin_user(world):
    return world.users["sysadmin"]


@pytest.fixture
def auditor_user(world):
    return world.users["auditor"]


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the whole run (Playwright's sync API allows one loop at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"],
        )
        yield browser
        browser.close()


def pytest_generate_tests(metafunc):
    # The workflow sweep's tests are generated from each flow's declaration (tests/workflowcase.py).
    from tests.workflowcase import pytest_generate_tests_for

    pytest_generate_tests_for(metafunc)


# Fixtures for every test module: an S3 server and bucket, and portal processes (workers, web servers).
from tests.objectstore import object_store, s3_server  # noqa: E402, F401
from tests.processes import start_web, start_worker  # noqa: E402, F401
