from django.urls import path

from balcao.accounts import views

app_name = "accounts"
urlpatterns = [
    path("entrar/", views.login_view, name="login"),
    path("sair/", views.logout_view, name="logout"),
    path("cadastro/", views.enrol_view, name="enrol"),
    path("cadastro/solicitar/", views.enrol_request_view, name="enrol_request"),
    path("cadastro/<str:token>/", views.enrol_link_view, name="enrol_link"),
]
