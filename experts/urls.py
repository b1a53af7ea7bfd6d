from django.urls import path

from . import views, views_online, views_registry, views_seats

app_name = "experts"

urlpatterns = [
    # The expert's own (我的评审)
    path("my/", views_seats.MySeatsView.as_view(), name="my_seats"),
    path("my/<int:pk>/accept/", views_seats.SeatAcceptView.as_view(), name="my_seat_accept"),
    path("my/<int:pk>/decline/", views_seats.SeatDeclineView.as_view(), name="my_seat_decline"),
    path("my/<int:pk>/review/", views_seats.SeatReviewView.as_view(), name="my_seat_review"),
    path(
        "my/<int:pk>/review/<int:subject_pk>/",
        views_seats.SeatSubjectView.as_view(),
        name="my_seat_subject",
    ),
    path("my/<int:pk>/files/<str:key>/", views_seats.SeatFileView.as_view(), name="my_seat_file"),
    # Review panels (shared with platforms and projects)
    path("panels/", views.ReviewPanelListView.as_view(), name="reviewpanel_list"),
    path("panels/export/", views.ReviewPanelExportView.as_view(), name="reviewpanel_export"),
    path("panels/add/", views.PanelAddView.as_view(), name="panel_add"),
    path("panels/<int:pk>/", views.ReviewPanelDetailView.as_view(), name="reviewpanel_detail"),
    path("panels/<int:pk>/sheet/", views.ReviewPanelSheetView.as_view(), name="reviewpanel_sheet"),
    path("panels/<int:pk>/scores/", views.PanelScoresView.as_view(), name="reviewpanel_scores"),
    path(
        "panels/<int:pk>/scores/import/",
        views.PanelScoreSheetImportView.as_view(),
        name="reviewpanel_scores_import",
    ),
    path(
        "panels/<int:pk>/scores/import/confirm/",
        views.PanelScoreSheetConfirmView.as_view(),
        name="reviewpanel_scores_import_confirm",
    ),
    path("panels/<int:pk>/supplement/", views.PanelSupplementView.as_view(), name="reviewpanel_supplement"),
    path("panels/<int:pk>/transition/", views.PanelTransitionView.as_view(), name="reviewpanel_transition"),
    path("panels/<int:pk>/remind/", views_online.PanelRemindView.as_view(), name="reviewpanel_remind"),
    path(
        "panels/<int:pk>/members/<int:member_pk>/confirm/",
        views.MemberConfirmView.as_view(),
        name="reviewmember_confirm",
    ),
    path(
        "panels/<int:pk>/members/<int:member_pk>/leader/",
        views.MemberLeaderView.as_view(),
        name="reviewmember_leader",
    ),
    path(
        "panels/<int:pk>/members/<int:member_pk>/refuse/",
        views.MemberRefuseView.as_view(),
        name="reviewmember_refuse",
    ),
    path(
        "panels/<int:pk>/members/<int:member_pk>/scores/",
        views.MemberScoreView.as_view(),
        name="reviewmember_scores",
    ),
    path(
        "panels/<int:pk>/members/<int:member_pk>/reopen/",
        views_online.MemberScoresReopenView.as_view(),
        name="reviewmember_reopen",
    ),
    path("draws/<int:pk>/", views.ReviewDrawDetailView.as_view(), name="reviewdraw_detail"),
]

urlpatterns += [
    # Expert library
    path("", views_registry.ExpertListView.as_view(), name="expert_list"),
    path("add/", views_registry.ExpertCreateView.as_view(), name="expert_add"),
    path("export/", views_registry.ExpertExportView.as_view(), name="expert_export"),
    path("export/full/", views_registry.ExpertPIIExportView.as_view(), name="expert_export_pii"),
    path("lookup/", views_registry.ExpertLookupView.as_view(), name="expert_lookup"),
    path("import/", views_registry.ExpertImportView.as_view(), name="expert_import"),
    path(
        "import/template/", views_registry.ExpertImportTemplateView.as_view(), name="expert_import_template"
    ),
    path("<int:pk>/", views_registry.ExpertDetailView.as_view(), name="expert_detail"),
    path("<int:pk>/personal/", views_registry.ExpertPIIView.as_view(), name="expert_pii"),
    path("<int:pk>/edit/", views_registry.ExpertUpdateView.as_view(), name="expert_edit"),
    path("<int:pk>/state/", views_registry.ExpertStateView.as_view(), name="expert_state"),
    path("<int:pk>/account/", views_seats.ExpertAccountOpenView.as_view(), name="expert_account_open"),
    path("<int:pk>/delete/", views_registry.ExpertDeleteView.as_view(), name="expert_delete"),
    # Field list
    path("fields/", views_registry.ExpertFieldListView.as_view(), name="expertfield_list"),
    path("fields/add/", views_registry.ExpertFieldCreateView.as_view(), name="expertfield_add"),
    path("fields/<int:pk>/", views_registry.ExpertFieldDetailView.as_view(), name="expertfield_detail"),
    path("fields/<int:pk>/edit/", views_registry.ExpertFieldUpdateView.as_view(), name="expertfield_edit"),
    path(
        "fields/<int:pk>/delete/", views_registry.ExpertFieldDeleteView.as_view(), name="expertfield_delete"
    ),
    # 评审组组成规则
    path("composition/", views_registry.CompositionRuleListView.as_view(), name="compositionrule_list"),
    path("composition/add/", views_registry.CompositionRuleCreateView.as_view(), name="compositionrule_add"),
    path(
        "composition/<int:pk>/",
        views_registry.CompositionRuleDetailView.as_view(),
        name="compositionrule_detail",
    ),
    path(
        "composition/<int:pk>/edit/",
        views_registry.CompositionRuleUpdateView.as_view(),
        name="compositionrule_edit",
    ),
    path(
        "composition/<int:pk>/delete/",
        views_registry.CompositionRuleDeleteView.as_view(),
        name="compositionrule_delete",
    ),
    # 科技副总
    path("vice-presidents/", views_registry.PlacementListView.as_view(), name="vicepresidentplacement_list"),
    path(
        "vice-presidents/add/",
        views_registry.PlacementCreateView.as_view(),
        name="vicepresidentplacement_add",
    ),
    path(
        "vice-presidents/export/",
        views_registry.PlacementExportView.as_view(),
        name="vicepresidentplacement_export",
    ),
    path(
        "vice-presidents/<int:pk>/",
        views_registry.PlacementDetailView.as_view(),
        name="vicepresidentplacement_detail",
    ),
    path(
        "vice-presidents/<int:pk>/edit/",
        views_registry.PlacementUpdateView.as_view(),
        name="vicepresidentplacement_edit",
    ),
    path(
        "vice-presidents/<int:pk>/delete/",
        views_registry.PlacementDeleteView.as_view(),
        name="vicepresidentplacement_delete",
    ),
    # 科技特派团 / 科技特派员
    path("teams/", views_registry.TeamListView.as_view(), name="commissionerteam_list"),
    path("teams/add/", views_registry.TeamCreateView.as_view(), name="commissionerteam_add"),
    path("teams/export/", views_registry.TeamExportView.as_view(), name="commissionerteam_export"),
    path("teams/<int:pk>/", views_registry.TeamDetailView.as_view(), name="commissionerteam_detail"),
    path("teams/<int:pk>/edit/", views_registry.TeamUpdateView.as_view(), name="commissionerteam_edit"),
    path("teams/<int:pk>/delete/", views_registry.TeamDeleteView.as_view(), name="commissionerteam_delete"),
    path("commissioners/", views_registry.CommissionerListView.as_view(), name="commissioner_list"),
    path("commissioners/add/", views_registry.CommissionerCreateView.as_view(), name="commissioner_add"),
    path(
        "commissioners/export/", views_registry.CommissionerExportView.as_view(), name="commissioner_export"
    ),
    path(
        "commissioners/<int:pk>/", views_registry.CommissionerDetailView.as_view(), name="commissioner_detail"
    ),
    path(
        "commissioners/<int:pk>/edit/",
        views_registry.CommissionerUpdateView.as_view(),
        name="commissioner_edit",
    ),
    path(
        "commissioners/<int:pk>/delete/",
        views_registry.CommissionerDeleteView.as_view(),
        name="commissioner_delete",
    ),
]
