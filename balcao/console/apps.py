from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "balcao.console"
    label = "console"
    verbose_name = "Console"
