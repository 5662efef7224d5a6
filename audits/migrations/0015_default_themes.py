"""The learning themes every seed report lists by hand, so a new authority can tag audits at once.

Each theme gets its first history entry here, so a later rename shows what it was called before.
"""

from django.db import migrations
from django.db.models.functions import Lower
from django.utils import timezone

DEFAULT_THEMES = [
    "Chronologies",
    "Case summaries",
    "Voice of the child",
    "Direct work",
    "Management oversight and supervision",
    "SMART plans",
    "Assessment analysis",
    "Risk and threshold decisions",
    "Permanence",
    "Safety and contingency plans",
    "Life story work",
]


def create_default(apps, schema_editor):
    Theme = apps.get_model("audits", "Theme")
    HistoricalTheme = apps.get_model("audits", "HistoricalTheme")
    have = set(Theme.objects.annotate(key=Lower("name")).values_list("key", flat=True))
    now = timezone.now()
    for name in DEFAULT_THEMES:
        if name.lower() in have:
            continue
        theme = Theme.objects.create(name=name)
        HistoricalTheme.objects.create(
            id=theme.pk,
            name=theme.name,
            strand="",
            is_active=True,
            created_at=theme.created_at,
            history_date=now,
            history_type="+",
            history_change_reason="Default learning themes",
        )


class Migration(migrations.Migration):
    dependencies = [("audits", "0014_learning_themes")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
