from django.urls import path

from balcao.console import views

app_name = "console"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("atendimentos/novo/", views.case_new, name="case_new"),
    path("atendimentos/<int:pk>/", views.case_detail, name="case_detail"),
    path("atendimentos/<int:pk>/responder/", views.case_reply, name="case_reply"),
    path("atendimentos/<int:pk>/nota/", views.case_note, name="case_note"),
    path("atendimentos/<int:pk>/situacao/", views.case_transition, name="case_transition"),
    path("atendimentos/<int:pk>/atribuir/", views.case_assign, name="case_assign"),
    path("atendimentos/<int:pk>/prorrogar/", views.case_extend, name="case_extend"),
    path("atendimentos/<int:pk>/vincular-requerente/", views.case_link_requester,
         name="case_link_requester"),
    path("atendimentos/<int:pk>/anexos/<int:attachment_pk>/", views.attachment_download,
         name="attachment_download"),
    path("auditoria/", views.audit_log, name="audit_log"),
    path("catalogo/", views.catalog_list, name="catalog_list"),
    path("catalogo/<slug:slug>/", views.catalog_edit, name="catalog_edit"),
]
