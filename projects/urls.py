from django.urls import path

from . import views, views_ownership

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("add/", views.ProjectCreateView.as_view(), name="project_add"),
    path("export/", views.ProjectExportView.as_view(), name="project_export"),
    path("overdue/", views.OverdueView.as_view(), name="overdue"),
    path("overdue/export/", views.OverdueExportView.as_view(), name="overdue_export"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_edit"),
    path("<int:pk>/transition/", views.ProjectTransitionView.as_view(), name="project_transition"),
    path("<int:pk>/disbursements/add/", views.DisbursementCreateView.as_view(), name="disbursement_add"),
    path("<int:pk>/budget/add/", views.BudgetLineCreateView.as_view(), name="budgetline_add"),
    path("<int:pk>/annual-reports/add/", views.AnnualReportCreateView.as_view(), name="annualreport_add"),
    path("<int:pk>/midterm-checks/add/", views.MidtermCheckCreateView.as_view(), name="midtermcheck_add"),
    path("<int:pk>/changes/add/", views.ChangeRequestCreateView.as_view(), name="changerequest_add"),
    path("<int:pk>/attachments/add/", views.AttachmentCreateView.as_view(), name="attachment_add"),
    path("changes/<int:pk>/decide/", views.ChangeRequestDecideView.as_view(), name="changerequest_decide"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment_delete"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/add/", views.ProgrammeCreateView.as_view(), name="programme_add"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.ProgrammeUpdateView.as_view(), name="programme_edit"),
    path("calls/", views.CallListView.as_view(), name="call_list"),
    path("calls/add/", views.CallCreateView.as_view(), name="call_add"),
    path("calls/<int:pk>/", views.CallDetailView.as_view(), name="call_detail"),
    path("calls/<int:pk>/edit/", views.CallUpdateView.as_view(), name="call_edit"),
    path("lump-sum-pilots/", views.LumpSumPilotListView.as_view(), name="lumpsumpilot_list"),
    path("lump-sum-pilots/add/", views.LumpSumPilotCreateView.as_view(), name="lumpsumpilot_add"),
    path("lump-sum-pilots/<int:pk>/edit/", views.LumpSumPilotUpdateView.as_view(), name="lumpsumpilot_edit"),
    path("ownership/", views_ownership.OwnershipPilotListView.as_view(), name="ownershippilot_list"),
    path("ownership/add/", views_ownership.OwnershipPilotCreateView.as_view(), name="ownershippilot_add"),
    path("ownership/figures/", views_ownership.OwnershipFiguresView.as_view(), name="ownership_figures"),
    path(
        "ownership/<int:pk>/",
        views_ownership.OwnershipPilotDetailView.as_view(),
        name="ownershippilot_detail",
    ),
    path(
        "ownership/<int:pk>/edit/",
        views_ownership.OwnershipPilotUpdateView.as_view(),
        name="ownershippilot_edit",
    ),
    path("ownership/achievements/", views_ownership.AchievementListView.as_view(), name="achievement_list"),
    path(
        "ownership/achievements/add/", views_ownership.AchievementCreateView.as_view(), name="achievement_add"
    ),
    path(
        "ownership/achievements/export/",
        views_ownership.AchievementExportView.as_view(),
        name="achievement_export",
    ),
    path(
        "ownership/achievements/<int:pk>/",
        views_ownership.AchievementDetailView.as_view(),
        name="achievement_detail",
    ),
    path(
        "ownership/achievements/<int:pk>/edit/",
        views_ownership.AchievementUpdateView.as_view(),
        name="achievement_edit",
    ),
    path(
        "ownership/achievements/<int:pk>/grants/add/",
        views_ownership.GrantCreateView.as_view(),
        name="ownershipgrant_add",
    ),
    path(
        "ownership/grants/<int:pk>/edit/",
        views_ownership.GrantUpdateView.as_view(),
        name="ownershipgrant_edit",
    ),
    path(
        "ownership/grants/<int:pk>/file/", views_ownership.GrantFileView.as_view(), name="ownershipgrant_file"
    ),
    path(
        "ownership/grants/<int:pk>/transfers/add/",
        views_ownership.TransferCreateView.as_view(),
        name="achievementtransfer_add",
    ),
    path("ownership/transfers/", views_ownership.TransferListView.as_view(), name="achievementtransfer_list"),
    path(
        "ownership/transfers/export/",
        views_ownership.TransferExportView.as_view(),
        name="achievementtransfer_export",
    ),
    path(
        "ownership/transfers/<int:pk>/edit/",
        views_ownership.TransferUpdateView.as_view(),
        name="achievementtransfer_edit",
    ),
    path("cooperation/", views.CooperationProjectListView.as_view(), name="cooperationproject_list"),
    path("cooperation/add/", views.CooperationProjectCreateView.as_view(), name="cooperationproject_add"),
    path(
        "cooperation/export/", views.CooperationProjectExportView.as_view(), name="cooperationproject_export"
    ),
    path(
        "cooperation/<int:pk>/",
        views.CooperationProjectDetailView.as_view(),
        name="cooperationproject_detail",
    ),
    path(
        "cooperation/<int:pk>/edit/",
        views.CooperationProjectUpdateView.as_view(),
        name="cooperationproject_edit",
    ),
]
