from django.db.models import Q, QuerySet

from people.models import Team, User


def teams_managed_by(user: User) -> QuerySet[Team]:
    """Teams the user manages or heads (a manager's view of the world)."""
    return Team.objects.filter(Q(manager=user) | Q(head_of_service=user))


def staff_choices() -> QuerySet[User]:
    """Active staff, for owner and auditor pickers."""
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
