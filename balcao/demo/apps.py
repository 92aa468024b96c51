from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "balcao.demo"
    label = "demo"
    verbose_name = "Demonstração"
