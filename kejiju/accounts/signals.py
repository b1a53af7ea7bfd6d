"""三员分立: no account may be put into the groups of two roles, whichever side of the relation is edited
(a user's groups or a group's users, e.g. in Django's admin). And the cached permission sets and region
choices are dropped when what they are read from changes."""

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from kejiju.core.cache_versions import raise_version

from .models import Region, User
from .services import check_role_groups, user_session_logout, user_session_start


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="kejiju.accounts.one_role_per_account")
def _one_role_per_account(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "pre_add" or not pk_set:
        return
    if not reverse:
        current = set(instance.groups.values_list("name", flat=True))
        added = set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        check_role_groups(user=instance, group_names=current | added)
        return
    for user in User.objects.filter(pk__in=pk_set):
        current = set(user.groups.values_list("name", flat=True))
        check_role_groups(user=user, group_names=current | {instance.name})


# Cached permission sets (backends.CachedPermissionsBackend) are dropped when what they derive from changes.
def _permissions_changed(sender, **kwargs):
    from .backends import permissions_changed

    if kwargs.get("action", "post_").startswith("post_"):
        permissions_changed()


for _through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
    m2m_changed.connect(
        _permissions_changed, sender=_through, dispatch_uid=f"kejiju.perms.{_through.__name__}"
    )
for _model in (Group, Permission):
    post_save.connect(
        _permissions_changed, sender=_model, dispatch_uid=f"kejiju.perms.save.{_model.__name__}"
    )
    post_delete.connect(
        _permissions_changed, sender=_model, dispatch_uid=f"kejiju.perms.delete.{_model.__name__}"
    )


def _regions_changed(sender, **kwargs):
    from kejiju.core.filters import REGION_CHOICES_VERSION_KEY

    raise_version(REGION_CHOICES_VERSION_KEY)


post_save.connect(_regions_changed, sender=Region, dispatch_uid="kejiju.regions.save")
post_delete.connect(_regions_changed, sender=Region, dispatch_uid="kejiju.regions.delete")


# 在线用户: a row per logged-in session (kejiju.accounts.services, UserSession).
@receiver(user_logged_in, dispatch_uid="kejiju.accounts.session_start")
def _session_start(sender, request, user, **kwargs):
    if request is not None:
        user_session_start(user=user, request=request)


@receiver(user_logged_out, dispatch_uid="kejiju.accounts.session_logout")
def _session_logout(sender, request, user, **kwargs):
    if request is not None:
        user_session_logout(request=request)
