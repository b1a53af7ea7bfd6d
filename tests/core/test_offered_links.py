"""Pages offer only the links their viewer may follow: for every role, every list page the role may reach
(the access matrix's routes), with one record of each model present, is read for its internal add, edit
and delete links, and each of them, opened as that role, must not answer 403 (a leadership account was
offered the 平台类型 edit page, which refused it)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.access import ALL_ROLES, all_routes

ROUTES = all_routes()
LISTS = [route for route in ROUTES if route.name.endswith("_list") and not route.public]
# The routes whose objects make "one record per model": building their arguments builds the record.
RECORDS = [route for route in ROUTES if route.kwargs and route.name.endswith(("_detail", "_edit"))]
OFFERED = ("_add", "_edit", "_delete")
HREF = re.compile(r'href="(/[^"#]*)"')


def _offered_links(html: str) -> dict[str, str]:
    """The page's internal links to add, edit and delete views: {url name: first such URL}."""
    links: dict[str, str] = {}
    for href in HREF.findall(html):
        url = unescape(href)
        try:
            match = resolve(url.split("?", 1)[0])
        except Resolver404:
            continue
        if match.view_name.endswith(OFFERED):
            links.setdefault(match.view_name, url)
    return links


@pytest.fixture
def records(world):
    for route in RECORDS:
        route.kwargs(world)
    return world


@pytest.mark.django_db
def test_no_offered_link_answers_403(records):
    world = records
    failures = []
    handler = None
    for role in ALL_ROLES:
        client = Client()
        if handler is not None:  # one handler: loading the middleware is slow
            client.handler = handler
        handler = client.handler
        client.force_login(world.users[role])
        seen: set[str] = set()
        for route in LISTS:
            if role not in route.allowed:
                continue
            page = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
            response = client.get(page)
            if response.status_code != 200:
                continue
            for name, url in _offered_links(response.content.decode()).items():
                if name in seen:
                    continue
                seen.add(name)
                status = client.get(url).status_code
                if status == 403:
                    failures.append((role, page, url))
    assert not failures, "links offered to a role that refuses it:\n" + "\n".join(map(str, failures))
