"""Every role's pages fit a small laptop screen: the top menu (whose sections grow with each role's
permissions) wraps instead of pushing the page sideways."""

import pytest

from tests.access import ALL_ROLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [1280, 1366])
def test_no_role_scrolls_sideways(page, live_server, login, world, width):
    page.set_viewport_size({"width": width, "height": 720})
    for role in ALL_ROLES:
        user = world.users[role]
        user.display_name = "忻府区科技局业务科"  # a realistic display name, longer than the factory's
        user.save(update_fields=["display_name"])
        login(user.username)
        page.goto(f"{live_server.url}/")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), (role, width)
