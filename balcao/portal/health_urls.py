from django.urls import path

from balcao.portal import views

urlpatterns = [path("", views.health, name="health")]
