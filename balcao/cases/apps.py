from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CasesConfig(AppConfig):
    name = "balcao.cases"
    label = "cases"
    verbose_name = "Atendimentos"

    def ready(self):
        from balcao.cases import lookups

        lookups.connect_signals()
        connection_created.connect(_register_sqlite_functions)


def _register_sqlite_functions(sender, connection, **kwargs):
    """``balcao_fold(text)`` on SQLite, as the PostgreSQL function of migration
    cases 0006: lower case without accents (cases.filters searches names with it)."""
    if connection.vendor == "sqlite":
        from balcao.textnorm import fold

        connection.connection.create_function(
            "balcao_fold", 1, lambda text: None if text is None else fold(text), deterministic=True
        )
