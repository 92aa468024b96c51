from django.urls import path

from balcao.ombudsman import views

app_name = "ombudsman"
urlpatterns = [
    path("transparencia/ouvidoria/", views.dashboard, name="transparency"),
    path("transparencia/ouvidoria.csv", views.dashboard_csv, name="transparency_csv"),
    path("transparencia/ouvidoria.json", views.dashboard_json, name="transparency_json"),
    path(
        "transparencia/informacao-classificada/",
        views.annual_report_public,
        name="annual_report",
    ),
]
