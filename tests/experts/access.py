"""Routes of the experts app for the role × view matrix."""

from __future__ import annotations

from tests.access import BUSINESS_READ, STAFF_READ, Route

BUREAU = frozenset({"bureau"})


def _panel(world):
    def build():
        from experts import services
        from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory

        field = ExpertFieldFactory(name="新材料")
        for _ in range(4):
            ExpertFactory(fields=[field])
        subject = OrganizationFactory(name="受评单位")
        return services.review_panel_create(
            subject=subject,
            title="矩阵测试评审",
            applicant=subject,
            fields=[field],
            size=2,
            reserves=1,
            criteria=[{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}],
            user=world.users["bureau"],
            seed="matrix",
        )

    return world.once("panel", build)


def _scoring_panel_pk(world):
    """A panel whose regular members all confirmed (已确认): scores may be entered and uploaded."""

    def build():
        from experts import services
        from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory

        field = ExpertFieldFactory(name="智能制造")
        for _ in range(3):
            ExpertFactory(fields=[field])
        subject = OrganizationFactory(name="会评受评单位")
        panel = services.review_panel_create(
            subject=subject,
            title="矩阵会评",
            applicant=subject,
            fields=[field],
            size=2,
            reserves=0,
            criteria=[{"key": "c1", "label": "创新性", "max_score": 100, "weight": 1}],
            user=world.users["bureau"],
            seed="matrix-scores",
        )
        for member in panel.members.all():
            services.review_member_confirm(member=member, user=world.users["bureau"])
        return panel

    return {"pk": world.once("scoring_panel", build).pk}


def _panel_pk(world):
    return {"pk": _panel(world).pk}


def _member(world):
    panel = _panel(world)
    return {"pk": panel.pk, "member_pk": panel.members.order_by("position").first().pk}


def _draw(world):
    return {"pk": _panel(world).draws.first().pk}


def _subject_query(world):
    from django.contrib.contenttypes.models import ContentType

    from tests.projects.factories import ProjectFactory

    subject = world.once("subject", lambda: ProjectFactory(region=world.county_a, title="待评审项目"))
    return {"subject_type": ContentType.objects.get_for_model(subject).pk, "subject_id": subject.pk}


EXPERT = frozenset({"expert"})


def _give_to_matrix_expert(world, member):
    """The seat becomes the matrix expert's: their library entry, bound to the account once."""
    from experts.models import Expert

    expert = Expert.objects.filter(user=world.users["expert"]).first()
    if expert is None:
        member.expert.user = world.users["expert"]
        member.expert.save(update_fields=["user"])
    else:
        member.expert = expert
        member.save(update_fields=["expert"])
    return member


def _own_seat(world):
    """A seat awaiting the matrix expert's answer: the panel's first regular member, bound to the account."""

    def build():
        return _give_to_matrix_expert(world, _panel(world).members.order_by("position").first())

    return {"pk": world.once("own_seat", build).pk}


def _own_confirmed_seat(world):
    """The matrix expert's seat on the scoring panel, accepted (网评 is open to them)."""

    def build():
        from experts.models import ReviewMember

        _scoring_panel_pk(world)
        member = world.cache["scoring_panel"].members.order_by("position").first()
        return ReviewMember.objects.get(pk=_give_to_matrix_expert(world, member).pk)

    return {"pk": world.once("own_confirmed_seat", build).pk}


def _own_seat_subject(world):
    """A subject of the matrix expert's confirmed seat (its 回避及保密声明 page)."""
    seat = _own_confirmed_seat(world)
    return seat | {"subject_pk": world.cache["scoring_panel"].subjects.order_by("position").first().pk}


def _own_material_file(world):
    """A file of the material of the matrix expert's seat: a project's 申报书 (a real PDF), on a panel of
    one where the expert accepted and signed the 回避及保密声明."""

    def build():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from experts import seats, services
        from experts.material import file_key
        from projects import services as project_services
        from tests.experts.factories import ExpertFactory, ExpertFieldFactory, pdf_document
        from tests.projects.factories import ProjectFactory

        bureau = world.users["bureau"]
        field = ExpertFieldFactory(name="网评材料")
        ExpertFactory(fields=[field])
        project = ProjectFactory(region=world.county_a, title="网评材料项目")
        attachment = project_services.attachment_create(
            project=project,
            user=bureau,
            kind="application",
            upload=SimpleUploadedFile("申报书.pdf", pdf_document(), content_type="application/pdf"),
        )
        panel = services.review_panel_create(
            subject=project,
            title=project.review_title(),
            applicant=project.review_applicant(),
            fields=[field],
            size=1,
            reserves=0,
            criteria=project.review_criteria(),
            user=bureau,
            seed="matrix-material",
        )
        member = _give_to_matrix_expert(world, panel.members.get())
        services.review_member_confirm(member=member, user=bureau)
        seats.seat_declare(
            user=world.users["expert"], member=member, subject=panel.subjects.get(), conflict=False
        )
        return {"pk": member.pk, "key": file_key(attachment)}

    return world.once("own_material_file", build)


def _expert(world):
    from tests.experts.factories import ExpertFactory

    return {"pk": world.once("expert", ExpertFactory).pk}


def _field(world):
    from tests.experts.factories import ExpertFieldFactory

    return {"pk": world.once("field", lambda: ExpertFieldFactory(name="现代农业")).pk}


def _rule(world):
    from experts.models import CompositionRule

    return {"pk": world.once("rule", lambda: CompositionRule.objects.get(kind="gaoqi")).pk}


def _placement(world):
    from tests.experts.factories import PlacementFactory

    return {"pk": world.once("placement", lambda: PlacementFactory(county=world.county_a)).pk}


def _team(world):
    from tests.experts.factories import TeamFactory

    return {"pk": world.once("team", lambda: TeamFactory(counties=[world.county_a])).pk}


def _commissioner(world):
    from tests.experts.factories import CommissionerFactory, TeamFactory

    def build():
        return CommissionerFactory(team=TeamFactory(counties=[world.county_a]), county=world.county_a)

    return {"pk": world.once("commissioner", build).pk}


def _reason(world):
    return {"reason": "时间冲突"}


def _reopen_reason(world):
    return {"comment": "评分与评审意见不一致"}


def _cancel(world):
    return {"action": "cancel", "comment": "时间冲突"}


ROUTES = [
    # review panels
    Route("experts:reviewpanel_list", STAFF_READ),
    Route("experts:reviewpanel_export", STAFF_READ),
    Route("experts:panel_add", BUREAU, data=_subject_query, ok=(200,)),
    Route("experts:reviewpanel_detail", STAFF_READ, kwargs=_panel_pk, ok=(200,)),
    Route("experts:reviewpanel_sheet", STAFF_READ, kwargs=_panel_pk, ok=(200,)),
    # 会评: the grid of all scores and the score-sheet upload (the per-member entry's permission)
    Route("experts:reviewpanel_scores", BUREAU, kwargs=_scoring_panel_pk, methods=("GET", "POST"), ok=(200,)),
    Route(
        "experts:reviewpanel_scores_import",
        BUREAU,
        kwargs=_scoring_panel_pk,
        methods=("GET", "POST"),
        ok=(200,),
    ),
    Route(
        "experts:reviewpanel_scores_import_confirm",
        BUREAU,
        kwargs=_scoring_panel_pk,
        methods=("POST",),
        ok=(302,),
    ),
    Route("experts:reviewpanel_supplement", BUREAU, kwargs=_panel_pk, methods=("POST",), ok=(302,)),
    # An expert reaches the page only for a panel they sit on (404 here: they sit on none of this one).
    Route(
        "experts:reviewpanel_transition",
        BUREAU,
        kwargs=_panel_pk,
        methods=("GET", "POST"),
        data=_cancel,
        denied={"expert": 404},
    ),
    Route("experts:reviewmember_confirm", BUREAU, kwargs=_member, methods=("POST",), ok=(302,)),
    Route("experts:reviewmember_leader", BUREAU, kwargs=_member, methods=("POST",), ok=(302,)),
    Route("experts:reviewmember_refuse", BUREAU, kwargs=_member, methods=("GET", "POST"), data=_reason),
    Route("experts:reviewmember_scores", BUREAU, kwargs=_member, methods=("GET",), ok=(200,)),
    # 网评, staff's side: remind those who have not submitted; reopen one expert's submitted scores (the
    # panel's permission: an expert, even one seated on it, is refused like any other role).
    Route("experts:reviewpanel_remind", BUREAU, kwargs=_panel_pk, methods=("POST",), ok=(302,)),
    Route(
        "experts:reviewmember_reopen",
        BUREAU,
        kwargs=_member,
        methods=("GET", "POST"),
        data=_reopen_reason,
        ok=(200,),
    ),
    Route("experts:reviewdraw_detail", STAFF_READ, kwargs=_draw, ok=(200,)),
    # experts
    Route("experts:expert_list", STAFF_READ, ok=(200,)),
    Route("experts:expert_export", STAFF_READ, ok=(200,)),
    Route("experts:expert_export_pii", BUREAU, ok=(200,)),
    Route("experts:expert_lookup", STAFF_READ, methods=("GET", "POST"), ok=(200,)),
    Route("experts:expert_import", BUREAU, methods=("GET", "POST"), ok=(200,)),
    Route("experts:expert_import_template", BUREAU, ok=(200,)),
    Route("experts:expert_detail", STAFF_READ, kwargs=_expert, ok=(200,)),
    Route("experts:expert_pii", BUREAU, kwargs=_expert, ok=(200,)),
    Route("experts:expert_add", BUREAU, methods=("GET", "POST"), ok=(200,)),
    Route("experts:expert_edit", BUREAU, kwargs=_expert, ok=(200,)),
    Route("experts:expert_state", BUREAU, kwargs=_expert, methods=("POST",), ok=(302,)),
    Route("experts:expert_account_open", BUREAU, kwargs=_expert, ok=(200,)),
    Route("experts:expert_delete", BUREAU, kwargs=_expert, ok=(200,)),
    # The expert's own: their seats only (another account's seat is 404 to them).
    Route("experts:my_seats", EXPERT, ok=(200,)),
    Route("experts:my_seat_decline", EXPERT, kwargs=_own_seat, ok=(200,)),
    Route("experts:my_seat_accept", EXPERT, kwargs=_own_seat, methods=("POST",), ok=(302,)),
    Route("experts:my_seat_review", EXPERT, kwargs=_own_confirmed_seat, ok=(200,)),
    Route("experts:my_seat_subject", EXPERT, kwargs=_own_seat_subject, ok=(200,)),
    # A file of their seat's material, marked with their name (GET only; another seat's file is 404).
    Route("experts:my_seat_file", EXPERT, kwargs=_own_material_file, ok=(200,)),
    # field list
    Route("experts:expertfield_list", STAFF_READ, ok=(200,)),
    Route("experts:expertfield_detail", STAFF_READ, kwargs=_field, ok=(200,)),
    Route("experts:expertfield_add", BUREAU, ok=(200,)),
    Route("experts:expertfield_edit", BUREAU, kwargs=_field, ok=(200,)),
    Route("experts:expertfield_delete", BUREAU, kwargs=_field, ok=(200,)),
    # 评审组组成规则 (the bureau keeps them; leaders read them)
    Route("experts:compositionrule_list", STAFF_READ, ok=(200,)),
    Route("experts:compositionrule_detail", STAFF_READ, kwargs=_rule, ok=(200,)),
    Route("experts:compositionrule_add", BUREAU, ok=(200,)),
    Route("experts:compositionrule_edit", BUREAU, kwargs=_rule, ok=(200,)),
    Route("experts:compositionrule_delete", BUREAU, kwargs=_rule, ok=(200,)),
    # 科技副总 (county offices read their own county's)
    Route("experts:vicepresidentplacement_list", BUSINESS_READ, ok=(200,)),
    Route("experts:vicepresidentplacement_export", BUSINESS_READ, ok=(200,)),
    Route("experts:vicepresidentplacement_detail", BUSINESS_READ, kwargs=_placement, scoped=True, ok=(200,)),
    Route("experts:vicepresidentplacement_add", BUREAU, ok=(200,)),
    Route("experts:vicepresidentplacement_edit", BUREAU, kwargs=_placement, ok=(200,)),
    Route("experts:vicepresidentplacement_delete", BUREAU, kwargs=_placement, ok=(200,)),
    # 科技特派团 / 科技特派员
    Route("experts:commissionerteam_list", STAFF_READ, ok=(200,)),
    Route("experts:commissionerteam_export", STAFF_READ, ok=(200,)),
    Route("experts:commissionerteam_detail", STAFF_READ, kwargs=_team, ok=(200,)),
    Route("experts:commissionerteam_add", BUREAU, ok=(200,)),
    Route("experts:commissionerteam_edit", BUREAU, kwargs=_team, ok=(200,)),
    Route("experts:commissionerteam_delete", BUREAU, kwargs=_team, ok=(200,)),
    Route("experts:commissioner_list", BUSINESS_READ, ok=(200,)),
    Route("experts:commissioner_export", BUSINESS_READ, ok=(200,)),
    Route("experts:commissioner_detail", BUSINESS_READ, kwargs=_commissioner, scoped=True, ok=(200,)),
    Route("experts:commissioner_add", BUREAU, ok=(200,)),
    Route("experts:commissioner_edit", BUREAU, kwargs=_commissioner, ok=(200,)),
    Route("experts:commissioner_delete", BUREAU, kwargs=_commissioner, ok=(200,)),
]
