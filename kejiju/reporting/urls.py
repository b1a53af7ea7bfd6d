from django.urls import path

from .views import annual, board, county_tasks, filings, monthly_reports, notices, researchers

app_name = "reporting"

urlpatterns = [
    path("tasks/", county_tasks.CountyTaskListView.as_view(), name="countytask_list"),
    path("tasks/add/", county_tasks.CountyTaskCreateView.as_view(), name="countytask_add"),
    path("tasks/export/", county_tasks.CountyTaskExportView.as_view(), name="countytask_export"),
    path("tasks/<int:pk>/", county_tasks.CountyTaskDetailView.as_view(), name="countytask_detail"),
    path("tasks/<int:pk>/edit/", county_tasks.CountyTaskUpdateView.as_view(), name="countytask_edit"),
    path("tasks/<int:pk>/delete/", county_tasks.CountyTaskDeleteView.as_view(), name="countytask_delete"),
    path("tasks/<int:pk>/approve/", county_tasks.CountyTaskApproveView.as_view(), name="countytask_approve"),
    path(
        "tasks/<int:pk>/transition/",
        county_tasks.CountyTaskTransitionView.as_view(),
        name="countytask_transition",
    ),
    path("filings/", filings.MonthlyFilingListView.as_view(), name="monthlyfiling_list"),
    path("filings/export/", filings.MonthlyFilingExportView.as_view(), name="monthlyfiling_export"),
    path("filings/current/", filings.FilingCurrentView.as_view(), name="filing_current"),
    path("filings/<int:year>/<int:month>/", filings.FilingFormView.as_view(), name="filing_form"),
    path("filings/<int:pk>/", filings.MonthlyFilingDetailView.as_view(), name="monthlyfiling_detail"),
    path("filings/<int:pk>/submit/", filings.FilingSubmitView.as_view(), name="monthlyfiling_submit"),
    path("filings/<int:pk>/confirm/", filings.FilingConfirmView.as_view(), name="monthlyfiling_confirm"),
    path("filings/<int:pk>/return/", filings.FilingReturnView.as_view(), name="monthlyfiling_return"),
    path(
        "filings/<int:pk>/transition/",
        filings.MonthlyFilingTransitionView.as_view(),
        name="monthlyfiling_transition",
    ),
    path("attachments/<int:pk>/", filings.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("attachments/<int:pk>/delete/", filings.AttachmentDeleteView.as_view(), name="attachment_delete"),
    path("board/", board.BoardView.as_view(), name="board"),
    path("board/<int:region>/<int:year>/<int:month>/reopen/", board.ReopenView.as_view(), name="reopen"),
    path("reports/", monthly_reports.MonthlyReportListView.as_view(), name="monthlyreport_list"),
    path("reports/build/", monthly_reports.MonthlyReportBuildView.as_view(), name="monthlyreport_build"),
    path(
        "reports/<int:year>/<int:month>/",
        monthly_reports.MonthlyReportDetailView.as_view(),
        name="monthlyreport_detail",
    ),
    path("notices/", notices.NoticeListView.as_view(), name="notice_list"),
    path("notices/<int:pk>/open/", notices.NoticeOpenView.as_view(), name="notice_open"),
    path("notices/read-all/", notices.NoticeMarkAllReadView.as_view(), name="notice_read_all"),
    path("researchers/", researchers.ResearcherTargetListView.as_view(), name="researchertarget_list"),
    path(
        "researchers/add/",
        researchers.ResearcherTargetCreateView.as_view(),
        name="researchertarget_add",
    ),
    path(
        "researchers/export/",
        researchers.ResearcherTargetExportView.as_view(),
        name="researchertarget_export",
    ),
    path(
        "researchers/<int:pk>/edit/",
        researchers.ResearcherTargetUpdateView.as_view(),
        name="researchertarget_edit",
    ),
    path("annual/", annual.AnnualDashboardView.as_view(), name="annual_dashboard"),
    path("annual/build/", annual.AnnualReviewBuildView.as_view(), name="annual_build"),
    path("annual/editions/", annual.AnnualEditionListView.as_view(), name="annual_edition_list"),
    path(
        "annual/editions/<int:pk>/",
        annual.AnnualEditionDetailView.as_view(),
        name="annual_edition_detail",
    ),
    path(
        "annual/editions/<int:pk>/download/",
        annual.AnnualEditionDownloadView.as_view(),
        name="annual_edition_download",
    ),
]
