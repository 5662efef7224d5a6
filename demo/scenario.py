"""The situations each demo sign-in finds: something to do for the QA team, the auditor, the moderator, the manager."""

from __future__ import annotations

import datetime

from audits.grading import audit_final_grade_assign
from audits.models import Audit, Grade
from common.periods import add_months, month_start
from demo.months import _fill_audit, _stamp_due_reminders
from demo.state import Demo, ModerationPlan
from moderation.models import Moderation
from people.models import User


def build_scenario(demo: Demo) -> None:
    """Make sure each demo sign-in has something to do, whatever the random draws gave.

    - `auditor`: their October audit is returned, sampled and waiting for `moderator`;
      their November audit is still a draft (never submitted early, see _play_out).
    - `moderator`: two or three moderations waiting, that one included.
    - `manager`: an open Child of Concern awaiting the team's response (an October
      audit graded Inadequate a few days ago); overdue actions are ensured in build_actions.
    """
    today, previous = demo.today, add_months(month_start(demo.today), -1)
    moderator, auditor = demo.people["moderator"], demo.people["auditor"]
    latest = [a for a in demo.audits if a.month == previous]

    own = next((a for a in latest if a.auditor_id == auditor.pk), None)
    if own is None:
        raise RuntimeError("The demo auditor has no allocation last month; the allocation rules left them out.")
    _resubmit_for_scenario(demo, own, today - datetime.timedelta(days=8), grade=Grade.REQUIRES_IMPROVEMENT)
    demo.moderation[own.pk] = _pending(demo, own, Moderation.SampleReason.RANDOM, moderator)

    manager_teams = {demo.teams["Safeguarding North"].pk, demo.teams["Safeguarding South"].pk}
    concern = next(
        (a for a in latest if a.team_id in manager_teams and a is not own and a.status != Audit.Status.EXEMPTED), None
    )
    if concern is None:
        raise RuntimeError("No allocation last month in the demo manager's teams to raise a Child of Concern on.")
    _resubmit_for_scenario(demo, concern, today - datetime.timedelta(days=3), grade=Grade.INADEQUATE)
    demo.moderation[concern.pk] = _pending(demo, concern, Moderation.SampleReason.INADEQUATE, demo.people["ruth"])
    demo.scenario_concern_audit_id = concern.pk

    # Two more waiting moderations for `moderator`: the latest returned audits not yet moderated.
    candidates = sorted(
        (
            a
            for a in latest
            if a.status == Audit.Status.SUBMITTED
            and a.pk not in (own.pk, concern.pk)
            and not (demo.moderation.get(a.pk) and demo.moderation[a.pk].completed)
        ),
        key=lambda a: (a.submitted_on, a.pk),
        reverse=True,
    )
    for days_ago, audit in zip((4, 2), candidates[:2], strict=False):
        reason = demo.moderation[audit.pk].reason if audit.pk in demo.moderation else Moderation.SampleReason.RANDOM
        demo.moderation[audit.pk] = _pending(demo, audit, reason, moderator)
        # Passed to `moderator` by the QA team this week, so they are not yet due.
        demo.moderation[audit.pk].assigned_on = max(audit.submitted_on, today - datetime.timedelta(days=days_ago))
        audit_final_grade_assign(audit, moderated_grade="")
    Audit.objects.bulk_update(
        [own, concern, *candidates[:2]],
        [
            "status",
            "submitted_on",
            "submitted_at",
            "last_saved_at",
            "auditor_grade",
            "at_risk",
            "final_grade",
            "reminded_before_due_at",
            "reminded_on_due_at",
        ],
    )


def _resubmit_for_scenario(demo: Demo, audit: Audit, submitted: datetime.date, grade: str) -> None:
    """Rewrite one audit as returned late on `submitted` with the auditor's `grade`."""
    if not audit.auditor_grade:
        _fill_audit(demo, audit)
    demo.send_backs = [s for s in demo.send_backs if s.audit is not audit]
    audit.status = Audit.Status.SUBMITTED
    audit.submitted_on = submitted
    audit.submitted_at = demo.at(submitted, 16, 20)
    audit.last_saved_at = audit.submitted_at
    audit.auditor_grade, audit.at_risk = grade, False
    audit_final_grade_assign(audit, moderated_grade="")
    _stamp_due_reminders(demo, audit)


def _pending(demo: Demo, audit: Audit, reason: str, moderator: User) -> ModerationPlan:
    return ModerationPlan(
        reason=reason, moderator=moderator, assigned_on=audit.submitted_on + datetime.timedelta(days=1)
    )
