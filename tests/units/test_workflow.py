"""The 单位注册 flow through the workflow sweep (every edge, every actor, wrong states, the comment and the
date rule), and unit scoping swept over every scoped model."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from kejiju.units.models import UnitRegistration
from tests.units.factories import UnitRegistrationFactory
from tests.workflowcase import FlowCase, WorkflowSweep


def _registration(world, state: str) -> UnitRegistration:
    registration = UnitRegistrationFactory(region=world.county_a, state=state)
    # Filed some days ago, so a decision dated before it can be tried.
    UnitRegistration.objects.filter(pk=registration.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=10)
    )
    registration.refresh_from_db()
    return registration


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


class TestUnitRegistrationFlow(WorkflowSweep):
    case = FlowCase(
        workflow="units.registration",
        url_name="units:unitregistration_transition",
        make=_registration,
    )


# ----------------------------------------------------------------------------------- unit scoping


def _scoped_models():
    root = str(settings.BASE_DIR)
    for model in apps.get_models():
        if not apps.get_app_config(model._meta.app_label).path.startswith(root):
            continue
        if getattr(model, "audience_scoped", False):
            # Addressed to audiences, not owned by a unit: tests/announcements/test_audience.py.
            continue
        if hasattr(model._default_manager.all(), "visible_to"):
            yield model


SCOPED = sorted(_scoped_models(), key=lambda model: model._meta.label)


def test_the_sweep_sees_the_scoped_models():
    labels = {model._meta.label for model in SCOPED}
    assert {"enterprises.Enterprise", "projects.Project", "units.UnitRegistration"} <= labels


@pytest.mark.django_db
@pytest.mark.parametrize("model", SCOPED, ids=lambda model: model._meta.label)
def test_a_unit_account_sees_its_own_unit_or_nothing(model, world):
    """Fail closed: of a model that names no `unit_field`, an account bound to a unit sees no row; of one
    that names it, exactly the rows of its own unit — whatever the account's permissions."""
    for role in ("unit_admin", "applicant"):
        user = world.users[role]
        seen = model._default_manager.all().visible_to(user)
        field = getattr(model, "unit_field", None)
        if field is None:
            assert seen.query.is_empty(), (
                f"{model._meta.label}: a {role} sees rows of a model without unit_field"
            )
        else:
            own = model._default_manager.filter(**{field: world.unit_a.pk})
            owner = getattr(model, "owner_field", None)
            if owner and role == "applicant":  # a 项目负责人 sees only their own rows of the unit's
                own = own.filter(**{owner: user.pk})
            assert str(seen.query) == str(own.query), f"{model._meta.label}: not limited to the unit"
