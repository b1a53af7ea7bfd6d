"""Reads of online 申报."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kejiju.accounts.models import User
from kejiju.core.scoping import scoped_queryset

from .models import Application, ApplicationState, CallGuide


def guide_list(*, user: User) -> QuerySet[CallGuide]:
    """Published guides for everyone holding the view permission; the bureau also sees those not yet
    open online (it prepares them)."""
    guides = scoped_queryset(CallGuide, user).select_related("call", "call__programme")
    if not user.has_perm("applications.change_callguide"):
        guides = guides.filter(online=True)
    return guides.annotate(mine=Count("call__applications", filter=Q(call__applications__leader=user.pk)))


def application_list(*, user: User) -> QuerySet[Application]:
    return scoped_queryset(Application, user).select_related(
        "call", "call__programme", "unit", "region", "project"
    )


# The state each kind of account acts on: the 项目负责人 a returned application, the unit's administrator
# a submitted one, the office that recommends one its unit approved.
_WAITING_ON = {
    "applications.submit_application": ApplicationState.RETURNED,
    "applications.review_application": ApplicationState.SUBMITTED,
    "applications.recommend_application": ApplicationState.UNIT_APPROVED,
}


def waiting_counts(*, user: User) -> dict[str, int]:
    states = [str(state) for perm, state in _WAITING_ON.items() if user.has_perm(perm)]
    if not states:
        return {}
    rows = application_list(user=user).filter(state__in=states)
    if user.has_perm("applications.recommend_application") and user.region_id is None:
        # The bureau recommends only the applications of units without a county.
        rows = rows.exclude(state=ApplicationState.UNIT_APPROVED, region__isnull=False)
    counts = dict(rows.values_list("state").annotate(n=Count("pk")).order_by())
    return {state: counts.get(state, 0) for state in states}
