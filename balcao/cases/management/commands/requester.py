"""``balcao requester``: unverified contacts from public input, and linking them to a person.

    balcao requester unverified                       contacts waiting, with possible matches
    balcao requester link CONTACT_ID PERSON_ID --by USERNAME [--reason TEXT]

Linking is a staff decision (``cases.intake.do_link_contact``): ``--by`` names the staff
user who decided, who needs the ``requesters.edit`` capability, and every moved case
records it in its history. The listing shows record ids only, no personal data.
"""

from django.core.management.base import BaseCommand, CommandError

from balcao.accounts.models import User
from balcao.cases import intake
from balcao.cases.models import Requester
from balcao.cases.services import CaseError


class Command(BaseCommand):
    help = "Unverified contacts from public input; link one to a person on file (audited)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("unverified", help="unverified contacts with possible matches (ids)")
        link = sub.add_parser("link", help="move a contact's cases onto a person on file")
        link.add_argument("contact", type=int)
        link.add_argument("person", type=int)
        link.add_argument("--by", required=True, help="username of the staff member deciding")
        link.add_argument("--reason", default="")

    def handle(self, *args, **options):
        if options["action"] == "unverified":
            pending = Requester.objects.filter(unverified=True, linked_to__isnull=True)
            for contact in pending.order_by("pk"):
                matches = [str(p.pk) for p in intake.possible_matches(contact)]
                cases = ",".join(contact.cases.values_list("protocol", flat=True))
                self.stdout.write(
                    f"{contact.pk}\tcases={cases or '-'}\tpossible={','.join(matches) or '-'}"
                )
            return
        actor = User.objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(f"Usuário {options['by']!r} não existe ou está inativo.")
        contact = Requester.objects.filter(pk=options["contact"]).first()
        person = Requester.objects.filter(pk=options["person"]).first()
        if contact is None or person is None:
            raise CommandError("Contato ou cadastro inexistente.")
        try:
            moved = intake.do_link_contact(contact, person, actor=actor, reason=options["reason"])
        except (CaseError, intake.IntakeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Contato {contact.pk} vinculado ao cadastro {person.pk}: "
            f"{moved} atendimento(s) movido(s)."
        )
