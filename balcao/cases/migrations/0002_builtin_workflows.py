"""The built-in workflows (state machines), as data: a helpdesk set and the IPM chat set.

The chat set is the IPM guide's list of states (seed 004, IPM Atende.Net): Agendado,
Aguardando Retorno Cliente, Atendimento Não Iniciado, Cancelado, Chat Concluído pelo
Usuário, Chat Off-Line, Concluído, Em Atendimento, Em desenvolvimento – Fábrica, Finalizado
Fábrica. Each state's category is what the case clock reads to pause (waiting_requester).
Admins edit workflows afterwards; this migration carries its own copy of the data, so it
does the same thing whatever the code says later.
"""

from django.db import migrations

OPEN, WAIT_REQ, WAIT_3RD, RESOLVED, CLOSED = (
    "open",
    "waiting_requester",
    "waiting_third_party",
    "resolved",
    "closed",
)

# slug: (name, category)
BUILTIN = {
    "helpdesk": {
        "name": "Atendimento geral",
        "initial": "novo",
        "states": {
            "novo": ("Novo", OPEN),
            "em-atendimento": ("Em atendimento", OPEN),
            "aguardando-requerente": ("Aguardando o requerente", WAIT_REQ),
            "aguardando-terceiros": ("Aguardando terceiros", WAIT_3RD),
            "resolvido": ("Resolvido", RESOLVED),
            "encerrado": ("Encerrado", CLOSED),
            "cancelado": ("Cancelado", CLOSED),
        },
        # source: [(target, action name, requires_reason, is_reopen)]
        "transitions": {
            "novo": [
                ("em-atendimento", "Iniciar atendimento", False, False),
                ("aguardando-requerente", "Pedir complementação", True, False),
                ("resolvido", "Resolver", False, False),
                ("cancelado", "Cancelar", True, False),
            ],
            "em-atendimento": [
                ("aguardando-requerente", "Pedir complementação", True, False),
                ("aguardando-terceiros", "Encaminhar a terceiros", True, False),
                ("resolvido", "Resolver", False, False),
                ("cancelado", "Cancelar", True, False),
            ],
            "aguardando-requerente": [
                ("em-atendimento", "Retomar", False, False),
                ("encerrado", "Encerrar sem resposta", True, False),
            ],
            "aguardando-terceiros": [("em-atendimento", "Retomar", False, False)],
            "resolvido": [
                ("encerrado", "Encerrar", False, False),
                ("em-atendimento", "Reabrir", True, True),
            ],
            "encerrado": [("em-atendimento", "Reabrir", True, True)],
        },
    },
    "chat": {
        "name": "Chat (IPM)",
        "initial": "atendimento-nao-iniciado",
        "states": {
            "atendimento-nao-iniciado": ("Atendimento Não Iniciado", OPEN),
            "agendado": ("Agendado", OPEN),
            "em-atendimento": ("Em Atendimento", OPEN),
            "aguardando-retorno-cliente": ("Aguardando Retorno Cliente", WAIT_REQ),
            "em-desenvolvimento-fabrica": ("Em desenvolvimento – Fábrica", WAIT_3RD),
            "finalizado-fabrica": ("Finalizado Fábrica", OPEN),
            "chat-off-line": ("Chat Off-Line", OPEN),
            "chat-concluido-pelo-usuario": ("Chat Concluído pelo Usuário", CLOSED),
            "concluido": ("Concluído", CLOSED),
            "cancelado": ("Cancelado", CLOSED),
        },
        "transitions": {
            "atendimento-nao-iniciado": [
                ("em-atendimento", "Atender", False, False),
                ("agendado", "Agendar", False, False),
                ("chat-off-line", "Registrar fora do horário", False, False),
                ("chat-concluido-pelo-usuario", "Concluído pelo usuário", False, False),
                ("cancelado", "Cancelar", True, False),
            ],
            "agendado": [
                ("em-atendimento", "Atender", False, False),
                ("cancelado", "Cancelar", True, False),
            ],
            "chat-off-line": [
                ("em-atendimento", "Atender", False, False),
                ("concluido", "Concluir", False, False),
            ],
            "em-atendimento": [
                ("aguardando-retorno-cliente", "Aguardar retorno do cliente", False, False),
                ("em-desenvolvimento-fabrica", "Enviar para a fábrica", True, False),
                ("chat-concluido-pelo-usuario", "Concluído pelo usuário", False, False),
                ("concluido", "Concluir", False, False),
            ],
            "aguardando-retorno-cliente": [
                ("em-atendimento", "Retomar", False, False),
                ("concluido", "Concluir", False, False),
            ],
            "em-desenvolvimento-fabrica": [
                ("finalizado-fabrica", "Finalizar na fábrica", False, False)
            ],
            "finalizado-fabrica": [
                ("em-atendimento", "Retomar", False, False),
                ("concluido", "Concluir", False, False),
            ],
            "concluido": [("em-atendimento", "Reabrir", True, True)],
            "chat-concluido-pelo-usuario": [("em-atendimento", "Reabrir", True, True)],
        },
    },
}


def install(apps, schema_editor):
    Workflow = apps.get_model("cases", "Workflow")
    State = apps.get_model("cases", "State")
    Transition = apps.get_model("cases", "Transition")
    for slug, spec in BUILTIN.items():
        workflow, _ = Workflow.objects.get_or_create(slug=slug, defaults={"name": spec["name"]})
        states = {}
        for order, (state_slug, (name, category)) in enumerate(spec["states"].items()):
            states[state_slug], _ = State.objects.get_or_create(
                workflow=workflow,
                slug=state_slug,
                defaults={
                    "name": name,
                    "category": category,
                    "order": order,
                    "is_initial": state_slug == spec["initial"],
                },
            )
        for source, targets in spec["transitions"].items():
            for target, action, requires_reason, is_reopen in targets:
                Transition.objects.get_or_create(
                    workflow=workflow,
                    source=states[source],
                    target=states[target],
                    defaults={
                        "name": action,
                        "requires_reason": requires_reason,
                        "is_reopen": is_reopen,
                    },
                )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
