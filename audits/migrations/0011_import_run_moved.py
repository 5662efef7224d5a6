"""ImportRun now lives in the imports app (issue 11). Its table stays; nothing is copied.

The model leaves this app's state without touching the database, and its content type is renamed so admin log
entries and permissions keep pointing at it.
"""

from django.db import migrations

MOVED = ("importrun",)


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
    move_content_types(apps, schema_editor, "audits", "imports")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "imports", "audits")


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0010_allocation_models_moved'),
        ('imports', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='ImportRun')],
        ),
        migrations.RunPython(forwards, backwards),
    ]
