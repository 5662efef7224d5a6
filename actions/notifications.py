"""E-mails about actions and Children of Concern.

Each function locks the rows it reports on, checks their guard column, sends,
and stamps the guard in the same transaction. A failure to send raises, so the
transaction rolls back (nothing is marked sent) and the Celery task retries
with backoff; what is still unsent is picked up again by the daily job. No
personal data goes to the logs.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ChildOfConcern, ConcernReview, ManagerDigest
from actions.reminders import (
    ACTION_REMINDERS,
    action_reminder_queryset,
    concern_chase_q,
    digest_actions_q,
    week_starting,
)
from audits.models import Policy
from people.models import Team, User


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def _emails(users) -> list[str]:
    return sorted({u.email for u in users if u is not None and u.is_active and u.email})


def _quality_team_emails() -> list[str]:
    return _emails(User.objects.filter(is_quality=True, is_active=True).exclude(email=""))


def _team_emails(team: Team) -> list[str]:
    """The team's manager and head of service; if neither can be reached, the QA team, so nothing is lost."""
    return _emails((team.manager, team.head_of_service)) or _quality_team_emails()


def _send(*, subject: str, template: str, context: dict, recipients: list[str]) -> None:
    send_mail(
        subject=subject,
        message=render_to_string(template, context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def _locked_concern(concern_id: int) -> ChildOfConcern:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (team manager).
    return (
        ChildOfConcern.objects.select_for_update(of=("self",))
        .select_related("audit__team__manager", "audit__team__head_of_service", "audit__auditor", "child")
        .get(pk=concern_id)
    )


def _concern_context(concern: ChildOfConcern) -> dict:
    return {
        "concern": concern,
        "audit": concern.audit,
        "area_grades": concern.audit.area_grades.select_related("area").exclude(grade="na"),
        "url": _absolute(reverse("actions:coc_detail", args=[concern.pk])),
    }


def child_of_concern_notify(*, concern_id: int) -> bool:
    """Send the Child of Concern notification once. Returns False when it was already sent."""
    with transaction.atomic():
        concern = _locked_concern(concern_id)
        if concern.notified_at is not None:
            return False
        team = concern.audit.team
        recipients = _team_emails(team)
        if not recipients:
            return False
        _send(
            subject=f"Child of Concern: {concern.child.case_ref} ({team.name})",
            template="actions/email/child_of_concern.txt",
            context=_concern_context(concern),
            recipients=recipients,
        )
        concern.notified_at = timezone.now()
        concern.save(update_fields=["notified_at"])
    return True


def child_of_concern_chase(*, concern_id: int, kind: str, today: datetime.date) -> bool:
    """Remind the team that the response is due, or escalate it once overdue. Once each per deadline."""
    guard = {"reminder": "reminded_at", "escalation": "escalated_at"}[kind]
    with transaction.atomic():
        if not ChildOfConcern.objects.filter(concern_chase_q(kind, today), pk=concern_id).exists():
            return False
        concern = _locked_concern(concern_id)
        if getattr(concern, guard) is not None or concern.status != ChildOfConcern.Status.AWAITING_RESPONSE:
            return False
        team = concern.audit.team
        if kind == "reminder":
            recipients = _team_emails(team)
            subject = f"Child of Concern response due: {concern.child.case_ref} ({team.name})"
        else:
            recipients = sorted(set(_emails((team.head_of_service,)) + _quality_team_emails()))
            subject = f"Escalation: Child of Concern response overdue: {concern.child.case_ref} ({team.name})"
        if not recipients:
            return False
        _send(
            subject=subject,
            template="actions/email/child_of_concern_chase.txt",
            context={**_concern_context(concern), "kind": kind, "today": today},
            recipients=recipients,
        )
        setattr(concern, guard, timezone.now())
        concern.save(update_fields=[guard])
    return True


def concern_return_notify(*, review_id: int) -> bool:
    """Tell the team the QA team has asked for more, with what is missing and the new deadline."""
    with transaction.atomic():
        review = ConcernReview.objects.select_for_update().select_related("concern").get(pk=review_id)
        if review.notified_at is not None or review.decision != ConcernReview.Decision.RETURNED:
            return False
        concern = _locked_concern(review.concern_id)
        recipients = _team_emails(concern.audit.team)
        if not recipients:
            return False
        _send(
            subject=f"Child of Concern: more needed for {concern.child.case_ref} ({concern.audit.team.name})",
            template="actions/email/child_of_concern_returned.txt",
            context={**_concern_context(concern), "review": review},
            recipients=recipients,
        )
        review.notified_at = timezone.now()
        review.save(update_fields=["notified_at"])
    return True


def _action_rows(queryset):
    return list(
        queryset.select_related("audit__child", "audit__team", "owner")
        .order_by("due_on", "id")
        # Lock only the action rows (see _locked_concern).
        .select_for_update(of=("self",))
    )


def _action_links(actions: list[Action]) -> list[tuple[Action, str]]:
    return [(action, _absolute(reverse("actions:detail", args=[action.pk]))) for action in actions]


def action_reminders_send(*, key: str, user_id: int, today: datetime.date) -> int:
    """One e-mail to one person listing every action this reminder rule now covers for them; returns how many."""
    reminder = ACTION_REMINDERS[key]
    policy = Policy.current()
    with transaction.atomic():
        user = User.objects.get(pk=user_id)
        actions = _action_rows(action_reminder_queryset(key, today, policy).filter(**{reminder.recipient: user}))
        if not actions or not user.email:
            return 0
        _send(
            subject=reminder.subject,
            template="actions/email/action_reminder.txt",
            context={
                "user": user,
                "lead": reminder.lead.format(days=policy.action_escalation_days),
                "rows": _action_links(actions),
                "today": today,
                "tracker": _absolute(reverse("actions:list")),
            },
            recipients=[user.email],
        )
        Action.objects.filter(pk__in=[a.pk for a in actions]).update(**{reminder.guard: timezone.now()})
    return len(actions)


def manager_digest_send(*, manager_id: int, today: datetime.date) -> int:
    """The weekly digest of a team manager's overdue actions; the (manager, week) row makes it once a week."""
    week = week_starting(today)
    with transaction.atomic():
        # Locking the manager's row serialises two runs for the same person, so the second sees the first's digest.
        manager = User.objects.select_for_update().get(pk=manager_id)
        if ManagerDigest.objects.filter(manager=manager, week_starting=week).exists():
            return 0
        actions = list(
            Action.objects.filter(digest_actions_q(today), audit__team__manager=manager)
            .select_related("audit__child", "audit__team", "owner")
            .order_by("due_on", "id")
        )
        if not actions or not manager.is_active or not manager.email:
            return 0
        _send(
            subject=f"Weekly digest: {len(actions)} overdue audit action{'s' if len(actions) != 1 else ''}",
            template="actions/email/action_digest.txt",
            context={
                "user": manager,
                "rows": _action_links(actions),
                "today": today,
                "tracker": _absolute(reverse("actions:list") + "?view=teams&status=overdue"),
            },
            recipients=[manager.email],
        )
        ManagerDigest.objects.create(manager=manager, week_starting=week, actions_count=len(actions))
    return len(actions)
