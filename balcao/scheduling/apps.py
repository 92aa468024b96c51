from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Scheduled sessions (issue 25): INPI Conecta Todos open video sessions (seed 000)."""

    name = "balcao.scheduling"
    label = "scheduling"
    verbose_name = "Agendamento"
