from django.urls import path

from balcao.accounts import views

app_name = "accounts"
urlpatterns = [
    path("entrar/", views.login_view, name="login"),
    path("verificar/", views.verify_view, name="verify"),
    path("sair/", views.logout_view, name="logout"),
]
