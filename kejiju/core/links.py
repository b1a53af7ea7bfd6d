"""Whether a user may follow an internal link: the permission check of the view the URL resolves to, asked
before the link is offered (list tables link a record only where the viewer may open it)."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.urls import Resolver404, resolve

from kejiju.core.scoping import unit_id_of_user


def may_follow(request, url: str) -> bool:
    """False when the view behind `url` would refuse `request`'s user with 403 for want of a permission
    (PermissionRequiredMixin), or because it is a staff-only page (`staff_only`) and the user belongs to a
    unit. Links outside the portal's URLs, and views without such a check, are followable. The answer
    does not depend on the record: these checks read the user and the view, never the object."""
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return True
    view_class = getattr(match.func, "view_class", None)
    if view_class is None:
        return True
    if getattr(view_class, "staff_only", False) and unit_id_of_user(request.user) is not None:
        return False
    if not issubclass(view_class, PermissionRequiredMixin):
        return True
    view = view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(request, *match.args, **match.kwargs)
    try:
        return view.has_permission()
    except ImproperlyConfigured:  # a view that names no permission: its own checks decide
        return True
