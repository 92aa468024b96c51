from django.urls import path

from balcao.kb import views

app_name = "kb"
urlpatterns = [
    path("perguntas-frequentes/", views.faq_list, name="faq_list"),
    path("perguntas-frequentes/<str:slug>/", views.faq_detail, name="faq_detail"),
    path("perguntas-frequentes/<str:slug>/avaliar/", views.faq_feedback, name="faq_feedback"),
]
