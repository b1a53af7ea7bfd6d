"""Reads of the applicant-facing side."""

from __future__ import annotations

from django.db.models import QuerySet

from kejiju.accounts.models import User
from kejiju.accounts.roles import UNIT_BOUND_ROLES
from kejiju.core.scoping import scoped_queryset

from .models import RegistrationState, UnitRegistration


def registration_list(*, user) -> QuerySet[UnitRegistration]:
    """The registrations the user may see: a county office its county's, the bureau all, a unit its own."""
    return scoped_queryset(UnitRegistration, user).select_related("region", "organization", "admin")


def registrations_waiting(*, user) -> int:
    return registration_list(user=user).filter(state=RegistrationState.SUBMITTED).count()


def unit_accounts(*, user) -> QuerySet[User]:
    """The accounts of the user's own unit (nothing for an account bound to no unit)."""
    if user.unit_id is None:
        return User.objects.none()
    return User.objects.filter(organization_id=user.unit_id, role__in=UNIT_BOUND_ROLES).order_by(
        "role", "username"
    )
