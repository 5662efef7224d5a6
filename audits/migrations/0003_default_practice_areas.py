"""Version 1 of the practice-area template, from the domain brief, so a new authority can audit at once."""

from django.db import migrations

DEFAULT_AREAS = [
    ("response-to-risk", "Response to risk", "Was risk recognised, assessed and responded to promptly and proportionately?"),
    ("assessment", "Assessment", "Is there an up-to-date, analytical assessment of the child's needs and risks?"),
    ("planning", "Planning", "Is there a SMART plan that addresses the assessed needs and risks?"),
    ("intervention", "Intervention", "Is the help and support making a difference for the child?"),
    ("review", "Review", "Are plans reviewed on time, with progress measured against outcomes?"),
    (
        "voice-of-the-child",
        "Relational practice / voice of the child",
        "Is the child seen, heard and understood, and does their voice shape the plan?",
    ),
    (
        "management-oversight",
        "Management oversight and supervision",
        "Is there regular, reflective supervision and clear management direction on the file?",
    ),
    ("permanence", "Permanence", "Is there a timely plan for emotional, physical and legal permanence?"),
    ("case-recording", "Case recording (chronology, summary)", "Are the chronology and case summary up to date and clear?"),
]


def create_default(apps, schema_editor):
    TemplateVersion = apps.get_model("audits", "TemplateVersion")
    PracticeArea = apps.get_model("audits", "PracticeArea")
    if TemplateVersion.objects.exists():
        return
    version = TemplateVersion.objects.create(number=1, name="Practice areas", is_current=True)
    PracticeArea.objects.bulk_create(
        PracticeArea(template=version, slug=slug, name=name, guidance=guidance, order=i)
        for i, (slug, name, guidance) in enumerate(DEFAULT_AREAS, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("audits", "0002_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
