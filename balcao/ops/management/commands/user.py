"""``balcao user create|enrolment-link``: staff accounts from the command line.

- ``balcao user create USERNAME --role ROLE [--team SLUG]... [--email E]``: a new active
  member of staff holding one Balcão role (a group named after it, balcao.accounts.roles),
  optionally in teams; the password is typed twice at a prompt or read from the environment
  variable ``BALCAO_NEW_PASSWORD`` (never an argument: arguments show in ``ps`` and shell
  history). Prints a one-time link to enrol the authenticator app, as ``enrolment-link`` does.
- ``balcao user enrolment-link USERNAME``: a one-time link to enrol (or replace) the app.

An operator's command in the ops app: it spans accounts (users, roles) and the case core's
teams, and accounts sits below the case core (docs/architecture.md).
"""

import getpass
import os

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from balcao.accounts import services
from balcao.accounts.models import EnrolmentLink, User
from balcao.accounts.roles import ADMIN, ROLES
from balcao.cases.models import Team, TeamMembership

PASSWORD_VARIABLE = "BALCAO_NEW_PASSWORD"  # noqa: S105 (the variable's name, not a password)


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class Command(BaseCommand):
    help = "Staff accounts: create one with a role, or issue a link to enrol the authenticator app."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create",
            help=f"create an active member of staff with a role (password: prompt or "
            f"{PASSWORD_VARIABLE}) and print a link to enrol the authenticator app",
        )
        create.add_argument("username")
        create.add_argument("--role", required=True, help=f"one of: {', '.join(ROLES)}")
        create.add_argument(
            "--team",
            action="append",
            default=[],
            metavar="SLUG",
            help="a team (queue) to join; may be repeated",
        )
        create.add_argument("--email", default="", help="for the e-mailed enrolment link")
        link = sub.add_parser(
            "enrolment-link",
            help="print a one-time link (earlier unused links of that person stop working)",
        )
        link.add_argument("username")
        for subparser in (create, link):
            subparser.add_argument(
                "--base-url", default=None, help="the site's address (default: BALCAO_BASE_URL)"
            )

    def handle(self, *args, **options):
        if options["action"] == "create":
            user = self._create(options)
        else:
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"Usuário {options['username']!r} não existe ou está inativo.")
        self._print_enrolment_link(user, options["base_url"])

    def _create(self, options) -> User:
        """Check everything, then ask for the password, then write it all in one transaction.

        Django's ``is_staff`` (the /admin/ site) and ``is_superuser`` go only with the admin
        role, as in the demo: other roles sign in to the console through their group.
        """
        role = options["role"]
        if role not in ROLES:
            raise CommandError(f"Papel desconhecido: {role!r}. Papéis: {', '.join(ROLES)}.")
        group = Group.objects.filter(name=role).first()
        if group is None:
            raise CommandError(f"O grupo {role!r} não existe: rode `balcao migrate` antes.")
        slugs = list(dict.fromkeys(options["team"]))
        teams = list(Team.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {team.slug for team in teams})
        if unknown:
            known = ", ".join(Team.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"Equipe desconhecida: {', '.join(unknown)}. Equipes: {known or '(nenhuma)'}."
            )
        user = User(
            username=options["username"],
            email=options["email"].strip(),
            is_active=True,
            is_staff=role == ADMIN,
            is_superuser=role == ADMIN,
        )
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError(_messages(error)) from None
        user.set_password(self._new_password(user))
        with transaction.atomic():
            user.save()
            user.groups.add(group)
            TeamMembership.objects.bulk_create(
                [TeamMembership(team=team, user=user) for team in teams]
            )
        joined = f", equipes: {', '.join(team.slug for team in teams)}" if teams else ""
        self.stderr.write(f"Criado: {user.username} ({role}{joined}).")
        return user

    def _new_password(self, user: User) -> str:
        """From ``BALCAO_NEW_PASSWORD`` when set, else typed twice; Django's password
        validators (AUTH_PASSWORD_VALIDATORS) must accept it."""
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            try:
                password = getpass.getpass("Senha: ")
                if getpass.getpass("Senha (de novo): ") != password:
                    raise CommandError("As senhas não conferem.")
            except EOFError:
                raise CommandError(
                    f"Sem terminal para digitar a senha: defina {PASSWORD_VARIABLE}."
                ) from None
        if not password:
            raise CommandError("A senha não pode ser vazia.")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(_messages(error)) from None
        return password

    def _print_enrolment_link(self, user: User, base_url: str | None) -> None:
        link, raw = services.do_issue_enrolment_link(user, via=EnrolmentLink.Via.COMMAND)
        self.stdout.write(services.enrolment_url(raw, user.preferred_language, base_url))
        until = timezone.localtime(link.expires_at)
        self.stderr.write(f"Vale uma vez, até {until:%d/%m/%Y %H:%M}.")
