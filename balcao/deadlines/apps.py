from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "balcao.deadlines"
    label = "deadlines"
    verbose_name = "Prazos"
