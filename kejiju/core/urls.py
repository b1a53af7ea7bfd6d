from django.urls import path

from .views.pages import HomeView, ReportJobDetailView, ReportJobDownloadView

app_name = "core"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("jobs/<int:pk>/", ReportJobDetailView.as_view(), name="reportjob_detail"),
    path("jobs/<int:pk>/download/", ReportJobDownloadView.as_view(), name="reportjob_download"),
]
