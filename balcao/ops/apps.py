from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "balcao.ops"
    label = "ops"
    verbose_name = "Operação"
