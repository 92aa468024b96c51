from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "balcao.ops"
    label = "ops"
    verbose_name = "Operação"

    def ready(self):
        from balcao import translations
        from balcao.ops import checks  # noqa: F401 — registers the system checks

        translations.install()
