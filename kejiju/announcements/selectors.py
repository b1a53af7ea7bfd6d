"""Reads of 通知公告: what an account is addressed by, the lists, who has read one."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet

from kejiju.accounts.models import User

from .models import VIEW_PERM, Announcement, AnnouncementRead, Audience, audience_condition


def _with_read_state(queryset: QuerySet, user) -> QuerySet:
    read = AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"), user_id=user.pk)
    return queryset.annotate(is_read=Exists(read))


def announcements_for(*, user) -> QuerySet[Announcement]:
    """The live announcements addressed to `user` (an overseer: every live one), pinned first, then the
    latest, each with `is_read` and `attachment_count`."""
    rows = Announcement.objects.live().filter(audience_condition(user))
    rows = _with_read_state(rows, user).annotate(attachment_count=Count("attachments"))
    return rows.order_by("-pinned", "-publish_at", "-pk")


def latest_for(*, user, limit: int = 5) -> list[Announcement]:
    return list(announcements_for(user=user)[:limit])


def unread_count(*, user) -> int:
    return announcements_for(user=user).filter(is_read=False).count()


def announcement_manage_list(*, user) -> QuerySet[Announcement]:
    """Every announcement the user oversees, with its readers counted (one query for the page)."""
    return (
        Announcement.objects.visible_to(user)
        .select_related("author")
        .annotate(read_count=Count("reads", distinct=True))
        .order_by("-pinned", "-publish_at", "-created_at", "-pk")
    )


def audience_users(*, announcement: Announcement) -> QuerySet[User]:
    """The active accounts an announcement is addressed to (its 应读 readers; overseers not counted): those
    whose role reads announcements."""
    from kejiju.accounts.roles import declared_role_permissions

    readers = [role for role, perms in declared_role_permissions().items() if VIEW_PERM in perms]
    users = User.objects.filter(is_active=True, role__in=readers)
    region_ids = list(announcement.regions.values_list("pk", flat=True))
    if announcement.audience == Audience.ALL:
        return users
    if announcement.audience == Audience.COUNTIES:
        return users.filter(organization__isnull=True, region_id__in=region_ids)
    units = users.filter(organization__isnull=False)
    return units.filter(organization__region_id__in=region_ids) if region_ids else units


def read_figures(*, announcement: Announcement) -> dict[str, int]:
    """已读 n / 应读 m: readers among the addressed accounts, and how many those are."""
    addressed = audience_users(announcement=announcement)
    expected = addressed.count()
    read = AnnouncementRead.objects.filter(announcement=announcement, user__in=addressed).count()
    return {"read": read, "expected": expected}


def has_read(*, announcement: Announcement, user) -> bool:
    return AnnouncementRead.objects.filter(announcement=announcement, user_id=user.pk).exists()


def is_live(announcement: Announcement) -> bool:
    return Announcement.objects.live().filter(pk=announcement.pk).exists()
