from django.urls import path

from .views import attachments, cooperation, figures, filings, overdue, ownership, plans, projects

app_name = "projects"

urlpatterns = [
    path("", projects.ProjectListView.as_view(), name="project_list"),
    path("add/", projects.ProjectCreateView.as_view(), name="project_add"),
    path("export/", projects.ProjectExportView.as_view(), name="project_export"),
    path("overdue/", overdue.OverdueView.as_view(), name="overdue"),
    path("overdue/export/", overdue.OverdueExportView.as_view(), name="overdue_export"),
    path("figures/", figures.FiguresView.as_view(), name="figures"),
    path("<int:pk>/", projects.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", projects.ProjectUpdateView.as_view(), name="project_edit"),
    path("<int:pk>/transition/", projects.ProjectTransitionView.as_view(), name="project_transition"),
    path("<int:pk>/disbursements/add/", filings.DisbursementCreateView.as_view(), name="disbursement_add"),
    path("<int:pk>/budget/add/", filings.BudgetLineCreateView.as_view(), name="budgetline_add"),
    path("<int:pk>/annual-reports/add/", filings.AnnualReportCreateView.as_view(), name="annualreport_add"),
    path("<int:pk>/midterm-checks/add/", filings.MidtermCheckCreateView.as_view(), name="midtermcheck_add"),
    path("<int:pk>/changes/add/", filings.ChangeRequestCreateView.as_view(), name="changerequest_add"),
    path("<int:pk>/attachments/add/", attachments.AttachmentCreateView.as_view(), name="attachment_add"),
    path("changes/<int:pk>/decide/", filings.ChangeRequestDecideView.as_view(), name="changerequest_decide"),
    path("attachments/<int:pk>/", attachments.AttachmentDownloadView.as_view(), name="attachment_download"),
    path(
        "attachments/<int:pk>/delete/", attachments.AttachmentDeleteView.as_view(), name="attachment_delete"
    ),
    path("programmes/", plans.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/add/", plans.ProgrammeCreateView.as_view(), name="programme_add"),
    path("programmes/<int:pk>/", plans.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("programmes/<int:pk>/edit/", plans.ProgrammeUpdateView.as_view(), name="programme_edit"),
    path("calls/", plans.CallListView.as_view(), name="call_list"),
    path("calls/add/", plans.CallCreateView.as_view(), name="call_add"),
    path("calls/<int:pk>/", plans.CallDetailView.as_view(), name="call_detail"),
    path("calls/<int:pk>/edit/", plans.CallUpdateView.as_view(), name="call_edit"),
    path("lump-sum-pilots/", plans.LumpSumPilotListView.as_view(), name="lumpsumpilot_list"),
    path("lump-sum-pilots/add/", plans.LumpSumPilotCreateView.as_view(), name="lumpsumpilot_add"),
    path("lump-sum-pilots/<int:pk>/edit/", plans.LumpSumPilotUpdateView.as_view(), name="lumpsumpilot_edit"),
    path("ownership/", ownership.OwnershipPilotListView.as_view(), name="ownershippilot_list"),
    path("ownership/add/", ownership.OwnershipPilotCreateView.as_view(), name="ownershippilot_add"),
    path("ownership/figures/", ownership.OwnershipFiguresView.as_view(), name="ownership_figures"),
    path(
        "ownership/<int:pk>/",
        ownership.OwnershipPilotDetailView.as_view(),
        name="ownershippilot_detail",
    ),
    path(
        "ownership/<int:pk>/edit/",
        ownership.OwnershipPilotUpdateView.as_view(),
        name="ownershippilot_edit",
    ),
    path("ownership/achievements/", ownership.AchievementListView.as_view(), name="achievement_list"),
    path("ownership/achievements/add/", ownership.AchievementCreateView.as_view(), name="achievement_add"),
    path(
        "ownership/achievements/export/",
        ownership.AchievementExportView.as_view(),
        name="achievement_export",
    ),
    path(
        "ownership/achievements/<int:pk>/",
        ownership.AchievementDetailView.as_view(),
        name="achievement_detail",
    ),
    path(
        "ownership/achievements/<int:pk>/edit/",
        ownership.AchievementUpdateView.as_view(),
        name="achievement_edit",
    ),
    path(
        "ownership/achievements/<int:pk>/grants/add/",
        ownership.GrantCreateView.as_view(),
        name="ownershipgrant_add",
    ),
    path(
        "ownership/grants/<int:pk>/edit/",
        ownership.GrantUpdateView.as_view(),
        name="ownershipgrant_edit",
    ),
    path("ownership/grants/<int:pk>/file/", ownership.GrantFileView.as_view(), name="ownershipgrant_file"),
    path(
        "ownership/grants/<int:pk>/transfers/add/",
        ownership.TransferCreateView.as_view(),
        name="achievementtransfer_add",
    ),
    path("ownership/transfers/", ownership.TransferListView.as_view(), name="achievementtransfer_list"),
    path(
        "ownership/transfers/export/",
        ownership.TransferExportView.as_view(),
        name="achievementtransfer_export",
    ),
    path(
        "ownership/transfers/<int:pk>/edit/",
        ownership.TransferUpdateView.as_view(),
        name="achievementtransfer_edit",
    ),
    path("cooperation/", cooperation.CooperationProjectListView.as_view(), name="cooperationproject_list"),
    path(
        "cooperation/add/", cooperation.CooperationProjectCreateView.as_view(), name="cooperationproject_add"
    ),
    path(
        "cooperation/export/",
        cooperation.CooperationProjectExportView.as_view(),
        name="cooperationproject_export",
    ),
    path(
        "cooperation/<int:pk>/",
        cooperation.CooperationProjectDetailView.as_view(),
        name="cooperationproject_detail",
    ),
    path(
        "cooperation/<int:pk>/edit/",
        cooperation.CooperationProjectUpdateView.as_view(),
        name="cooperationproject_edit",
    ),
]
