"""Queries over audits. Every page that lists or opens audits starts from `audits_visible_to`."""

from django.db.models import Q, QuerySet

from audits.models import Audit
from people.models import User


def audit_scope_q(user: User, prefix: str = "") -> Q:
    """The audits a user may read, as a Q over Audit (or over a relation via `prefix`, e.g. "audit__").

    QA team: all. Auditor: their own. Manager: audits of teams they manage or
    head. Moderator: audits assigned to them for moderation. Several roles add up.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.is_quality:
        # Not an empty Q(): `Q() | Q(x)` is just `Q(x)`, so "everything" must be a real condition
        # that stays "everything" when a caller ORs it with another scope.
        return Q(**{f"{prefix}pk__isnull": False})
    q = Q(**{f"{prefix}auditor": user})
    if user.is_manager:
        q |= Q(**{f"{prefix}team__manager": user}) | Q(**{f"{prefix}team__head_of_service": user})
    if user.is_moderator:
        q |= Q(**{f"{prefix}moderation__moderator": user})
    return q


def audits_visible_to(user: User) -> QuerySet[Audit]:
    # Every join in the scope is to-one (team, moderation), so no row repeats and no DISTINCT is needed.
    return Audit.objects.filter(audit_scope_q(user))
