from django.conf import settings


def agency(request):
    """The agency's name for every template (configurable per deployment)."""
    return {"agency_name": settings.BALCAO_AGENCY_NAME}
