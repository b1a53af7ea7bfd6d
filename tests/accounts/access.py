from tests.access import ALL_ROLES, Route

SYSADMIN = frozenset({"sysadmin"})
AUDITOR = frozenset({"auditor"})
EVERYONE = frozenset(ALL_ROLES)


def _user(world):
    return {"pk": world.users["county"].pk}


def _session(world):
    """A live session of the county account (a row as the login writes it)."""

    def build():
        import secrets

        from kejiju.accounts.models import UserSession
        from kejiju.accounts.services import session_key_digest

        key = secrets.token_hex(16)
        row = UserSession(user=world.users["county"], key_digest=session_key_digest(key))
        row.set_key(key)
        row.save()
        return row

    return {"pk": world.once("usersession", build).pk}


def _region(world):
    return {"pk": world.county_a.pk}


ROUTES = [
    Route("accounts:login", EVERYONE, public=True),
    # Without a password step in the session, the code page sends back to the login page.
    Route("accounts:login_verify", EVERYONE, public=True),
    Route("accounts:logout", EVERYONE, methods=("POST",)),
    Route("accounts:password_change", EVERYONE),
    Route("accounts:otp_setup", EVERYONE, ok=(200,)),
    Route("accounts:user_list", SYSADMIN),
    Route("accounts:user_add", SYSADMIN),
    Route("accounts:user_export", SYSADMIN),
    Route("accounts:user_detail", SYSADMIN, kwargs=_user),
    Route("accounts:user_edit", SYSADMIN, kwargs=_user),
    Route("accounts:user_password", SYSADMIN, kwargs=_user),
    Route("accounts:user_unlock", SYSADMIN, kwargs=_user, methods=("POST",)),
    Route("accounts:user_otp_reset", SYSADMIN, kwargs=_user, methods=("POST",)),
    Route("accounts:user_deactivate", SYSADMIN, kwargs=_user, methods=("POST",)),
    Route("accounts:user_activate", SYSADMIN, kwargs=_user, methods=("POST",)),
    Route("accounts:usersession_list", SYSADMIN),
    Route("accounts:usersession_end", SYSADMIN, kwargs=_session, methods=("GET", "POST")),
    Route("accounts:region_list", SYSADMIN),
    Route("accounts:region_add", SYSADMIN),
    Route("accounts:region_detail", SYSADMIN, kwargs=_region),
    Route("accounts:region_edit", SYSADMIN, kwargs=_region),
    Route("accounts:changelog_list", AUDITOR),
    Route("accounts:changelog_export", AUDITOR, methods=("POST",)),
    Route("accounts:event_list", AUDITOR),
    Route("accounts:event_export", AUDITOR, methods=("POST",)),
]
