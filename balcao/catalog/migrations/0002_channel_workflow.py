"""A channel names the workflow its cases follow (a back-reference to the case core by
name: cases 0001 needs the catalogue's channels first)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="workflow",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="cases.workflow",
                verbose_name="fluxo de estados",
            ),
        ),
    ]
