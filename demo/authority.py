"""The demo authority that `manage.py seed_demo` builds: people, children and six months of audit history.

Everything is drawn from one seeded random generator, so two runs on empty
databases give the same authority. Dates are relative to the day it runs: the
six months before the current one are history (allocated, returned, moderated,
acted on), and the current month is confirmed with audits still in progress.

Rows are written with `bulk_create` in a few dozen queries, not through the
services one audit at a time: the services would send e-mails (allocation,
moderation, Child of Concern) and take minutes for this much history. To stay
consistent with them the builder
- allocates each month with the real allocation rules (`allocation.rules`);
- sets each final grade by the rule of `audits.grading` (moderator's grade when
  moderation is complete, else the auditor's; tests check every audit);
- raises a Child of Concern for every audit whose grade was ever Inadequate,
  as `actions.services.child_of_concern_evaluate` would;
- stamps every `*_at` guard of a reminder or notification whose moment has
  passed, as if it had been sent then, so the daily jobs do not e-mail the
  whole history on their first run.

The steps, in order: `demo.cast` (people, teams, children, standing
exemptions), `demo.months` (each month's allocation and what became of it),
`demo.scenario` (what each demo sign-in finds), `demo.follow_up` (moderation,
area grades, send-backs, actions, Children of Concern), `demo.themes` (each audit's learning
themes, from its words), `demo.themed` (caseload flags, a themed audit's cohort and a past Practice
Review Week), `demo.early_help` (Early Help's own dip sample, reported apart), `demo.good_practice`
(what made the difference on a few Good audits), then the report targets (through
`manage.py report_targets`); `demo.data` holds the
authority's people, teams and words, `demo.state` what the steps share.
"""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter

from django.core.management import call_command
from django.db.models import Model

from actions.models import Action, ChildOfConcern
from allocation.models import MonthPlan
from audits.models import Audit, AuditTheme, Policy, TemplateVersion
from caseload.models import Child
from common.data_version import data_version_bump
from common.periods import add_months, month_start
from demo.cast import build_children, build_people, build_standing_exemptions
from demo.data import DEMO_USERNAMES, PAST_MONTHS, SEED
from demo.early_help import build_early_help_audits
from demo.follow_up import (
    build_actions,
    build_area_grades,
    build_children_of_concern,
    build_moderations,
    build_send_backs,
)
from demo.good_practice import build_good_practice
from demo.months import build_month
from demo.programmes import build_themed_audit
from demo.scenario import build_scenario
from demo.state import Demo
from demo.themed import build_programmes, build_themed_cohort
from demo.themes import build_themes
from moderation.models import Moderation
from people.models import ServiceArea, Team, User


def demo_exists() -> bool:
    return User.objects.filter(username__in=DEMO_USERNAMES).exists()


def database_has_other_data() -> bool:
    """True when teams, children or audits exist that the demo did not create (a real authority's data)."""
    return Team.objects.exists() or Child.objects.exists() or Audit.objects.exists()


def build_demo(*, today: datetime.date, seed: int = SEED) -> dict[str, int]:
    """Create the whole demo authority (call inside a transaction) and return counts of what was made."""
    template = TemplateVersion.objects.filter(is_current=True, programme__kind="monthly").first()
    if template is None:
        raise RuntimeError("No current practice-area template: run the migrations first.")
    demo = Demo(today=today, rng=random.Random(seed), policy=Policy.current(), template=template)
    demo.areas = list(template.areas.all())
    build_people(demo)
    build_children(demo)
    build_standing_exemptions(demo)
    current = month_start(today)
    for offset in range(PAST_MONTHS, -1, -1):
        build_month(demo, add_months(current, -offset))
    build_scenario(demo)
    build_moderations(demo)
    build_area_grades(demo)
    build_send_backs(demo)
    build_actions(demo)
    build_themes(demo)
    build_children_of_concern(demo)
    programmes = build_programmes(demo)
    apply_backdates(demo)
    build_themed_cohort(demo, build_themed_audit(demo, seed=seed + 13))
    build_report_targets()
    good_practice = build_good_practice(demo)
    build_early_help_audits(demo, seed=seed + 17)
    statuses = Counter(audit.status for audit in demo.audits)
    # Built by bulk statements, which send no signals: no report cached before the demo may be served after it.
    data_version_bump()
    return {
        "service areas": ServiceArea.objects.count(),
        "teams": len(demo.teams),
        "staff": len(demo.people),
        "children": Child.objects.count(),
        "months planned": MonthPlan.objects.count(),
        "audits": len(demo.audits),
        **{f"audits {Audit.Status(s).label.lower()}": n for s, n in sorted(statuses.items())},
        "moderations": Moderation.objects.count(),
        "actions": Action.objects.count(),
        "learning-theme tags": AuditTheme.objects.count(),
        "good practice recorded": good_practice,
        "children of concern": ChildOfConcern.objects.count(),
        **programmes,
    }


# The targets the demo's reports measure against (domain.md: "2 audits per team per month").
DEMO_TARGETS = {
    "returns": "90",
    "inadequate_below": "10",
    "audits_per_team": "2",
    "moderator_effect": ("10", "15"),
    "actions_on_time": "80",
}


def build_report_targets() -> None:
    """The QA team's targets, set through the reports app's own command (demo and reports are siblings: neither
    imports the other), so its service writes them with their history."""
    options = []
    for name, value in DEMO_TARGETS.items():
        options += [f"--{name.replace('_', '-')}", *(value if isinstance(value, tuple) else (value,))]
    call_command("report_targets", *options, verbosity=0, stdout=io.StringIO())


def apply_backdates(demo: Demo) -> None:
    """`auto_now_add` columns are set to the moment of insert; put back when each thing actually happened."""
    by_model: dict[tuple[type[Model], str], list[Model]] = {}
    for model, row, field_name, value in demo.backdates:
        setattr(row, field_name, value)
        by_model.setdefault((model, field_name), []).append(row)
    for (model, field_name), rows in by_model.items():
        model.objects.bulk_update(rows, [field_name], batch_size=500)
