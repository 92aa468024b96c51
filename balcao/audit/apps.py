from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "balcao.audit"
    label = "audit"
    verbose_name = "Auditoria"
