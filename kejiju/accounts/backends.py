"""The authentication backend: Django's ModelBackend, with each user's permission set kept in the cache
between requests. Without it every page spent two queries (the user's and the groups' permissions) on
the menu and the permission checks.

An entry is valid for the permission version it was read under; any change of group membership, of a
user's or a group's permissions, or of a group or permission row raises the version at once and again
after the commit, which drops every entry (roles change rarely; the next page of each user reads them
again)."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

from kejiju.core.cache_versions import raise_version

VERSION_KEY = "perms:version"
ENTRY_TIMEOUT = 60 * 60


def _entry_key(user) -> str:
    return f"perms:user:{user.pk}"


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = _entry_key(user_obj)
            found = cache.get_many([key, VERSION_KEY])
            version = found.get(VERSION_KEY, 0)
            entry = found.get(key)
            if entry is not None and entry[0] == version and entry[1] == user_obj.is_superuser:
                user_obj._perm_cache = entry[2]
            else:
                permissions = super().get_all_permissions(user_obj)
                cache.set(key, (version, user_obj.is_superuser, permissions), ENTRY_TIMEOUT)
        return user_obj._perm_cache


def permissions_changed() -> None:
    """Drop every cached permission set now, and again when the current transaction commits: a request in
    another process may have cached the old rows in between."""
    raise_version(VERSION_KEY)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(raise_version, VERSION_KEY))
