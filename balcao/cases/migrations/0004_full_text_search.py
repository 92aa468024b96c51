from django.db import migrations


def install(apps, schema_editor):
    from balcao.cases import search

    search.install(schema_editor)


def uninstall(apps, schema_editor):
    from balcao.cases import search

    search.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_builtin_workflows")]

    operations = [migrations.RunPython(install, uninstall)]
