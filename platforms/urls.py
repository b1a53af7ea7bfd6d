from django.urls import path

from . import views, views_outreach

app_name = "platforms"

urlpatterns = [
    path("", views.PlatformListView.as_view(), name="platform_list"),
    path("add/", views.PlatformCreateView.as_view(), name="platform_add"),
    path("export/", views.PlatformExportView.as_view(), name="platform_export"),
    path("stats/", views.PlatformStatsView.as_view(), name="platform_stats"),
    path("stats/export/", views.PlatformStatsExportView.as_view(), name="platform_stats_export"),
    path("<int:pk>/", views.PlatformDetailView.as_view(), name="platform_detail"),
    path("<int:pk>/edit/", views.PlatformUpdateView.as_view(), name="platform_edit"),
    path("<int:pk>/transition/", views.PlatformTransitionView.as_view(), name="platform_transition"),
    path("<int:pk>/evaluations/add/", views.EvaluationCreateView.as_view(), name="platformevaluation_add"),
    path("types/", views.PlatformTypeListView.as_view(), name="platformtype_list"),
    path("types/add/", views.PlatformTypeCreateView.as_view(), name="platformtype_add"),
    path("types/<int:pk>/edit/", views.PlatformTypeUpdateView.as_view(), name="platformtype_edit"),
    path("batches/", views.BatchListView.as_view(), name="recognitionbatch_list"),
    path("batches/add/", views.BatchCreateView.as_view(), name="recognitionbatch_add"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="recognitionbatch_detail"),
    path("batches/<int:pk>/edit/", views.BatchUpdateView.as_view(), name="recognitionbatch_edit"),
    path(
        "batches/<int:pk>/transition/",
        views.BatchTransitionView.as_view(),
        name="recognitionbatch_transition",
    ),
    path("batches/export/", views.BatchExportView.as_view(), name="recognitionbatch_export"),
    path(
        "batches/<int:pk>/results/", views.BatchResultsExportView.as_view(), name="recognitionbatch_results"
    ),
    path(
        "batches/<int:pk>/applications/add/",
        views.ApplicationCreateView.as_view(),
        name="platformapplication_add",
    ),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="platformapplication_detail"),
    path(
        "applications/<int:pk>/edit/", views.ApplicationUpdateView.as_view(), name="platformapplication_edit"
    ),
    path(
        "applications/<int:pk>/delete/",
        views.ApplicationDeleteView.as_view(),
        name="platformapplication_delete",
    ),
    path(
        "applications/<int:pk>/transition/",
        views.ApplicationTransitionView.as_view(),
        name="platformapplication_transition",
    ),
    path(
        "applications/<int:pk>/score/", views.ApplicationScoreView.as_view(), name="platformapplication_score"
    ),
    path("evaluations/", views.EvaluationListView.as_view(), name="platformevaluation_list"),
    path("evaluations/export/", views.EvaluationExportView.as_view(), name="platformevaluation_export"),
    path("evaluations/<int:pk>/edit/", views.EvaluationUpdateView.as_view(), name="platformevaluation_edit"),
    path("events/", views_outreach.OutreachEventListView.as_view(), name="outreachevent_list"),
    path("events/add/", views_outreach.OutreachEventCreateView.as_view(), name="outreachevent_add"),
    path("events/export/", views_outreach.OutreachEventExportView.as_view(), name="outreachevent_export"),
    path("events/<int:pk>/", views_outreach.OutreachEventDetailView.as_view(), name="outreachevent_detail"),
    path(
        "events/<int:pk>/edit/", views_outreach.OutreachEventUpdateView.as_view(), name="outreachevent_edit"
    ),
    path(
        "events/<int:pk>/delete/",
        views_outreach.OutreachEventDeleteView.as_view(),
        name="outreachevent_delete",
    ),
    path(
        "events/<int:pk>/photos/add/",
        views_outreach.OutreachPhotoCreateView.as_view(),
        name="outreachphoto_add",
    ),
    path(
        "events/photos/<int:pk>/",
        views_outreach.OutreachPhotoDownloadView.as_view(),
        name="outreachphoto_download",
    ),
    path(
        "events/photos/<int:pk>/delete/",
        views_outreach.OutreachPhotoDeleteView.as_view(),
        name="outreachphoto_delete",
    ),
    path("evaluations/rule/", views.EvaluationPolicyUpdateView.as_view(), name="evaluationpolicy_edit"),
]
