from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "balcao.kb"
    label = "kb"
    verbose_name = "Base de conhecimento"
