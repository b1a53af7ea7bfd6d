"""County scoping: the one mechanism every app uses to limit what a user may see.

A model whose rows belong to a region uses `RegionScopedQuerySet` (or its manager) and names the lookup
to its region in `region_field` (default "region"); `.visible_to(user)` then returns all rows for users
holding `accounts.view_all_regions` (bureau staff, leadership), only their own region's rows for a
region-bound account (county offices), and nothing for anyone else.

Unit scoping is the same mechanism one level down: an account bound to a unit (申报单位管理员, 项目负责人)
sees, of a model that names the lookup to its unit in `unit_field` ("organization", "applicant",
"host" …), the rows of its own unit, and nothing of a model that names none (fail closed). It never sees
a region: `scope_region_ids` gives it no region at all. A model whose rows belong to one person of the unit
names that account in `owner_field` ("leader" of an online application): a 项目负责人 sees only their own
rows of it, the unit's administrator every row of the unit.
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


def region_id_of(record: models.Model) -> int | None:
    """The region a record belongs to, through its model's `region_field` (None for a model without one or
    a record without a region)."""
    path = getattr(type(record), "region_field", None)
    if path is None:
        return getattr(record, "region_id", None)
    *hops, last = path.split("__")
    target = record
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def unit_id_of_user(user) -> int | None:
    """The unit a signed-in account is bound to, or None (staff, anonymous)."""
    return getattr(user, "unit_id", None) if user.is_authenticated else None


def owner_id_of(record: models.Model) -> int | None:
    """The account a record belongs to, through its model's `owner_field` (None without one)."""
    path = getattr(type(record), "owner_field", None)
    if path is None:
        return None
    *hops, last = path.split("__")
    target = record
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def unit_id_of(record: models.Model) -> int | None:
    """The unit a record belongs to, through its model's `unit_field` (None for a model without one)."""
    path = getattr(type(record), "unit_field", None)
    if path is None:
        return None
    if path == "pk":
        return record.pk
    *hops, last = path.split("__")
    target = record
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


class RegionScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        unit = unit_id_of_user(user)
        if unit is not None:
            field = getattr(self.model, "unit_field", None)
            if not field:
                return self.none()
            rows = self.filter(**{field: unit})
            owner = getattr(self.model, "owner_field", None)
            if owner and not user.has_perm("accounts.see_whole_unit"):
                rows = rows.filter(**{owner: user.pk})
            return rows
        allowed = scope_region_ids(user)
        if allowed is None:
            return self
        if not allowed:
            return self.none()
        field = getattr(self.model, "region_field", "region")
        return self.filter(**{f"{field}__in": allowed})


# --------------------------------------------------------------------------------- fail-closed scoping

_global_models: dict[str, str] = {}


def register_global(model: type[models.Model], *, reason: str) -> type[models.Model]:
    """Declare that every row of `model` may be served to anyone holding its view permission (a 批次, a
    catalogue, a policy): the model has no region. Every other model served by the base views must have
    `visible_to`."""
    _global_models[model._meta.label_lower] = reason
    return model


def global_models() -> dict[str, str]:
    return dict(_global_models)


def is_global(model: type[models.Model]) -> bool:
    return model._meta.label_lower in _global_models


class UnscopedModelError(LookupError):
    pass


def scoped_queryset(model_or_queryset, user) -> models.QuerySet:
    """The rows of a model (or a queryset of it) `user` may reach: `visible_to(user)` for a region-owned
    model, every row of a model registered global, and an error for a model that says neither (fail
    closed: a forgotten scope is a crash in the first test, never a leak)."""
    if isinstance(model_or_queryset, models.QuerySet):
        queryset, model = model_or_queryset, model_or_queryset.model
    else:
        model = model_or_queryset
        queryset = model._default_manager.all()
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    if is_global(model):
        return queryset
    raise UnscopedModelError(
        f"{model._meta.label} has neither visible_to nor a register_global declaration: it cannot be served"
    )
