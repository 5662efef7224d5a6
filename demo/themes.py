"""The demo audits' learning themes (issue 14): tagged from the words each audit's strengths and areas
for improvement were written with, so the tags and the text agree, and confirmed by the moderator where a
moderation was recorded; each action takes the theme its words are about.

No random draws are taken here, so adding this step leaves the rest of the demo exactly as it was.
"""

from __future__ import annotations

from actions.models import Action
from audits.models import Audit, AuditTheme, Theme, ThemeKind
from audits.theme_services import theme_update, themes_ensure
from demo.data import ACTION_TEXTS, IMPROVEMENTS, STRENGTHS
from demo.state import Demo

# The demo council's improvement plan: its strands and the themes each holds (the rest belong to none).
STRANDS = {
    "Chronologies": "Recording and management oversight",
    "Case summaries": "Recording and management oversight",
    "Management oversight and supervision": "Recording and management oversight",
    "Voice of the child": "The child's lived experience",
    "Direct work": "The child's lived experience",
    "SMART plans": "Purposeful planning",
    "Safety and contingency plans": "Purposeful planning",
    "Assessment analysis": "Purposeful planning",
}

# Each sentence of demo.data and the learning themes it is about (the seeds' own list).
STRENGTH_THEMES = dict(
    zip(
        STRENGTHS,
        (
            ["Voice of the child"],
            [],
            ["Life story work"],
            ["Management oversight and supervision", "Risk and threshold decisions"],
            ["Direct work"],
        ),
        strict=True,
    )
)
IMPROVEMENT_THEMES = dict(
    zip(
        IMPROVEMENTS,
        (
            ["Chronologies", "Case summaries"],
            ["SMART plans"],
            ["Voice of the child"],
            ["Management oversight and supervision"],
            ["Risk and threshold decisions", "Assessment analysis"],
        ),
        strict=True,
    )
)
ACTION_THEMES = dict(
    zip(
        ACTION_TEXTS,
        (
            "Chronologies",
            "SMART plans",
            "Voice of the child",
            "Assessment analysis",
            "Management oversight and supervision",
            None,
            "Permanence",
            "Direct work",
        ),
        strict=True,
    )
)


def _found(text: str, themes: dict[str, list[str]]) -> list[str]:
    return [name for sentence, names in themes.items() if sentence in text for name in names]


def build_themes(demo: Demo) -> None:
    """Tag every audit that has its strengths and improvements written, and theme the actions (bulk)."""
    names = {name for names in (*STRENGTH_THEMES.values(), *IMPROVEMENT_THEMES.values()) for name in names}
    names |= {name for name in ACTION_THEMES.values() if name}
    ids = themes_ensure(names=sorted(names | set(STRANDS)))
    for theme in Theme.objects.filter(pk__in=[ids[name.lower()] for name in STRANDS]).order_by("pk"):
        theme_update(theme=theme, name=theme.name, strand=STRANDS[theme.name], by=demo.people["quality"])
    tags = []
    for audit in demo.audits:
        if not audit.strengths or audit.status not in (Audit.Status.SUBMITTED, Audit.Status.SENT_BACK):
            continue
        plan = demo.moderation.get(audit.pk)  # keyed by id once the audits are saved (demo.months)
        confirmed_by = plan.moderator if plan is not None and plan.completed else None
        for kind, text, themes in (
            (ThemeKind.STRENGTH, audit.strengths, STRENGTH_THEMES),
            (ThemeKind.IMPROVEMENT, audit.improvements, IMPROVEMENT_THEMES),
        ):
            for name in dict.fromkeys(_found(text, themes)):
                tags.append(AuditTheme(audit=audit, theme_id=ids[name.lower()], kind=kind, confirmed_by=confirmed_by))
    AuditTheme.objects.bulk_create(tags, batch_size=1000)
    # The demo is only built into an empty database (demo.authority refuses otherwise), so every action is its own.
    for theme_name in sorted({name for name in ACTION_THEMES.values() if name}):
        descriptions = [text for text, name in ACTION_THEMES.items() if name == theme_name]
        Action.objects.filter(description__in=descriptions, theme=None).update(theme_id=ids[theme_name.lower()])
