"""``balcao token create|list|revoke``: integration tokens with scopes."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from balcao.accounts.models import User
from balcao.api.models import SCOPES, ApiToken


def token_state(token: ApiToken, now) -> str:
    """What ``list`` says of a token, matching what TokenAuth accepts: revoked, expired
    (with the date), refused because its user is inactive, or active (with the expiry)."""
    if token.revoked:
        return "revogado"
    if token.expires_at is not None and token.expires_at <= now:
        return f"expirado em {_when(token.expires_at)}"
    if not token.user.is_active:
        return "inativo (usuário desativado)"
    if token.expires_at is not None:
        return f"ativo até {_when(token.expires_at)}"
    return "ativo"


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class Command(BaseCommand):
    help = "Manage API tokens for integrations (the token is shown once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token")
        create.add_argument("name")
        create.add_argument("--user", required=True, help="staff username the token acts as")
        create.add_argument("--scope", action="append", required=True, choices=sorted(SCOPES))
        sub.add_parser("list", help="list tokens")
        revoke = sub.add_parser("revoke", help="revoke a token")
        revoke.add_argument("name")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"Usuário {options['user']!r} não existe ou está inativo.")
            if ApiToken.objects.filter(name=options["name"]).exists():
                raise CommandError(f"Já existe um token chamado {options['name']!r}.")
            _, raw = ApiToken.issue(name=options["name"], user=user, scopes=options["scope"])
            self.stdout.write(raw)
        elif action == "list":
            now = timezone.now()
            for token in ApiToken.objects.select_related("user").order_by("name"):
                self.stdout.write(
                    f"{token.name}\t{token.prefix}…\t{token.user}\t"
                    f"{','.join(token.scopes)}\t{token_state(token, now)}"
                )
        else:
            updated = ApiToken.objects.filter(name=options["name"]).update(revoked=True)
            if not updated:
                raise CommandError(f"Nenhum token chamado {options['name']!r}.")
            self.stdout.write("Token revogado.")
