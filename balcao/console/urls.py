from django.urls import path

from balcao.console import (
    audit_views,
    canned_views,
    case_views,
    knowledge_views,
    queue_views,
    staff_views,
    views,
)

app_name = "console"
urlpatterns = [
    path("", queue_views.case_list, name="case_list"),
    path("atendimentos/lote/", queue_views.case_bulk, name="case_bulk"),
    path("atendimentos/novo/", case_views.case_new, name="case_new"),
    path("atendimentos/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("atendimentos/<int:pk>/responder/", case_views.case_reply, name="case_reply"),
    path("atendimentos/<int:pk>/nota/", case_views.case_note, name="case_note"),
    path("atendimentos/<int:pk>/situacao/", case_views.case_transition, name="case_transition"),
    path("atendimentos/<int:pk>/atribuir/", case_views.case_assign, name="case_assign"),
    path("atendimentos/<int:pk>/prorrogar/", case_views.case_extend, name="case_extend"),
    path("atendimentos/<int:pk>/assumir/", case_views.case_take, name="case_take"),
    path(
        "atendimentos/<int:pk>/vincular-requerente/",
        case_views.case_link_requester,
        name="case_link_requester",
    ),
    path(
        "atendimentos/<int:pk>/anexos/<int:attachment_pk>/",
        case_views.attachment_download,
        name="attachment_download",
    ),
    path("respostas-prontas/", canned_views.canned_list, name="canned_list"),
    path("respostas-prontas/nova/", canned_views.canned_edit, name="canned_new"),
    path("respostas-prontas/<int:pk>/", canned_views.canned_edit, name="canned_edit"),
    path("respostas-prontas/<int:pk>/ativa/", canned_views.canned_active, name="canned_active"),
    path("auditoria/", audit_views.audit_log, name="audit_log"),
    path("auditoria/exportar/", audit_views.audit_export, name="audit_export"),
    path("equipe/", staff_views.staff_list, name="staff_list"),
    path("equipe/novo/", staff_views.staff_new, name="staff_new"),
    path("equipe/<int:pk>/", staff_views.staff_detail, name="staff_detail"),
    path("equipe/<int:pk>/ativo/", staff_views.staff_active, name="staff_active"),
    path("equipe/<int:pk>/cadastro/", staff_views.staff_enrolment, name="staff_enrolment"),
    path("catalogo/", views.catalog_list, name="catalog_list"),
    path("catalogo/<slug:slug>/", views.catalog_edit, name="catalog_edit"),
    path("conhecimento/", knowledge_views.article_list, name="article_list"),
    path("conhecimento/novo/", knowledge_views.article_edit, name="article_new"),
    path("conhecimento/<int:pk>/", knowledge_views.article_edit, name="article_edit"),
    path("conhecimento/<int:pk>/situacao/", knowledge_views.article_state, name="article_state"),
    path("conhecimento/lacunas/", knowledge_views.gap_inbox, name="gap_inbox"),
    path("conhecimento/lacunas/<int:pk>/", knowledge_views.gap_resolve, name="gap_resolve"),
]
