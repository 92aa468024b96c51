from django.urls import path

from balcao.console import views

app_name = "console"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("atendimentos/<str:protocol>/", views.case_detail, name="case_detail"),
]
