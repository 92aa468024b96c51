from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "balcao.api"
    label = "api"
    verbose_name = "API"
