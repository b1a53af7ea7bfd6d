"""Role × view matrix of 通知公告: an announcement published to county A's office (with an attachment) is
read by that office and by those who oversee announcements (bureau, leadership); every other account gets
404 (it holds the read permission, the announcement is not addressed to it), the other county too; the
system admin and the auditor hold no permission of it (403). Drafts
are the bureau's: it edits them and their attachments, publishes and withdraws."""

from tests.access import ALL_ROLES, Route

# Every account but the system admin's and the auditor's (三员分立: they hold their own duties only).
READERS = frozenset(ALL_ROLES) - {"sysadmin", "auditor"}
OVERSEE = frozenset({"bureau", "leader"})
BUREAU = frozenset({"bureau"})
COUNTY_A = frozenset({"bureau", "leader", "county"})
# Readers the county-A announcement is not addressed to.
NOT_ADDRESSED = dict.fromkeys(("unit_admin", "applicant", "expert"), 404)


def _to_county_a(world):
    def build():
        from tests.announcements.factories import make_announcement, pdf

        return make_announcement(
            author=world.users["bureau"],
            title="矩阵：致忻府区的通知",
            audience="counties",
            regions=[world.county_a],
            attachment=pdf(),
        )

    return world.once("announcement_county_a", build)


def _draft(world):
    def build():
        from tests.announcements.factories import make_announcement, pdf

        return make_announcement(
            author=world.users["bureau"], title="矩阵：草稿", state="draft", attachment=pdf("草稿附件.pdf")
        )

    return world.once("announcement_draft", build)


def _form_data(world) -> dict:
    return {
        "title": "矩阵：新通知",
        "body": "正文",
        "audience": "counties",
        "regions": [world.county_a.pk],
    }


def county_a_pk(world):
    return {"pk": _to_county_a(world).pk}


def county_a_attachment_pk(world):
    return {"pk": _to_county_a(world).attachments.get().pk}


def draft_pk(world):
    return {"pk": _draft(world).pk}


def draft_attachment_pk(world):
    return {"pk": _draft(world).attachments.get().pk}


ROUTES = [
    Route("announcements:announcement_list", READERS),
    Route("announcements:announcement_manage", OVERSEE),
    Route("announcements:announcement_add", BUREAU, data=_form_data),
    Route("announcements:announcement_detail", COUNTY_A, county_a_pk, scoped=True, denied=NOT_ADDRESSED),
    Route("announcements:announcement_edit", BUREAU, draft_pk, data=_form_data),
    Route("announcements:announcement_transition", BUREAU, county_a_pk),
    Route(
        "announcements:attachment_download",
        COUNTY_A,
        county_a_attachment_pk,
        scoped=True,
        denied=NOT_ADDRESSED,
    ),
    Route("announcements:attachment_delete", BUREAU, draft_attachment_pk, methods=("POST",)),
]
