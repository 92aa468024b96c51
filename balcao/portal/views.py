from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from balcao.catalog.models import Level


def health(request):
    """Liveness and database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request):
    levels = Level.objects.prefetch_related("channel_set").all()
    return render(request, "portal/home.html", {"levels": levels})
