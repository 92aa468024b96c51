from django.urls import path

from balcao.portal import faq_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("encontre-o-atendimento/", views.triage, name="triage"),
    path("encontre-o-atendimento/ir/", views.triage_choose, name="triage_choose"),
    path("canais/<slug:slug>/", views.channel_form, name="channel_form"),
    path("canais/<slug:slug>/protocolo/<str:token>/", views.confirmation, name="confirmation"),
    path("canais/<slug:slug>/agendamento/", views.scheduling, name="scheduling"),
    path("perguntas-frequentes/", faq_views.faq_list, name="faq_list"),
    path("perguntas-frequentes/<str:slug>/", faq_views.faq_detail, name="faq_detail"),
    path("perguntas-frequentes/<str:slug>/avaliar/", faq_views.faq_feedback, name="faq_feedback"),
]
