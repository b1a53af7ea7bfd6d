from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("add/", views.EnterpriseCreateView.as_view(), name="enterprise_add"),
    path("export/", views.EnterpriseExportView.as_view(), name="enterprise_export"),
    path("import/", views.EnterpriseImportView.as_view(), name="enterprise_import"),
    path("import/confirm/", views.EnterpriseImportConfirmView.as_view(), name="enterprise_import_confirm"),
    path("import/template/", views.EnterpriseImportTemplateView.as_view(), name="enterprise_import_template"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseUpdateView.as_view(), name="enterprise_edit"),
    path(
        "<int:pk>/deactivate/",
        views.EnterpriseSetActiveView.as_view(active=False),
        name="enterprise_deactivate",
    ),
    path(
        "<int:pk>/activate/", views.EnterpriseSetActiveView.as_view(active=True), name="enterprise_activate"
    ),
    path("<int:pk>/years/add/", views.EnterpriseYearCreateView.as_view(), name="enterpriseyear_add"),
    path("years/<int:pk>/edit/", views.EnterpriseYearUpdateView.as_view(), name="enterpriseyear_edit"),
    path("<int:pk>/smes/add/", views.SmesEvaluationCreateView.as_view(), name="smesevaluation_add"),
    path("<int:pk>/pool/recommend/", views.PoolRecommendView.as_view(), name="poolentry_recommend"),
    path("<int:pk>/pool/request/", views.PoolRequestView.as_view(), name="poolentry_request"),
    path("<int:pk>/certificates/add/", views.CertificateCreateView.as_view(), name="gaoqicertificate_add"),
    path("smes/", views.SmesEvaluationListView.as_view(), name="smesevaluation_list"),
    path("smes/export/", views.SmesEvaluationExportView.as_view(), name="smesevaluation_export"),
    path("smes/stats/", views.SmesStatsView.as_view(), name="smes_stats"),
    path("smes/bulk/", views.SmesBulkTransitionView.as_view(), name="smesevaluation_bulk"),
    path("smes/<int:pk>/", views.SmesEvaluationDetailView.as_view(), name="smesevaluation_detail"),
    path("smes/<int:pk>/transition/", views.SmesTransitionView.as_view(), name="smesevaluation_transition"),
    path("pool/", views.PoolEntryListView.as_view(), name="poolentry_list"),
    path("pool/export/", views.PoolEntryExportView.as_view(), name="poolentry_export"),
    path("pool/<int:pk>/", views.PoolEntryDetailView.as_view(), name="poolentry_detail"),
    path("pool/<int:pk>/transition/", views.PoolTransitionView.as_view(), name="poolentry_transition"),
    path("pool/<int:pk>/assess/", views.PoolAssessView.as_view(), name="poolentry_assess"),
    path("certificates/", views.CertificateListView.as_view(), name="gaoqicertificate_list"),
    path("certificates/export/", views.CertificateExportView.as_view(), name="gaoqicertificate_export"),
    path("certificates/expiring/", views.CertificateExpiringView.as_view(), name="certificate_expiring"),
    path("certificates/<int:pk>/", views.CertificateDetailView.as_view(), name="gaoqicertificate_detail"),
    path("certificates/<int:pk>/edit/", views.CertificateUpdateView.as_view(), name="gaoqicertificate_edit"),
    path(
        "certificates/<int:pk>/delete/", views.CertificateDeleteView.as_view(), name="gaoqicertificate_delete"
    ),
    path("doubling/", views.DoublingTargetListView.as_view(), name="doublingtarget_list"),
    path("doubling/add/", views.DoublingTargetCreateView.as_view(), name="doublingtarget_add"),
    path("doubling/export/", views.DoublingTargetExportView.as_view(), name="doublingtarget_export"),
    path("doubling/<int:pk>/edit/", views.DoublingTargetUpdateView.as_view(), name="doublingtarget_edit"),
    path("doubling/<int:pk>/delete/", views.DoublingTargetDeleteView.as_view(), name="doublingtarget_delete"),
    path("reward-tiers/", views.RewardTierListView.as_view(), name="rewardtier_list"),
    path("reward-tiers/add/", views.RewardTierCreateView.as_view(), name="rewardtier_add"),
    path("reward-tiers/export/", views.RewardTierExportView.as_view(), name="rewardtier_export"),
    path("reward-tiers/<int:pk>/edit/", views.RewardTierUpdateView.as_view(), name="rewardtier_edit"),
    path("reward-tiers/<int:pk>/delete/", views.RewardTierDeleteView.as_view(), name="rewardtier_delete"),
    path("rewards/", views.RewardListView.as_view(), name="reward_list"),
    path("rewards/export/", views.RewardExportView.as_view(), name="reward_export"),
    path("rewards/compute/", views.RewardComputeView.as_view(), name="reward_compute"),
    path("rewards/transition/", views.RewardTransitionView.as_view(), name="reward_transition"),
]
