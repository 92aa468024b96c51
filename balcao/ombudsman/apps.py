from django.apps import AppConfig


class OmbudsmanConfig(AppConfig):
    """Ombudsman manifestations and access-to-information requests (Lei 13.460/2017,
    Lei 12.527/2011): what the person files and how they follow it."""

    name = "balcao.ombudsman"
    label = "ombudsman"
    verbose_name = "Ouvidoria"
