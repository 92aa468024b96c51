"""``balcao user enrolment-link USERNAME``: a one-time link to enrol an authenticator app."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from balcao.accounts import services
from balcao.accounts.models import EnrolmentLink, User


class Command(BaseCommand):
    help = "Staff accounts: issue a one-time link to enrol (or replace) the authenticator app."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        link = sub.add_parser(
            "enrolment-link",
            help="print a one-time link (earlier unused links of that person stop working)",
        )
        link.add_argument("username")
        link.add_argument("--base-url", default=None,
                          help="the site's address (default: BALCAO_BASE_URL)")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"Usuário {options['username']!r} não existe ou está inativo.")
        link, raw = services.do_issue_enrolment_link(user, via=EnrolmentLink.Via.COMMAND)
        self.stdout.write(services.enrolment_url(raw, user.preferred_language,
                                                 options["base_url"]))
        until = timezone.localtime(link.expires_at)
        self.stderr.write(f"Vale uma vez, até {until:%d/%m/%Y %H:%M}.")
