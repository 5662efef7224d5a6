"""Writes for themed audits, dip samples and practice weeks: a programme's cohort, its sample and its audits.

The QA team saves the cohort's rules (`cohort_save_rules`), draws a sample by count or percentage with a stored
seed, which also proposes an auditor for each child (`cohort_draw_sample`), edits the lines (`sample_line_reassign`,
`sample_line_swap_child`, `sample_line_add`, `sample_line_remove`), and confirms once (`cohort_confirm`): the
programme's audits are created in one transaction. Every change locks the cohort's row and refuses once it is
confirmed, so an edit never lands in a sample being confirmed and two confirmations create one set of audits.

Auditors are chosen under the monthly audit's conflict rules (`allocation.rules.assign_sample`): never a child
of one's own team unless the QA policy allows it, never a child whose social worker one is. Families are not
modelled (the caseload extract has no family key), so siblings are drawn as separate children.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from allocation.cohort_selectors import (
    CohortRules,
    children_in,
    cohort_children,
    is_practice_week,
    programme_month,
    sample_pool,
)
from allocation.models import Cohort, SampleLine
from allocation.rules import assign_sample, draw_sample, due_date, sample_size
from allocation.services import (
    IRO_LEGAL_STATUSES,
    AllocationError,
    LineEditing,
    check_line,
    line_add,
    line_reassign,
    line_remove,
    line_swap_child,
)
from audits.models import Audit, AuditKind, Policy, Programme, TemplateVersion
from caseload.models import Child, LegalStatus
from common.data_version import data_version_bump
from people.models import User


def _cohort_label(cohort: Cohort) -> str:
    return cohort.programme.name


def _lock(cohort: Cohort) -> Cohort:
    """Lock the cohort's row and refuse when its sample is already confirmed."""
    locked = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if locked.status != Cohort.Status.DRAFT:
        raise AllocationError(
            f"The sample of {_cohort_label(locked)} is already confirmed; its audits have been created."
        )
    return locked


def _refuse_monthly(programme: Programme) -> None:
    if programme.is_monthly:
        raise AllocationError("The monthly audit is allocated month by month on the allocation page, not by cohort.")


@transaction.atomic
def cohort_save_rules(
    *,
    programme: Programme,
    by: User,
    legal_statuses: list[str] | tuple[str, ...] = (),
    teams=(),
    service_areas=(),
    flags=(),
    opened_after: datetime.date | None = None,
    opened_before: datetime.date | None = None,
) -> Cohort:
    """Save the rules that select the programme's cohort. A sample drawn under other rules is dropped."""
    _refuse_monthly(programme)
    unknown = sorted(set(legal_statuses) - set(LegalStatus.values))
    if unknown:
        raise AllocationError({"legal_statuses": f"Unknown legal status: {', '.join(unknown)}."})
    if opened_after and opened_before and opened_before <= opened_after:
        raise AllocationError({"opened_before": "“Opened before” must be later than “opened on or after”."})
    cohort, _ = Cohort.objects.get_or_create(programme=programme)
    cohort = _lock(cohort)
    before = CohortRules.of(cohort)
    cohort.legal_statuses = sorted(set(legal_statuses))
    cohort.opened_after, cohort.opened_before = opened_after, opened_before
    cohort.save(update_fields=["legal_statuses", "opened_after", "opened_before"])
    cohort.teams.set(teams)
    cohort.service_areas.set(service_areas)
    cohort.flags.set(flags)
    if CohortRules.of(cohort) != before:
        SampleLine.objects.filter(cohort=cohort).delete()
        cohort.seed = cohort.size_when_drawn = cohort.drawn_at = cohort.drawn_by = None
        cohort.save(update_fields=["seed", "size_when_drawn", "drawn_at", "drawn_by"])
    return cohort


def cohort_draw_sample(
    *, cohort: Cohort, by: User, count: int | None = None, percent: int | None = None, seed: int | None = None
) -> Cohort:
    """Draw (or draw again) the sample: `count` children or `percent` of the cohort, at random with `seed`, each
    with a proposed auditor. The same caseload, rules and seed give the same children. Replaces the lines."""
    if (count is None) == (percent is None):
        raise AllocationError("Ask for a number of children or a percentage of the cohort, not both.")
    if seed is None:
        # Six digits: short enough for a person to note down and type in again.
        seed = secrets.randbelow(1_000_000)
    policy = Policy.current()
    today = timezone.localdate()
    with transaction.atomic():
        cohort = _lock(cohort)
        ids = list(cohort_children(CohortRules.of(cohort)).values_list("id", flat=True))
        if not ids:
            raise AllocationError("The cohort has no children: change its rules first.")
        size = sample_size(len(ids), count=count, percent=percent)
        if size == 0:
            raise AllocationError({"count": "Ask for at least one child."})
        drawn = draw_sample(ids, size, seed)
        auditors = assign_sample(
            children=children_in(drawn), auditors=sample_pool(cohort.programme, policy, today), seed=seed
        )
        SampleLine.objects.filter(cohort=cohort).delete()
        SampleLine.objects.bulk_create(
            SampleLine(
                cohort=cohort,
                child_id=child_id,
                auditor_id=auditors.get(child_id),
                kind=AuditKind.ROUTINE,
                reason=f"drawn at random (sample number {seed})",
            )
            for child_id in drawn
        )
        cohort.seed, cohort.size_when_drawn = seed, len(ids)
        cohort.drawn_at, cohort.drawn_by = timezone.now(), by
        cohort.save(update_fields=["seed", "size_when_drawn", "drawn_at", "drawn_by"])
    return cohort


def _check_line(cohort: Cohort, *, auditor: User, child: Child, line: SampleLine | None) -> None:
    """The rules of a line of the sample: `check_line`'s (a practice week's people need not be auditors), and
    the child in the cohort."""

    def refuse_outside_cohort(child: Child) -> None:
        if not cohort_children(CohortRules.of(cohort)).filter(pk=child.pk).exists():
            raise AllocationError({"child": f"{child.case_ref} is not in the cohort: it does not meet its rules."})

    check_line(
        auditor=auditor,
        child=child,
        may_audit=auditor.is_auditor or is_practice_week(cohort.programme),
        lines=SampleLine.objects.filter(cohort=cohort),
        line=line,
        draft_name="the sample",
        refuse_child=refuse_outside_cohort,
    )


SAMPLE_LINES = LineEditing(model=SampleLine, parent="cohort", lock=_lock, check=_check_line)


def _get_or_create_cohort(programme: Programme) -> Cohort:
    _refuse_monthly(programme)
    cohort, _ = Cohort.objects.get_or_create(programme=programme)
    return cohort


@transaction.atomic
def sample_line_reassign(*, line: SampleLine, auditor: User, by: User) -> SampleLine:
    """Give the line's child to another person; why the child was chosen stays."""
    return line_reassign(SAMPLE_LINES, line=line, auditor=auditor)


@transaction.atomic
def sample_line_swap_child(*, line: SampleLine, child: Child, by: User) -> SampleLine:
    """Put another child of the cohort, chosen by hand, in the line's place."""
    return line_swap_child(SAMPLE_LINES, line=line, child=child, by=by)


@transaction.atomic
def sample_line_add(*, programme: Programme, auditor: User, child: Child, by: User) -> SampleLine:
    """Give a person a child of the cohort by hand (how a practice week's audits are usually handed out)."""
    return line_add(SAMPLE_LINES, parent=_get_or_create_cohort(programme), auditor=auditor, child=child, by=by)


@transaction.atomic
def sample_line_remove(*, line: SampleLine, by: User) -> None:
    line_remove(SAMPLE_LINES, line=line)


def cohort_confirm(*, cohort: Cohort, by: User) -> list[Audit]:
    """Create the programme's audits from the sample, once.

    The conditional UPDATE on status=draft is the lock: of two QA officers confirming at once, the second waits
    for the first to commit, then updates no row and is told the sample is already confirmed. The audits belong
    to the month the programme starts in and are due when it ends (or on the QA policy's day of that month).
    """
    policy = Policy.current()
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        won = Cohort.objects.filter(pk=cohort.pk, status=Cohort.Status.DRAFT).update(
            status=Cohort.Status.CONFIRMED, confirmed_at=now, confirmed_by=by
        )
        if not won:
            raise AllocationError(f"The sample of {_cohort_label(cohort)} is already confirmed.")
        programme = Programme.objects.get(pk=cohort.programme_id)
        lines = list(
            SampleLine.objects.filter(cohort=cohort)
            .select_related("auditor", "child__team")
            .order_by("auditor_id", "child__case_ref")
        )
        if not lines:
            raise AllocationError("There is nothing to confirm: draw the sample (or add children) first.")
        month = programme_month(programme, today)
        problems = [f"{line.child.case_ref} has no auditor." for line in lines if line.auditor is None]
        problems += [
            f"{line.auditor} can no longer sign in." for line in lines if line.auditor and not line.auditor.is_active
        ]
        problems += [f"{line.child.case_ref} has been closed." for line in lines if not line.child.is_open]
        taken = set(
            Audit.objects.filter(
                month=month, child_id__in=[line.child_id for line in lines], external_ref__isnull=True
            ).values_list("child_id", "auditor_id")
        )
        problems += [
            f"{line.auditor} already audits {line.child.case_ref} in {month:%B %Y}."
            for line in lines
            if (line.child_id, line.auditor_id) in taken
        ]
        if problems:
            raise AllocationError([*problems, "Change or remove those lines, then confirm again."])
        template = TemplateVersion.objects.filter(programme=programme, is_current=True).first()
        if template is None:
            raise AllocationError(
                f"{programme.name} has no published practice-area template; publish its questions before confirming."
            )
        due_on = programme.ends_on or due_date(month, policy.due_day)
        audits = [
            Audit(
                programme=programme,
                month=month,
                plan=None,
                auditor=line.auditor,
                child=line.child,
                team=line.child.team,
                service_area_id=line.child.team.service_area_id,
                legal_status=line.child.legal_status,
                social_worker_id=line.child.social_worker_id,
                template=template,
                due_on=due_on,
                kind=line.kind,
                allocation_reason=f"{programme.name}: {line.reason}"[:200],
                contact_child=True,
                contact_parents=line.child.legal_status != LegalStatus.CARE_LEAVER,
                contact_iro=line.child.legal_status in IRO_LEGAL_STATUSES,
            )
            for line in lines
        ]
        audits = bulk_create_with_history(
            audits, Audit, default_user=by, default_change_reason=f"{programme.name}: sample confirmed"
        )
        data_version_bump()

        from allocation.tasks import notify_programme_allocation

        # One task for the programme, queued after the commit so the worker finds the audits.
        transaction.on_commit(lambda: notify_programme_allocation.delay(programme.pk))
    cohort.status, cohort.confirmed_at, cohort.confirmed_by = Cohort.Status.CONFIRMED, now, by
    return audits
