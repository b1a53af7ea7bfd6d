from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "kejiju.reporting"
    label = "reporting"
    verbose_name = "县区报送与统计"
