from django.urls import path

from balcao.portal import views

app_name = "portal"
urlpatterns = [path("", views.home, name="home")]
