from django.urls import path

from . import views, views_annual, views_researchers

app_name = "reporting"

urlpatterns = [
    path("tasks/", views.CountyTaskListView.as_view(), name="countytask_list"),
    path("tasks/add/", views.CountyTaskCreateView.as_view(), name="countytask_add"),
    path("tasks/export/", views.CountyTaskExportView.as_view(), name="countytask_export"),
    path("tasks/<int:pk>/", views.CountyTaskDetailView.as_view(), name="countytask_detail"),
    path("tasks/<int:pk>/edit/", views.CountyTaskUpdateView.as_view(), name="countytask_edit"),
    path("tasks/<int:pk>/delete/", views.CountyTaskDeleteView.as_view(), name="countytask_delete"),
    path("tasks/<int:pk>/approve/", views.CountyTaskApproveView.as_view(), name="countytask_approve"),
    path(
        "tasks/<int:pk>/transition/", views.CountyTaskTransitionView.as_view(), name="countytask_transition"
    ),
    path("filings/", views.MonthlyFilingListView.as_view(), name="monthlyfiling_list"),
    path("filings/export/", views.MonthlyFilingExportView.as_view(), name="monthlyfiling_export"),
    path("filings/current/", views.FilingCurrentView.as_view(), name="filing_current"),
    path("filings/<int:year>/<int:month>/", views.FilingFormView.as_view(), name="filing_form"),
    path("filings/<int:pk>/", views.MonthlyFilingDetailView.as_view(), name="monthlyfiling_detail"),
    path("filings/<int:pk>/submit/", views.FilingSubmitView.as_view(), name="monthlyfiling_submit"),
    path("filings/<int:pk>/confirm/", views.FilingConfirmView.as_view(), name="monthlyfiling_confirm"),
    path("filings/<int:pk>/return/", views.FilingReturnView.as_view(), name="monthlyfiling_return"),
    path(
        "filings/<int:pk>/transition/",
        views.MonthlyFilingTransitionView.as_view(),
        name="monthlyfiling_transition",
    ),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment_delete"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("board/<int:region>/<int:year>/<int:month>/reopen/", views.ReopenView.as_view(), name="reopen"),
    path("reports/", views.MonthlyReportListView.as_view(), name="monthlyreport_list"),
    path("reports/build/", views.MonthlyReportBuildView.as_view(), name="monthlyreport_build"),
    path(
        "reports/<int:year>/<int:month>/",
        views.MonthlyReportDetailView.as_view(),
        name="monthlyreport_detail",
    ),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/<int:pk>/open/", views.NoticeOpenView.as_view(), name="notice_open"),
    path("notices/read-all/", views.NoticeMarkAllReadView.as_view(), name="notice_read_all"),
    path("researchers/", views_researchers.ResearcherTargetListView.as_view(), name="researchertarget_list"),
    path(
        "researchers/add/",
        views_researchers.ResearcherTargetCreateView.as_view(),
        name="researchertarget_add",
    ),
    path(
        "researchers/export/",
        views_researchers.ResearcherTargetExportView.as_view(),
        name="researchertarget_export",
    ),
    path(
        "researchers/<int:pk>/edit/",
        views_researchers.ResearcherTargetUpdateView.as_view(),
        name="researchertarget_edit",
    ),
    path("annual/", views_annual.AnnualDashboardView.as_view(), name="annual_dashboard"),
    path("annual/build/", views_annual.AnnualReviewBuildView.as_view(), name="annual_build"),
    path("annual/editions/", views_annual.AnnualEditionListView.as_view(), name="annual_edition_list"),
    path(
        "annual/editions/<int:pk>/",
        views_annual.AnnualEditionDetailView.as_view(),
        name="annual_edition_detail",
    ),
    path(
        "annual/editions/<int:pk>/download/",
        views_annual.AnnualEditionDownloadView.as_view(),
        name="annual_edition_download",
    ),
]
