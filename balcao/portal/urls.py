from django.urls import include, path

from balcao.portal import callback_views, chat_views, faq_views, followup_views, govbr, views
from balcao.scheduling import contact_views, presential_views, record_views
from balcao.scheduling import portal as scheduling_portal

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("encontre-o-atendimento/", views.triage, name="triage"),
    path("encontre-o-atendimento/ir/", views.triage_choose, name="triage_choose"),
    path("canais/<slug:slug>/", views.channel_form, name="channel_form"),
    path("canais/<slug:slug>/protocolo/<str:token>/", views.confirmation, name="confirmation"),
    path("canais/<slug:slug>/agendamento/", views.scheduling, name="scheduling"),
    path("agendamento/cancelar/<str:token>/", scheduling_portal.cancel, name="scheduling_cancel"),
    path("", include(presential_views.portal_urls)),
    path("", include(record_views.portal_urls)),
    path("", include(contact_views.portal_urls)),
    path("acompanhar/", followup_views.followup_access, name="followup"),
    path("acompanhar/novo-codigo/", followup_views.followup_new_code, name="followup_new_code"),
    path("acompanhar/sair/", followup_views.followup_leave, name="followup_leave"),
    path("acompanhar/meus/", followup_views.my_cases_request, name="my_cases_request"),
    path("acompanhar/meus/lista/", followup_views.my_cases, name="my_cases"),
    path("acompanhar/govbr/entrar/", govbr.govbr_login, name="govbr_login"),
    path("acompanhar/govbr/retorno/", govbr.govbr_callback, name="govbr_callback"),
    path("acompanhar/meus/<str:token>/", followup_views.my_cases_proof, name="my_cases_proof"),
    path("acompanhar/<int:pk>/", followup_views.followup_case, name="followup_case"),
    path("acompanhar/<int:pk>/responder/", followup_views.followup_reply, name="followup_reply"),
    path("acompanhar/<int:pk>/avaliar/", followup_views.followup_rate, name="followup_rate"),
    path(
        "acompanhar/<int:pk>/anexos/<int:attachment_pk>/",
        followup_views.followup_file,
        name="followup_file",
    ),
    path("telefone/ligamos-para-voce/", callback_views.callback_request, name="callback"),
    path("perguntas-frequentes/", faq_views.faq_list, name="faq_list"),
    path("perguntas-frequentes/<str:slug>/", faq_views.faq_detail, name="faq_detail"),
    path("perguntas-frequentes/<str:slug>/avaliar/", faq_views.faq_feedback, name="faq_feedback"),
    # the live chat: "Meus Dados", the full-page chat and the widget's pages (issue 24)
    path("", include(chat_views.urlpatterns)),
]
