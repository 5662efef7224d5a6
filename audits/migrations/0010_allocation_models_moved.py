"""MonthPlan, ProposedAllocation, Exemption (and its history) and ReturnReminder now live in the allocation app
(issue 11). Their tables stay; nothing is copied.

The audit's foreign keys are re-pointed and the models leave this app's state without touching the database.
Content types are renamed, so admin log entries, permissions and their grants keep pointing at the same model.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("monthplan", "proposedallocation", "exemption", "historicalexemption", "returnreminder")


def move_content_types(apps, schema_editor, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        old = content_types.filter(app_label=from_label, model=model)
        if not old.exists():
            continue  # A new database: the content types are made after migrating, under the new label.
        # Only after a migrate stopped half way can the new label exist already; the old row, which log entries
        # and permission grants point at, is the one to keep.
        content_types.filter(app_label=to_label, model=model).delete()
        old.update(app_label=to_label)


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "audits", "allocation")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "allocation", "audits")


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0009_child_moved_to_caseload'),
        ('allocation', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='audit',
                    name='plan',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audits', to='allocation.monthplan'),
                ),
                migrations.AlterField(
                    model_name='historicalaudit',
                    name='plan',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='allocation.monthplan'),
                ),
                migrations.AlterField(
                    model_name='audit',
                    name='exemption',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audits', to='allocation.exemption'),
                ),
                migrations.AlterField(
                    model_name='historicalaudit',
                    name='exemption',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='allocation.exemption'),
                ),
                migrations.DeleteModel(name='ProposedAllocation'),
                migrations.DeleteModel(name='HistoricalExemption'),
                migrations.DeleteModel(name='Exemption'),
                migrations.DeleteModel(name='MonthPlan'),
                migrations.DeleteModel(name='ReturnReminder'),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
