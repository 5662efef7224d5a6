"""The Child of Concern's child is now `caseload.Child` (issue 11 moved the model; its table stays). State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0007_concern_response_draft'),
        ('caseload', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='childofconcern',
                    name='child',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='concerns', to='caseload.child'),
                ),
                migrations.AlterField(
                    model_name='historicalchildofconcern',
                    name='child',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='caseload.child'),
                ),
            ],
        ),
    ]
