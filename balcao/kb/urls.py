from django.urls import path

from balcao.kb import views

app_name = "kb"
urlpatterns = [
    path("console/conhecimento/", views.article_list, name="article_list"),
    path("console/conhecimento/novo/", views.article_edit, name="article_new"),
    path("console/conhecimento/<int:pk>/", views.article_edit, name="article_edit"),
    path("console/conhecimento/<int:pk>/situacao/", views.article_state, name="article_state"),
    path("console/conhecimento/lacunas/", views.gap_inbox, name="gap_inbox"),
    path("console/conhecimento/lacunas/<int:pk>/", views.gap_resolve, name="gap_resolve"),
    path("perguntas-frequentes/", views.faq_list, name="faq_list"),
    path("perguntas-frequentes/<str:slug>/", views.faq_detail, name="faq_detail"),
    path("perguntas-frequentes/<str:slug>/avaliar/", views.faq_feedback, name="faq_feedback"),
]
