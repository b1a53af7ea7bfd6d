"""In chromium at 1366×768: every declared workflow's transition form submits (its button belongs to the
form the server reads), and a transition taken by clicking changes the state and shows on the timeline.

The flows are found from the workflow sweeps' cases (tests/<app>/test_workflow.py), not listed here."""

import importlib

import pytest
from django.urls import reverse

from kejiju.core.workflow import workflow
from tests.workflowcase import WorkflowSweep, _may

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPS = ("enterprises", "platforms", "projects", "reporting", "experts", "units", "applications")


def _cases():
    cases = []
    for app in APPS:
        try:
            module = importlib.import_module(f"tests.{app}.test_workflow")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, WorkflowSweep) and value is not WorkflowSweep:
                cases.append(value.case)
    return cases


CASES = _cases()


def _form_transition(case):
    flow = workflow(case.workflow)
    for transition in flow.transitions:
        if transition.form and transition.action not in case.skip:
            return transition, sorted(transition.sources)[0]
    return None, None


@pytest.mark.parametrize("case", CASES, ids=[case.workflow for case in CASES])
def test_every_transition_form_submits_its_fields(page, live_server, login, world, case):
    transition, source = _form_transition(case)
    if transition is None:
        pytest.skip("no transition of this flow is taken on the transition form")
    record = case.make(world, source)
    actor = next(world.users[a] for a in case.actors if _may(world.users[a], transition, record))
    login(actor.username)
    url = reverse(case.url_name, kwargs={"pk": record.pk})
    page.goto(f"{live_server.url}{url}?action={transition.action}")
    form = page.locator("main form[data-warn-unsaved]")
    # A nested <form> (a form helper's own tag) would close the page's form before its button.
    assert form.locator("button[type=submit]").count() == 1
    assert form.locator("input[name=action]").count() == 1


def test_a_transition_taken_by_clicking(page, live_server, login, world):
    from tests.platforms.factories import PlatformFactory

    platform = PlatformFactory(region=world.county_a, state="cultivating")
    login(world.users["bureau"].username)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}{reverse('platforms:platform_transition', kwargs={'pk': platform.pk})}")
    page.get_by_role("link", name="撤销").click()
    page.fill("textarea[name=comment]", "不再符合培育条件")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("main form[data-warn-unsaved] button[type=submit]").click()
    page.wait_for_load_state()
    platform.refresh_from_db()
    assert platform.state == "revoked"
    assert "不再符合培育条件" in page.locator("[data-testid=workflow-events]").inner_text()
