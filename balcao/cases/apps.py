from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "balcao.cases"
    label = "cases"
    verbose_name = "Atendimentos"

    def ready(self):
        from balcao.cases import lookups

        lookups.connect_signals()
