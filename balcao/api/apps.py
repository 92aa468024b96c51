from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "balcao.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        # Connect the webhook receiver to ``cases.events.case_event`` in every process
        # (web, worker, shell), not only where some module happened to import it.
        from balcao.api import webhooks  # noqa: F401
