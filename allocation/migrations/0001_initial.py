"""MonthPlan, ProposedAllocation, Exemption (with its history) and ReturnReminder move here from the audits app
(issue 11). Their tables stay where they are.

State only: the rows never move. `audits.0010_allocation_models_moved` re-points the audit's foreign keys,
removes the models from the audits app's state and renames their content types.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('caseload', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The tables were made by the audits app's migrations.
        ('audits', '0009_child_moved_to_caseload'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalExemption',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('standing', 'Standing'), ('month', 'Single month')], max_length=10)),
                        ('month', models.DateField(blank=True, help_text='For a single-month exemption: the month.', null=True)),
                        ('reason', models.CharField(choices=[('moderator', 'Moderating'), ('absence', 'Extended absence'), ('part_time', '0.5 FTE or less (bi-monthly)'), ('other_qa', 'Other QA activity'), ('other', 'Other')], max_length=20)),
                        ('detail', models.TextField(blank=True)),
                        ('approved_by', models.CharField(blank=True, max_length=120, verbose_name='approving director')),
                        ('starts_on', models.DateField(blank=True, null=True)),
                        ('ends_on', models.DateField(blank=True, help_text='Blank: until withdrawn.', null=True)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical exemption',
                        'verbose_name_plural': 'historical exemptions',
                        'db_table': 'audits_historicalexemption',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='MonthPlan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='First day of the month.', unique=True)),
                        ('status', models.CharField(choices=[('draft', 'Proposal'), ('confirmed', 'Confirmed')], default='draft', max_length=10)),
                        ('seed', models.PositiveIntegerField(default=0, help_text='Makes the proposal reproducible.')),
                        ('proposed_at', models.DateTimeField(blank=True, null=True)),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('proposed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'audits_monthplan',
                        'ordering': ['-month'],
                    },
                ),
                migrations.CreateModel(
                    name='Exemption',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('standing', 'Standing'), ('month', 'Single month')], max_length=10)),
                        ('month', models.DateField(blank=True, help_text='For a single-month exemption: the month.', null=True)),
                        ('reason', models.CharField(choices=[('moderator', 'Moderating'), ('absence', 'Extended absence'), ('part_time', '0.5 FTE or less (bi-monthly)'), ('other_qa', 'Other QA activity'), ('other', 'Other')], max_length=20)),
                        ('detail', models.TextField(blank=True)),
                        ('approved_by', models.CharField(blank=True, max_length=120, verbose_name='approving director')),
                        ('starts_on', models.DateField(blank=True, null=True)),
                        ('ends_on', models.DateField(blank=True, help_text='Blank: until withdrawn.', null=True)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exemptions', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'audits_exemption',
                        'ordering': ['-created_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('kind', 'standing'), models.Q(('kind', 'month'), ('month__isnull', False), models.Q(('approved_by', ''), _negated=True)), _connector='OR'), name='single_month_exemption_has_month_and_director')],
                    },
                ),
                migrations.CreateModel(
                    name='ProposedAllocation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('routine', 'Routine'), ('reaudit', 'Re-audit after Inadequate'), ('manual', 'Added by hand')], default='routine', max_length=10)),
                        ('reason', models.CharField(blank=True, max_length=200)),
                        ('auditor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('child', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='caseload.child')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='proposals', to='allocation.monthplan')),
                    ],
                    options={
                        'db_table': 'audits_proposedallocation',
                        'ordering': ['auditor__last_name', 'auditor__first_name', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('plan', 'child'), name='child_once_per_proposal')],
                    },
                ),
                migrations.CreateModel(
                    name='ReturnReminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='First day of the allocation month.')),
                        ('sent_on', models.DateField()),
                        ('sent_at', models.DateTimeField(auto_now_add=True)),
                        ('outstanding', models.PositiveSmallIntegerField(help_text='Audits not yet returned when the reminder was asked for.')),
                        ('emailed_at', models.DateTimeField(blank=True, null=True)),
                        ('auditor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'audits_returnreminder',
                        'ordering': ['-sent_at'],
                        'constraints': [models.UniqueConstraint(fields=('auditor', 'month', 'sent_on'), name='one_return_reminder_a_day')],
                    },
                ),
            ],
        ),
    ]
