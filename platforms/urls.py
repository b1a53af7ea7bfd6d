from django.urls import path

from .views import applications, batches, evaluations, outreach, platforms, statistics, types

app_name = "platforms"

urlpatterns = [
    path("", platforms.PlatformListView.as_view(), name="platform_list"),
    path("add/", platforms.PlatformCreateView.as_view(), name="platform_add"),
    path("export/", platforms.PlatformExportView.as_view(), name="platform_export"),
    path("stats/", statistics.PlatformStatsView.as_view(), name="platform_stats"),
    path("stats/export/", statistics.PlatformStatsExportView.as_view(), name="platform_stats_export"),
    path("<int:pk>/", platforms.PlatformDetailView.as_view(), name="platform_detail"),
    path("<int:pk>/edit/", platforms.PlatformUpdateView.as_view(), name="platform_edit"),
    path("<int:pk>/transition/", platforms.PlatformTransitionView.as_view(), name="platform_transition"),
    path(
        "<int:pk>/evaluations/add/", evaluations.EvaluationCreateView.as_view(), name="platformevaluation_add"
    ),
    path("types/", types.PlatformTypeListView.as_view(), name="platformtype_list"),
    path("types/add/", types.PlatformTypeCreateView.as_view(), name="platformtype_add"),
    path("types/<int:pk>/edit/", types.PlatformTypeUpdateView.as_view(), name="platformtype_edit"),
    path("batches/", batches.BatchListView.as_view(), name="recognitionbatch_list"),
    path("batches/add/", batches.BatchCreateView.as_view(), name="recognitionbatch_add"),
    path("batches/<int:pk>/", batches.BatchDetailView.as_view(), name="recognitionbatch_detail"),
    path("batches/<int:pk>/edit/", batches.BatchUpdateView.as_view(), name="recognitionbatch_edit"),
    path(
        "batches/<int:pk>/transition/",
        batches.BatchTransitionView.as_view(),
        name="recognitionbatch_transition",
    ),
    path("batches/export/", batches.BatchExportView.as_view(), name="recognitionbatch_export"),
    path(
        "batches/<int:pk>/results/", batches.BatchResultsExportView.as_view(), name="recognitionbatch_results"
    ),
    path(
        "batches/<int:pk>/applications/add/",
        applications.ApplicationCreateView.as_view(),
        name="platformapplication_add",
    ),
    path(
        "applications/<int:pk>/",
        applications.ApplicationDetailView.as_view(),
        name="platformapplication_detail",
    ),
    path(
        "applications/<int:pk>/edit/",
        applications.ApplicationUpdateView.as_view(),
        name="platformapplication_edit",
    ),
    path(
        "applications/<int:pk>/delete/",
        applications.ApplicationDeleteView.as_view(),
        name="platformapplication_delete",
    ),
    path(
        "applications/<int:pk>/transition/",
        applications.ApplicationTransitionView.as_view(),
        name="platformapplication_transition",
    ),
    path(
        "applications/<int:pk>/score/",
        applications.ApplicationScoreView.as_view(),
        name="platformapplication_score",
    ),
    path("evaluations/", evaluations.EvaluationListView.as_view(), name="platformevaluation_list"),
    path("evaluations/export/", evaluations.EvaluationExportView.as_view(), name="platformevaluation_export"),
    path(
        "evaluations/<int:pk>/edit/",
        evaluations.EvaluationUpdateView.as_view(),
        name="platformevaluation_edit",
    ),
    path("events/", outreach.OutreachEventListView.as_view(), name="outreachevent_list"),
    path("events/add/", outreach.OutreachEventCreateView.as_view(), name="outreachevent_add"),
    path("events/export/", outreach.OutreachEventExportView.as_view(), name="outreachevent_export"),
    path("events/<int:pk>/", outreach.OutreachEventDetailView.as_view(), name="outreachevent_detail"),
    path("events/<int:pk>/edit/", outreach.OutreachEventUpdateView.as_view(), name="outreachevent_edit"),
    path(
        "events/<int:pk>/delete/",
        outreach.OutreachEventDeleteView.as_view(),
        name="outreachevent_delete",
    ),
    path(
        "events/<int:pk>/photos/add/",
        outreach.OutreachPhotoCreateView.as_view(),
        name="outreachphoto_add",
    ),
    path(
        "events/photos/<int:pk>/",
        outreach.OutreachPhotoDownloadView.as_view(),
        name="outreachphoto_download",
    ),
    path(
        "events/photos/<int:pk>/delete/",
        outreach.OutreachPhotoDeleteView.as_view(),
        name="outreachphoto_delete",
    ),
    path("evaluations/rule/", evaluations.EvaluationPolicyUpdateView.as_view(), name="evaluationpolicy_edit"),
]
