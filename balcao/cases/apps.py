from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "balcao.cases"
    label = "cases"
    verbose_name = "Atendimentos"
