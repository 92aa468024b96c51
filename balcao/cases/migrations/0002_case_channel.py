"""The case's channel and service, added once the catalogue exists: a channel names the
workflow its cases follow (catalog.Channel.workflow → cases.Workflow), so the two apps'
tables are created in three steps (cases 0001, catalog 0001, this)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0001_initial'),
        ('catalog', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='channel',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='catalog.channel', verbose_name='canal'),
        ),
        migrations.AddField(
            model_name='case',
            name='service',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='catalog.service', verbose_name='serviço'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='cases.case'),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='history', to='cases.case'),
        ),
        migrations.AddField(
            model_name='deadlinealert',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deadline_alerts', to='cases.case'),
        ),
        migrations.AddField(
            model_name='deadlineextension',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deadline_extensions', to='cases.case'),
        ),
        migrations.AddField(
            model_name='deadlineextension',
            name='user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='deadlinepause',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deadline_pauses', to='cases.case'),
        ),
        migrations.AddField(
            model_name='message',
            name='author_user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='message',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='cases.case'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='message',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='cases.message'),
        ),
        migrations.AddField(
            model_name='case',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='cases.organisation', verbose_name='organização'),
        ),
        migrations.AddField(
            model_name='requester',
            name='linked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='requester',
            name='linked_to',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='linked_contacts', to='cases.requester', verbose_name='vinculado a'),
        ),
        migrations.AddField(
            model_name='requester',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='cases.organisation', verbose_name='organização'),
        ),
        migrations.AddField(
            model_name='representation',
            name='representative',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='represents', to='cases.requester'),
        ),
        migrations.AddField(
            model_name='representation',
            name='requester',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='representations', to='cases.requester'),
        ),
        migrations.AddField(
            model_name='case',
            name='representative',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='represented_cases', to='cases.requester', verbose_name='procurador'),
        ),
        migrations.AddField(
            model_name='case',
            name='requester',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.requester', verbose_name='requerente'),
        ),
        migrations.AddField(
            model_name='case',
            name='state',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='cases.state', verbose_name='situação'),
        ),
        migrations.AddField(
            model_name='case',
            name='tags',
            field=models.ManyToManyField(blank=True, to='cases.tag', verbose_name='etiquetas'),
        ),
        migrations.AddField(
            model_name='team',
            name='last_assigned',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='case',
            name='team',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='cases.team', verbose_name='equipe'),
        ),
        migrations.AddField(
            model_name='teammembership',
            name='team',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='cases.team'),
        ),
        migrations.AddField(
            model_name='teammembership',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='team',
            name='members',
            field=models.ManyToManyField(blank=True, related_name='teams', through='cases.TeamMembership', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='transition',
            name='source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outgoing', to='cases.state'),
        ),
        migrations.AddField(
            model_name='transition',
            name='target',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='incoming', to='cases.state'),
        ),
        migrations.AddField(
            model_name='transition',
            name='workflow',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='cases.workflow'),
        ),
        migrations.AddField(
            model_name='state',
            name='workflow',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='states', to='cases.workflow'),
        ),
        migrations.AddConstraint(
            model_name='deadlinealert',
            constraint=models.UniqueConstraint(fields=('case', 'threshold', 'due_at'), name='one_alert_per_threshold'),
        ),
        migrations.AddConstraint(
            model_name='deadlinepause',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('case',), name='one_open_pause_per_case'),
        ),
        migrations.AddConstraint(
            model_name='representation',
            constraint=models.UniqueConstraint(condition=models.Q(('active', True)), fields=('requester',), name='one_active_representative'),
        ),
        migrations.AddConstraint(
            model_name='representation',
            constraint=models.CheckConstraint(condition=models.Q(('requester', models.F('representative')), _negated=True), name='representative_not_self'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['-created_at', '-id'], name='case_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['state', '-created_at', '-id'], name='case_state_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['team', '-created_at', '-id'], name='case_team_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['assignee', '-created_at', '-id'], name='case_assignee_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['channel', '-created_at', '-id'], name='case_channel_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['due_at'], name='case_due'),
        ),
        migrations.AddConstraint(
            model_name='teammembership',
            constraint=models.UniqueConstraint(fields=('team', 'user'), name='one_membership'),
        ),
        migrations.AddConstraint(
            model_name='transition',
            constraint=models.UniqueConstraint(fields=('source', 'target'), name='one_transition_per_pair'),
        ),
        migrations.AddConstraint(
            model_name='state',
            constraint=models.UniqueConstraint(fields=('workflow', 'slug'), name='state_slug_per_workflow'),
        ),
        migrations.AddConstraint(
            model_name='state',
            constraint=models.UniqueConstraint(condition=models.Q(('is_initial', True)), fields=('workflow',), name='one_initial_state'),
        ),
    ]
