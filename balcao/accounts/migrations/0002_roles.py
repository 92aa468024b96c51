"""The seven roles as permission groups (accounts.roles names them; the names are copied
here so that editing roles.py never changes what this migration did)."""

from django.db import migrations

ROLES = (
    "agent",
    "supervisor",
    "quality_manager",
    "ombudsman",
    "knowledge_manager",
    "manager",
    "admin",
)


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
