from __future__ import annotations


def notices(request):
    """The unread badge in the navigation bar: a cached count (reporting.services.notice_unread_count), read
    only when the page shows it (the template calls the function)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        from .services import notice_unread_count

        if not user.has_perm("reporting.view_notice"):
            return 0
        return notice_unread_count(user=user)

    return {"unread_notices": unread}
