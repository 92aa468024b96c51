"""``balcao deadline``: compute a due date with a named policy (see docs/deadlines.md).

    balcao deadline --policy lai --received 2025-03-28T10:15:00-03:00 [--extended] [--json]
    balcao deadline --batch PATH      # JSON Lines; PATH or - for standard input

A thin wrapper: the whole command is ``balcao.deadlines.batch.run_cli``.
"""

import sys

from django.core.management.base import BaseCommand

from balcao.deadlines.batch import run_cli


class Command(BaseCommand):
    help = "Compute a deadline (prazo) with a policy; --batch for JSON Lines."

    def run_from_argv(self, argv):
        # Our own argparse (in the pure module) reads the arguments as they are.
        sys.stdout.flush()
        code = run_cli(argv[2:], sys.stdin, sys.stdout, sys.stderr)
        sys.stdout.flush()
        sys.exit(code)

    def handle(self, *args, **options):  # pragma: no cover — run_from_argv does the work
        return None
