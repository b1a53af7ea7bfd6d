from django.urls import path

from .views import certificates, enterprises, evaluation, imports, pool, rewards

app_name = "enterprises"

urlpatterns = [
    path("", enterprises.EnterpriseListView.as_view(), name="enterprise_list"),
    path("add/", enterprises.EnterpriseCreateView.as_view(), name="enterprise_add"),
    path("export/", enterprises.EnterpriseExportView.as_view(), name="enterprise_export"),
    path("import/", imports.EnterpriseImportView.as_view(), name="enterprise_import"),
    path("import/confirm/", imports.EnterpriseImportConfirmView.as_view(), name="enterprise_import_confirm"),
    path(
        "import/template/", imports.EnterpriseImportTemplateView.as_view(), name="enterprise_import_template"
    ),
    path("<int:pk>/", enterprises.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", enterprises.EnterpriseUpdateView.as_view(), name="enterprise_edit"),
    path(
        "<int:pk>/deactivate/",
        enterprises.EnterpriseSetActiveView.as_view(active=False),
        name="enterprise_deactivate",
    ),
    path(
        "<int:pk>/activate/",
        enterprises.EnterpriseSetActiveView.as_view(active=True),
        name="enterprise_activate",
    ),
    path("<int:pk>/years/add/", enterprises.EnterpriseYearCreateView.as_view(), name="enterpriseyear_add"),
    path("years/<int:pk>/edit/", enterprises.EnterpriseYearUpdateView.as_view(), name="enterpriseyear_edit"),
    path("<int:pk>/smes/add/", evaluation.SmesEvaluationCreateView.as_view(), name="smesevaluation_add"),
    path("<int:pk>/pool/recommend/", pool.PoolRecommendView.as_view(), name="poolentry_recommend"),
    path("<int:pk>/pool/request/", pool.PoolRequestView.as_view(), name="poolentry_request"),
    path(
        "<int:pk>/certificates/add/",
        certificates.CertificateCreateView.as_view(),
        name="gaoqicertificate_add",
    ),
    path("smes/", evaluation.SmesEvaluationListView.as_view(), name="smesevaluation_list"),
    path("smes/export/", evaluation.SmesEvaluationExportView.as_view(), name="smesevaluation_export"),
    path("smes/stats/", evaluation.SmesStatsView.as_view(), name="smes_stats"),
    path("smes/bulk/", evaluation.SmesBulkTransitionView.as_view(), name="smesevaluation_bulk"),
    path("smes/<int:pk>/", evaluation.SmesEvaluationDetailView.as_view(), name="smesevaluation_detail"),
    path(
        "smes/<int:pk>/transition/", evaluation.SmesTransitionView.as_view(), name="smesevaluation_transition"
    ),
    path("pool/", pool.PoolEntryListView.as_view(), name="poolentry_list"),
    path("pool/export/", pool.PoolEntryExportView.as_view(), name="poolentry_export"),
    path("pool/<int:pk>/", pool.PoolEntryDetailView.as_view(), name="poolentry_detail"),
    path("pool/<int:pk>/transition/", pool.PoolTransitionView.as_view(), name="poolentry_transition"),
    path("pool/<int:pk>/assess/", pool.PoolAssessView.as_view(), name="poolentry_assess"),
    path("certificates/", certificates.CertificateListView.as_view(), name="gaoqicertificate_list"),
    path(
        "certificates/export/", certificates.CertificateExportView.as_view(), name="gaoqicertificate_export"
    ),
    path(
        "certificates/expiring/", certificates.CertificateExpiringView.as_view(), name="certificate_expiring"
    ),
    path(
        "certificates/<int:pk>/", certificates.CertificateDetailView.as_view(), name="gaoqicertificate_detail"
    ),
    path(
        "certificates/<int:pk>/edit/",
        certificates.CertificateUpdateView.as_view(),
        name="gaoqicertificate_edit",
    ),
    path(
        "certificates/<int:pk>/delete/",
        certificates.CertificateDeleteView.as_view(),
        name="gaoqicertificate_delete",
    ),
    path("doubling/", rewards.DoublingTargetListView.as_view(), name="doublingtarget_list"),
    path("doubling/add/", rewards.DoublingTargetCreateView.as_view(), name="doublingtarget_add"),
    path("doubling/export/", rewards.DoublingTargetExportView.as_view(), name="doublingtarget_export"),
    path("doubling/<int:pk>/edit/", rewards.DoublingTargetUpdateView.as_view(), name="doublingtarget_edit"),
    path(
        "doubling/<int:pk>/delete/", rewards.DoublingTargetDeleteView.as_view(), name="doublingtarget_delete"
    ),
    path("reward-tiers/", rewards.RewardTierListView.as_view(), name="rewardtier_list"),
    path("reward-tiers/add/", rewards.RewardTierCreateView.as_view(), name="rewardtier_add"),
    path("reward-tiers/export/", rewards.RewardTierExportView.as_view(), name="rewardtier_export"),
    path("reward-tiers/<int:pk>/edit/", rewards.RewardTierUpdateView.as_view(), name="rewardtier_edit"),
    path("reward-tiers/<int:pk>/delete/", rewards.RewardTierDeleteView.as_view(), name="rewardtier_delete"),
    path("rewards/", rewards.RewardListView.as_view(), name="reward_list"),
    path("rewards/export/", rewards.RewardExportView.as_view(), name="reward_export"),
    path("rewards/compute/", rewards.RewardComputeView.as_view(), name="reward_compute"),
    path("rewards/transition/", rewards.RewardTransitionView.as_view(), name="reward_transition"),
]
