from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "balcao.catalog"
    label = "catalog"
    verbose_name = "Catálogo"
