"""``balcao demo``: load the INPI demo agency (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from balcao.demo import services


class Command(BaseCommand):
    help = "Load the INPI demo agency: catalogue, teams, staff of every role, cases."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="do nothing when the demo is already loaded"
        )
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")
        parser.add_argument("--cases", type=int, default=300)
        parser.add_argument(
            "--base-url",
            default=None,
            help="site address for the enrolment links (default: BALCAO_BASE_URL)",
        )

    def handle(self, *args, **options):
        if options["logins"]:
            links = services.demo_enrolment_links(options["base_url"])
            self.stdout.write(
                f"Logins de demonstração (senha: {services.DEMO_PASSWORD}). Antes da primeira "
                "entrada, abra o link de cadastro do usuário (vale uma vez, por "
                f"{settings.BALCAO_ENROLMENT_LINK_HOURS} h), confirme a senha e leia o código "
                "QR num aplicativo autenticador; depois entre com usuário, senha e código:"
            )
            for username, label in services.demo_logins():
                self.stdout.write(f"  {username:<24} {label}")
                if username in links:
                    self.stdout.write(f"    cadastro: {links[username]}")
            self.stdout.write(
                "  (aplicativo perdido ou já cadastrado: balcao user enrolment-link "
                "USUÁRIO emite um link novo)"
            )
            return
        if options["once"] and services.is_loaded():
            self.stdout.write("Demo já carregada.")
            return
        created = services.load_demo(cases=options["cases"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo carregada: {created['channels']} canais, {created['users']} usuários, "
                f"{created['cases']} atendimentos novos, {created['articles']} artigos."
            )
        )
