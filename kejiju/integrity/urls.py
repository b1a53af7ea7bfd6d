from django.urls import path

from . import views

app_name = "integrity"

urlpatterns = [
    path("", views.IntegrityRecordListView.as_view(), name="integrityrecord_list"),
    path("add/", views.IntegrityRecordCreateView.as_view(), name="integrityrecord_add"),
    path("export/", views.IntegrityRecordExportView.as_view(), name="integrityrecord_export"),
    path("import/", views.IntegrityImportView.as_view(), name="integrityrecord_import"),
    path(
        "import/confirm/", views.IntegrityImportConfirmView.as_view(), name="integrityrecord_import_confirm"
    ),
    path(
        "import/template/",
        views.IntegrityImportTemplateView.as_view(),
        name="integrityrecord_import_template",
    ),
    path("duplicates/setting/", views.DuplicateSettingView.as_view(), name="duplicate_setting"),
    path(
        "duplicates/projects/<int:pk>/decide/", views.DuplicateDecideView.as_view(), name="duplicate_decide"
    ),
    path("<int:pk>/", views.IntegrityRecordDetailView.as_view(), name="integrityrecord_detail"),
    path("<int:pk>/edit/", views.IntegrityRecordUpdateView.as_view(), name="integrityrecord_edit"),
    path("<int:pk>/delete/", views.IntegrityRecordDeleteView.as_view(), name="integrityrecord_delete"),
    path("<int:pk>/personal/", views.IntegrityRecordPIIView.as_view(), name="integrityrecord_pii"),
    path("<int:pk>/scan/", views.IntegrityRecordScanView.as_view(), name="integrityrecord_scan"),
]
