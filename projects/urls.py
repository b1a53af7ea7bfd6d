from django.urls import path

from . import views

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
