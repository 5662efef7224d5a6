"""The demo's good practice (issue 14, seed 000 section 1.5): on a few audits graded Good or Outstanding in the
last two finished months, what the social worker told the QA team made the difference, tagged with themes.

Recorded through the QA team's own service (`audits.good_practice_services.good_practice_record`), as the
QA officer, so each record has its history like one typed on the page.
"""

from __future__ import annotations

from audits.good_practice_services import good_practice_record
from audits.models import GOOD_PRACTICE_GRADES, Audit
from audits.theme_services import themes_ensure
from common.periods import add_months, month_start
from demo.state import Demo

# What social workers said made the difference (the themes of seed 000's section 1.5), and the themes it shows.
WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Making time to get to know the young person and their family, and working from their strengths rather "
        "than the concerns alone: the relationship is what made the plan work.",
        ("Direct work", "Voice of the child"),
    ),
    (
        "Understanding the whole family system: how the parents' own experiences shape their parenting now, "
        "and using that in the assessment and the plan.",
        ("Assessment analysis",),
    ),
    (
        "Persisting when the family did not engage at first, and having reflective supervision to think about "
        "other ways of working when change was not being seen.",
        ("Management oversight and supervision", "Direct work"),
    ),
    (
        "Close co-ordination with Youth Support Services, so the young person knew who to go to and when.",
        ("SMART plans",),
    ),
    (
        "Keeping the chronology up to date after every visit, so the manager and the IRO could see the pattern "
        "straight away.",
        ("Chronologies",),
    ),
)
PER_MONTH = 3


def build_good_practice(demo: Demo) -> int:
    """Good practice on the first few Good or Outstanding audits of each of the last two finished months."""
    quality = demo.people["quality"]
    names = sorted({name for _words, themes in WORDS for name in themes})
    ids = themes_ensure(names=names)
    last = add_months(month_start(demo.today), -1)
    chosen: list[Audit] = []
    for month in (add_months(last, -1), last):
        chosen += list(
            Audit.objects.returned()
            .filter(pk__in=[audit.pk for audit in demo.audits], month=month, final_grade__in=GOOD_PRACTICE_GRADES)
            .order_by("pk")[:PER_MONTH]
        )
    for index, audit in enumerate(chosen):
        words, themes = WORDS[index % len(WORDS)]
        good_practice_record(audit=audit, text=words, theme_ids=[ids[n.lower()] for n in themes], by=quality)
    return len(chosen)
