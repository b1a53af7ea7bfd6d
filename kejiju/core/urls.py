from django.urls import path

from .views import holidays, organizations, parameters
from .views.pages import CaptchaView, HomeView, ReportJobDetailView, ReportJobDownloadView, WatermarkView

app_name = "core"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("watermark.svg", WatermarkView.as_view(), name="watermark"),
    path("captcha/<str:scope>/", CaptchaView.as_view(), name="captcha"),
    path("jobs/<int:pk>/", ReportJobDetailView.as_view(), name="reportjob_detail"),
    path("jobs/<int:pk>/download/", ReportJobDownloadView.as_view(), name="reportjob_download"),
    path("holidays/", holidays.HolidayArrangementListView.as_view(), name="holidayarrangement_list"),
    path("holidays/add/", holidays.HolidayArrangementCreateView.as_view(), name="holidayarrangement_add"),
    path(
        "holidays/<int:pk>/",
        holidays.HolidayArrangementDetailView.as_view(),
        name="holidayarrangement_detail",
    ),
    path(
        "holidays/<int:pk>/edit/",
        holidays.HolidayArrangementUpdateView.as_view(),
        name="holidayarrangement_edit",
    ),
    path("parameters/", parameters.ParameterListView.as_view(), name="parameter_list"),
    path("parameters/reset/", parameters.ParameterResetView.as_view(), name="parameter_reset"),
    path("organizations/", organizations.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/add/", organizations.OrganizationCreateView.as_view(), name="organization_add"),
    path("organizations/export/", organizations.OrganizationExportView.as_view(), name="organization_export"),
    path(
        "organizations/<int:pk>/", organizations.OrganizationDetailView.as_view(), name="organization_detail"
    ),
    path(
        "organizations/<int:pk>/edit/",
        organizations.OrganizationUpdateView.as_view(),
        name="organization_edit",
    ),
    path(
        "organizations/<int:pk>/delete/",
        organizations.OrganizationDeleteView.as_view(),
        name="organization_delete",
    ),
]
