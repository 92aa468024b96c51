"""``balcao demo``: load the INPI demo agency (idempotent)."""

from django.core.management.base import BaseCommand

from balcao.demo import services


class Command(BaseCommand):
    help = "Load the INPI demo agency: catalogue, teams, staff of every role, cases."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="do nothing when the demo is already loaded")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")
        parser.add_argument("--cases", type=int, default=300)

    def handle(self, *args, **options):
        if options["logins"]:
            self.stdout.write(
                f"Logins de demonstração (senha: {services.DEMO_PASSWORD}; na primeira "
                "entrada, cadastre o código QR num aplicativo autenticador):"
            )
            for username, label in services.demo_logins():
                self.stdout.write(f"  {username:<24} {label}")
            return
        if options["once"] and services.is_loaded():
            self.stdout.write("Demo já carregada.")
            return
        created = services.load_demo(cases=options["cases"])
        self.stdout.write(self.style.SUCCESS(
            f"Demo carregada: {created['channels']} canais, {created['users']} usuários, "
            f"{created['cases']} atendimentos novos, {created['articles']} artigos."
        ))
