"""Child and its history now live in the caseload app (issue 11). Their tables stay; nothing is copied.

The foreign keys are re-pointed and the models leave this app's state without touching the database. Content
types are renamed, so admin log entries, permissions and their grants keep pointing at the same model.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("child", "historicalchild")


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
    move_content_types(apps, schema_editor, "audits", "caseload")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "caseload", "audits")


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0008_return_reminder'),
        ('caseload', '0001_initial'),
        # Every foreign key to Child is re-pointed before the model leaves this app's state.
        ('actions', '0008_child_moved_to_caseload'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='audit',
                    name='child',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='audits', to='caseload.child'),
                ),
                migrations.AlterField(
                    model_name='historicalaudit',
                    name='child',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='caseload.child'),
                ),
                migrations.AlterField(
                    model_name='proposedallocation',
                    name='child',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='caseload.child'),
                ),
                migrations.DeleteModel(name='HistoricalChild'),
                migrations.DeleteModel(name='Child'),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
