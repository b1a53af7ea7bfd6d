from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("", views.ApplicationListView.as_view(), name="application_list"),
    path("export/", views.ApplicationExportView.as_view(), name="application_export"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("<int:pk>/edit/", views.ApplicationUpdateView.as_view(), name="application_edit"),
    path("<int:pk>/delete/", views.ApplicationDeleteView.as_view(), name="application_delete"),
    path("<int:pk>/budget/", views.BudgetView.as_view(), name="application_budget"),
    path("<int:pk>/team/add/", views.TeamMemberCreateView.as_view(), name="teammember_add"),
    path("<int:pk>/attachments/add/", views.AttachmentCreateView.as_view(), name="applicationattachment_add"),
    path("<int:pk>/pledge/", views.PledgeView.as_view(), name="application_pledge"),
    path("<int:pk>/transition/", views.ApplicationTransitionView.as_view(), name="application_transition"),
    path("team/<int:pk>/delete/", views.TeamMemberDeleteView.as_view(), name="teammember_delete"),
    path("team/<int:pk>/personal/", views.TeamMemberPIIView.as_view(), name="teammember_pii"),
    path(
        "attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="applicationattachment_download",
    ),
    path(
        "attachments/<int:pk>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="applicationattachment_delete",
    ),
    path("guides/", views.CallGuideListView.as_view(), name="callguide_list"),
    path("guides/<int:pk>/", views.CallGuideDetailView.as_view(), name="callguide_detail"),
    path("guides/<int:pk>/apply/", views.ApplicationCreateView.as_view(), name="application_add"),
    path(
        "guides/<int:pk>/attachments/add/",
        views.GuideAttachmentCreateView.as_view(),
        name="guideattachment_add",
    ),
    path(
        "guide-files/<int:pk>/", views.GuideAttachmentDownloadView.as_view(), name="guideattachment_download"
    ),
    path(
        "guide-files/<int:pk>/delete/",
        views.GuideAttachmentDeleteView.as_view(),
        name="guideattachment_delete",
    ),
    path("guides/<int:pk>/edit/", views.CallGuideEditView.as_view(), name="callguide_edit"),
    path("calls/<int:call_pk>/guide/", views.CallGuideEditView.as_view(), name="callguide_add"),
]
