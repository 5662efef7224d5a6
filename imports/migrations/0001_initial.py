"""ImportRun moves here from the audits app (issue 11). Its table stays where it is.

State only: the rows never move. `audits.0011_import_run_moved` removes the model from the audits app's state
and renames its content type.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The table was made by the audits app's migrations.
        ('audits', '0010_allocation_models_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ImportRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('audits_file', models.FileField(upload_to='imports/')),
                        ('audits_filename', models.CharField(max_length=255)),
                        ('actions_file', models.FileField(blank=True, upload_to='imports/')),
                        ('actions_filename', models.CharField(blank=True, max_length=255)),
                        ('status', models.CharField(choices=[('checking', 'Checking the files'), ('previewed', 'Checked, awaiting confirmation'), ('running', 'Importing'), ('done', 'Imported'), ('failed', 'Failed')], default='previewed', max_length=10)),
                        ('rows_total', models.PositiveIntegerField(default=0)),
                        ('rows_done', models.PositiveIntegerField(default=0)),
                        ('counts', models.JSONField(blank=True, default=dict)),
                        ('problems', models.JSONField(blank=True, default=list)),
                        ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'audits_importrun',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
        ),
    ]
