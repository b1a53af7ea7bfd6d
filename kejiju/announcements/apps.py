from django.apps import AppConfig

from kejiju.accounts.roles import Role

_READ = ["announcements.view_announcement"]


def _home_panel(user) -> dict | None:
    """The latest announcements addressed to the user on the home page (pinned first, unread marked)."""
    from django.urls import reverse

    from .models import VIEW_PERM
    from .selectors import latest_for, unread_count

    if not user.is_authenticated or not user.has_perm(VIEW_PERM):
        return None
    return {
        "announcements": latest_for(user=user, limit=5),
        "unread": unread_count(user=user),
        "list_url": reverse("announcements:announcement_list"),
    }


class AnnouncementsConfig(AppConfig):
    name = "kejiju.announcements"
    label = "announcements"
    verbose_name = "通知公告"

    # Every account reads what is addressed to it; bureau staff draft, publish and withdraw; leadership
    # oversees (every announcement and who read it) without changing any.
    role_permissions = {
        Role.BUREAU: [
            *_READ,
            "announcements.add_announcement",
            "announcements.change_announcement",
            "announcements.publish_announcement",
            "announcements.view_all_announcement",
        ],
        Role.LEADER: [*_READ, "announcements.view_all_announcement"],
        Role.COUNTY: _READ,
        Role.UNIT_ADMIN: _READ,
        Role.APPLICANT: _READ,
        Role.EXPERT: _READ,
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.registry import (
            HomePanel,
            MenuItem,
            MenuSection,
            register_home_panel,
            register_menu,
        )

        from . import models, workflow  # noqa: F401 (registers the workflow)

        auditlog.register(models.Announcement, m2m_fields={"regions"})
        auditlog.register(models.AnnouncementAttachment)
        register_home_panel(
            HomePanel(key="announcements", template="announcements/_home_panel.html", context=_home_panel)
        )
        items = (
            MenuItem("通知公告", "announcements:announcement_list", "announcements.view_announcement"),
            MenuItem(
                "通知公告管理", "announcements:announcement_manage", "announcements.view_all_announcement"
            ),
        )
        register_menu(MenuSection(label="通知公告", order=3, items=items))
        # A unit account sees only its own section: the announcements are listed there too.
        register_menu(MenuSection(label="本单位", order=70, audience="unit", items=items[:1]))

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_demo_announcements

        seed_demo_announcements(stdout=stdout)
