from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kejiju.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        from . import signals  # noqa: F401
