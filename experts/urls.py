from django.urls import path

from .views import draws, online, panels, registry, scores, seats

app_name = "experts"

urlpatterns = [
    # The expert's own (我的评审)
    path("my/", seats.MySeatsView.as_view(), name="my_seats"),
    path("my/<int:pk>/accept/", seats.SeatAcceptView.as_view(), name="my_seat_accept"),
    path("my/<int:pk>/decline/", seats.SeatDeclineView.as_view(), name="my_seat_decline"),
    path("my/<int:pk>/review/", seats.SeatReviewView.as_view(), name="my_seat_review"),
    path(
        "my/<int:pk>/review/<int:subject_pk>/",
        seats.SeatSubjectView.as_view(),
        name="my_seat_subject",
    ),
    path("my/<int:pk>/files/<str:key>/", seats.SeatFileView.as_view(), name="my_seat_file"),
    # Review panels (shared with platforms and projects)
    path("panels/", panels.ReviewPanelListView.as_view(), name="reviewpanel_list"),
    path("panels/export/", panels.ReviewPanelExportView.as_view(), name="reviewpanel_export"),
    path("panels/add/", panels.PanelAddView.as_view(), name="panel_add"),
    path("panels/<int:pk>/", panels.ReviewPanelDetailView.as_view(), name="reviewpanel_detail"),
    path("panels/<int:pk>/sheet/", scores.ReviewPanelSheetView.as_view(), name="reviewpanel_sheet"),
    path("panels/<int:pk>/scores/", scores.PanelScoresView.as_view(), name="reviewpanel_scores"),
    path(
        "panels/<int:pk>/scores/import/",
        scores.PanelScoreSheetImportView.as_view(),
        name="reviewpanel_scores_import",
    ),
    path(
        "panels/<int:pk>/scores/import/confirm/",
        scores.PanelScoreSheetConfirmView.as_view(),
        name="reviewpanel_scores_import_confirm",
    ),
    path("panels/<int:pk>/supplement/", panels.PanelSupplementView.as_view(), name="reviewpanel_supplement"),
    path("panels/<int:pk>/transition/", panels.PanelTransitionView.as_view(), name="reviewpanel_transition"),
    path("panels/<int:pk>/remind/", online.PanelRemindView.as_view(), name="reviewpanel_remind"),
    path(
        "panels/<int:pk>/members/<int:member_pk>/confirm/",
        panels.MemberConfirmView.as_view(),
        name="reviewmember_confirm",
    ),
    path(
        "panels/<int:pk>/members/<int:member_pk>/leader/",
        panels.MemberLeaderView.as_view(),
        name="reviewmember_leader",
    ),
    path(
        "panels/<int:pk>/members/<int:member_pk>/refuse/",
        panels.MemberRefuseView.as_view(),
        name="reviewmember_refuse",
    ),
    path(
        "panels/<int:pk>/members/<int:member_pk>/scores/",
        panels.MemberScoreView.as_view(),
        name="reviewmember_scores",
    ),
    path(
        "panels/<int:pk>/members/<int:member_pk>/reopen/",
        online.MemberScoresReopenView.as_view(),
        name="reviewmember_reopen",
    ),
    path("draws/<int:pk>/", draws.ReviewDrawDetailView.as_view(), name="reviewdraw_detail"),
]

urlpatterns += [
    # Expert library
    path("", registry.ExpertListView.as_view(), name="expert_list"),
    path("add/", registry.ExpertCreateView.as_view(), name="expert_add"),
    path("export/", registry.ExpertExportView.as_view(), name="expert_export"),
    path("export/full/", registry.ExpertPIIExportView.as_view(), name="expert_export_pii"),
    path("lookup/", registry.ExpertLookupView.as_view(), name="expert_lookup"),
    path("import/", registry.ExpertImportView.as_view(), name="expert_import"),
    path("import/template/", registry.ExpertImportTemplateView.as_view(), name="expert_import_template"),
    path("<int:pk>/", registry.ExpertDetailView.as_view(), name="expert_detail"),
    path("<int:pk>/personal/", registry.ExpertPIIView.as_view(), name="expert_pii"),
    path("<int:pk>/edit/", registry.ExpertUpdateView.as_view(), name="expert_edit"),
    path("<int:pk>/state/", registry.ExpertStateView.as_view(), name="expert_state"),
    path("<int:pk>/account/", seats.ExpertAccountOpenView.as_view(), name="expert_account_open"),
    path("<int:pk>/delete/", registry.ExpertDeleteView.as_view(), name="expert_delete"),
    # Field list
    path("fields/", registry.ExpertFieldListView.as_view(), name="expertfield_list"),
    path("fields/add/", registry.ExpertFieldCreateView.as_view(), name="expertfield_add"),
    path("fields/<int:pk>/", registry.ExpertFieldDetailView.as_view(), name="expertfield_detail"),
    path("fields/<int:pk>/edit/", registry.ExpertFieldUpdateView.as_view(), name="expertfield_edit"),
    path("fields/<int:pk>/delete/", registry.ExpertFieldDeleteView.as_view(), name="expertfield_delete"),
    # 评审组组成规则
    path("composition/", registry.CompositionRuleListView.as_view(), name="compositionrule_list"),
    path("composition/add/", registry.CompositionRuleCreateView.as_view(), name="compositionrule_add"),
    path(
        "composition/<int:pk>/",
        registry.CompositionRuleDetailView.as_view(),
        name="compositionrule_detail",
    ),
    path(
        "composition/<int:pk>/edit/",
        registry.CompositionRuleUpdateView.as_view(),
        name="compositionrule_edit",
    ),
    path(
        "composition/<int:pk>/delete/",
        registry.CompositionRuleDeleteView.as_view(),
        name="compositionrule_delete",
    ),
    # 科技副总
    path("vice-presidents/", registry.PlacementListView.as_view(), name="vicepresidentplacement_list"),
    path(
        "vice-presidents/add/",
        registry.PlacementCreateView.as_view(),
        name="vicepresidentplacement_add",
    ),
    path(
        "vice-presidents/export/",
        registry.PlacementExportView.as_view(),
        name="vicepresidentplacement_export",
    ),
    path(
        "vice-presidents/<int:pk>/",
        registry.PlacementDetailView.as_view(),
        name="vicepresidentplacement_detail",
    ),
    path(
        "vice-presidents/<int:pk>/edit/",
        registry.PlacementUpdateView.as_view(),
        name="vicepresidentplacement_edit",
    ),
    path(
        "vice-presidents/<int:pk>/delete/",
        registry.PlacementDeleteView.as_view(),
        name="vicepresidentplacement_delete",
    ),
    # 科技特派团 / 科技特派员
    path("teams/", registry.TeamListView.as_view(), name="commissionerteam_list"),
    path("teams/add/", registry.TeamCreateView.as_view(), name="commissionerteam_add"),
    path("teams/export/", registry.TeamExportView.as_view(), name="commissionerteam_export"),
    path("teams/<int:pk>/", registry.TeamDetailView.as_view(), name="commissionerteam_detail"),
    path("teams/<int:pk>/edit/", registry.TeamUpdateView.as_view(), name="commissionerteam_edit"),
    path("teams/<int:pk>/delete/", registry.TeamDeleteView.as_view(), name="commissionerteam_delete"),
    path("commissioners/", registry.CommissionerListView.as_view(), name="commissioner_list"),
    path("commissioners/add/", registry.CommissionerCreateView.as_view(), name="commissioner_add"),
    path("commissioners/export/", registry.CommissionerExportView.as_view(), name="commissioner_export"),
    path("commissioners/<int:pk>/", registry.CommissionerDetailView.as_view(), name="commissioner_detail"),
    path(
        "commissioners/<int:pk>/edit/",
        registry.CommissionerUpdateView.as_view(),
        name="commissioner_edit",
    ),
    path(
        "commissioners/<int:pk>/delete/",
        registry.CommissionerDeleteView.as_view(),
        name="commissioner_delete",
    ),
]
