"""County scoping: the one mechanism every app uses to limit what a user may see.

A model whose rows belong to a region uses `RegionScopedQuerySet` (or its manager) and names the lookup
to its region in `region_field` (default "region"); `.visible_to(user)` then returns all rows for users
holding `accounts.view_all_regions` (bureau staff, leadership), only their own region's rows for a
region-bound account (county offices), and nothing for anyone else.
"""

from __future__ import annotations

from django.db import models


def scope_region_ids(user) -> list[int] | None:
    """None means unrestricted; a list (possibly empty) means only those regions."""
    if not user.is_authenticated:
        return []
    if user.has_perm("accounts.view_all_regions"):
        return None
    if user.region_id is None:
        return []
    return [user.region_id]


def user_may_see_region(user, region_id: int | None) -> bool:
    allowed = scope_region_ids(user)
    return allowed is None or region_id in allowed


class RegionScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        allowed = scope_region_ids(user)
        if allowed is None:
            return self
        if not allowed:
            return self.none()
        field = getattr(self.model, "region_field", "region")
        return self.filter(**{f"{field}__in": allowed})
