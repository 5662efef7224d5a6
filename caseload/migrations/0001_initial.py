"""Child and its history move here from the audits app (issue 11). Their tables stay where they are.

State only: the rows never move. `audits.0009_child_moved_to_caseload` re-points the foreign keys, removes the
models from the audits app's state and renames their content types.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The tables were made by the audits app's migrations.
        ('audits', '0008_return_reminder'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalChild',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('case_ref', models.CharField(db_index=True, max_length=40, verbose_name='case reference')),
                        ('legal_status', models.CharField(choices=[('ASSESSMENT', 'Assessment'), ('CIN', 'Child in Need'), ('CP', 'Child Protection'), ('CLA', 'Child Looked After'), ('CARE_LEAVER', 'Care Leaver'), ('CWD', 'Disabled Children')], max_length=12)),
                        ('is_open', models.BooleanField(default=True)),
                        ('opened_on', models.DateField(blank=True, null=True)),
                        ('closed_on', models.DateField(blank=True, null=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('social_worker', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('team', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='people.team')),
                    ],
                    options={
                        'verbose_name': 'historical child',
                        'verbose_name_plural': 'historical children',
                        'db_table': 'audits_historicalchild',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Child',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('case_ref', models.CharField(max_length=40, unique=True, verbose_name='case reference')),
                        ('legal_status', models.CharField(choices=[('ASSESSMENT', 'Assessment'), ('CIN', 'Child in Need'), ('CP', 'Child Protection'), ('CLA', 'Child Looked After'), ('CARE_LEAVER', 'Care Leaver'), ('CWD', 'Disabled Children')], max_length=12)),
                        ('is_open', models.BooleanField(default=True)),
                        ('opened_on', models.DateField(blank=True, null=True)),
                        ('closed_on', models.DateField(blank=True, null=True)),
                        ('social_worker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='caseload', to=settings.AUTH_USER_MODEL)),
                        ('team', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='children', to='people.team')),
                    ],
                    options={
                        'verbose_name_plural': 'children',
                        'db_table': 'audits_child',
                        'ordering': ['case_ref'],
                        'indexes': [models.Index(fields=['team', 'is_open'], name='audits_chil_team_id_379933_idx')],
                    },
                ),
            ],
        ),
    ]
