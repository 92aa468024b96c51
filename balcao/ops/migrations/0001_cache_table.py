"""The shared cache's table (settings.CACHES["default"] without Redis): rate limits,
throttles and login delays count there for every web process.

Django's own ``createcachetable`` does the work; it creates the table only for caches
configured with the database backend and skips a table that exists, so this is safe with
Redis too. ``balcao serve`` runs it again at start, for a site that moves from Redis to
the database later."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
