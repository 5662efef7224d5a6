"""Writes for moderation: sampling, assignment, re-grading, finalisation and the third check.

Sampling happens as audits arrive (`moderation_consider`, called by `audit_submit`
inside its transaction), so moderators can start while the month is still open.
The outcome of a moderation is derived from the two grades, never typed, and the
final grade is always decided by `audits.grading.audit_set_final_grade`.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from audits.models import Audit, Grade, Policy
from moderation.models import Moderation
from people.models import User


class ModerationError(Exception):
    """A moderation change that the rules do not allow; the message is shown to the user."""


def sample_score(*, audit: Audit) -> int:
    """A stable number from 0 to 9999 for the audit, so the random sample is reproducible.

    It depends only on the audit's id and allocation month, never on `random()` or the clock,
    so asking again (or re-running a month) always gives the same answer.
    """
    digest = hashlib.sha256(f"moderation-sample:{audit.pk}:{audit.month:%Y-%m}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10000


def sample_reason_for(*, audit: Audit, policy: Policy) -> str | None:
    """Which sampling rule (if any) picks this submitted audit; mandatory rules take precedence."""
    if policy.sample_all_inadequate and audit.auditor_grade == Grade.INADEQUATE:
        return Moderation.SampleReason.INADEQUATE
    if policy.sample_all_at_risk and audit.at_risk:
        return Moderation.SampleReason.AT_RISK
    if policy.new_auditor_threshold:
        # Submitted audits before this one; a returned audit sent back and resubmitted counts once.
        earlier = Audit.objects.returned().filter(auditor_id=audit.auditor_id).exclude(pk=audit.pk).count()
        if earlier < policy.new_auditor_threshold:
            return Moderation.SampleReason.NEW_AUDITOR
    if sample_score(audit=audit) < policy.sample_percent * 100:
        return Moderation.SampleReason.RANDOM
    return None


def moderator_candidates(*, audit: Audit) -> list[User]:
    """Active moderators who may moderate this audit, least loaded first for the audit's month.

    Never the auditor, the child's social worker, or the manager or head of service of the
    audit's team (a conflict of interest). Load is the number of distinct auditors whose
    audits the moderator has in that month, then the number of such audits, then the
    moderator's whole open queue; ties are broken by username so the choice is deterministic.
    """
    excluded = {audit.auditor_id, audit.social_worker_id, audit.team.manager_id, audit.team.head_of_service_id}
    excluded.discard(None)
    in_month = Q(moderations__audit__month=audit.month) & ~Q(moderations__status=Moderation.Status.REMOVED)
    return list(
        User.objects.filter(is_moderator=True, is_active=True)
        .exclude(pk__in=excluded)
        .annotate(
            month_auditors=Count("moderations__audit__auditor", filter=in_month, distinct=True),
            month_audits=Count("moderations", filter=in_month, distinct=True),
            open_audits=Count("moderations", filter=Q(moderations__status=Moderation.Status.ASSIGNED), distinct=True),
            has_this_auditor=Count(
                "moderations", filter=in_month & Q(moderations__audit__auditor=audit.auditor_id), distinct=True
            ),
        )
        .order_by("month_auditors", "month_audits", "open_audits", "username")
    )


def moderator_choose(*, audit: Audit, policy: Policy) -> User | None:
    """Pick the moderator for a sampled audit, keeping each moderator to about N auditors a month.

    An auditor whose audit is already with a moderator this month stays with that moderator,
    so each moderator follows a small set of auditors; otherwise the least-loaded moderator
    with room (fewer than `auditors_per_moderator` auditors) is chosen, and when everyone is
    full the least loaded overall, because a late moderation is worse than an uneven one.
    """
    candidates = moderator_candidates(audit=audit)
    if not candidates:
        return None
    for moderator in candidates:
        if moderator.has_this_auditor:
            return moderator
    with_room = [m for m in candidates if m.month_auditors < policy.auditors_per_moderator]
    return (with_room or candidates)[0]


def _due_on(policy: Policy) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=policy.moderation_days)


@transaction.atomic
def moderation_consider(*, audit: Audit) -> Moderation | None:
    """Apply the sampling rules to a just-submitted audit; return its moderation if it is sampled.

    Idempotent: an audit considered before (for example, resubmitted after a send-back)
    keeps its first decision, and a moderation the QA team removed is not recreated.
    """
    existing = Moderation.objects.filter(audit=audit).first()
    if existing is not None:
        return None if existing.status == Moderation.Status.REMOVED else existing
    policy = Policy.current()
    reason = sample_reason_for(audit=audit, policy=policy)
    if reason is None:
        return None
    return _moderation_create(audit=audit, reason=reason, policy=policy)


def _moderation_create(*, audit: Audit, reason: str, policy: Policy) -> Moderation:
    moderator = moderator_choose(audit=audit, policy=policy)
    try:
        # A savepoint, so a concurrent consider of the same audit loses cleanly to the unique audit link.
        with transaction.atomic():
            return Moderation.objects.create(
                audit=audit,
                sample_reason=reason,
                moderator=moderator,
                assigned_at=timezone.now() if moderator else None,
                due_on=_due_on(policy) if moderator else None,
            )
    except IntegrityError:
        return Moderation.objects.get(audit=audit)
