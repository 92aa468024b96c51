"""The ``balcao`` console command: Django's management entry point.

``balcao migrate``, ``balcao runserver`` and Balcão's own commands
(``balcao demo``, ``balcao deadline``, …) all go through here.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.argv[1:3] == ["mail", "parse"]:
        # Pure: no settings, database or secret, and nothing written (contracts/mail.md).
        from balcao.mail import cli

        sys.exit(cli.main(sys.argv[3:]))
    from balcao import localstate

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
    localstate.prepare()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["balcao", *sys.argv[1:]])


if __name__ == "__main__":
    main()
