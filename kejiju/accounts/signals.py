"""三员分立: no account may be put into the groups of two roles, whichever side of the relation is edited
(a user's groups or a group's users, e.g. in Django's admin)."""

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import User
from .services import check_role_groups


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
