"""Helpers the platform views share: the permission check before an object lookup, and the host or
applicant organisation named on a form."""

from __future__ import annotations

from .. import services


def permission_first(view) -> None:
    """Views that load their object in dispatch check the permission before the lookup, so that a user
    without the permission gets 403 whether or not the object is in their scope."""
    if not view.has_permission():
        view.handle_no_permission()


def applicant_host(form, region):
    """The organisation a platform form or an application form names (host_name, host_kind), found or
    created in the given region."""
    data = form.cleaned_data
    return services.organization_for_name(name=data["host_name"], kind=data["host_kind"], region=region)
