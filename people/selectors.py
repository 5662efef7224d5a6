from django.db.models import Prefetch, Q, QuerySet

from people.models import Team, User


def teams_managed_by(user: User) -> QuerySet[Team]:
    """Teams the user manages or heads (a manager's view of the world)."""
    return Team.objects.filter(Q(manager=user) | Q(head_of_service=user))


def staff_choices() -> QuerySet[User]:
    """Active staff, for owner pickers, sorted by surname, with their teams for `staff_choice_label`.

    Administrator accounts with no team and no role (the break-glass superuser, an IT account) own no
    actions, so they are left out of the lists.
    """
    return (
        User.objects.filter(is_active=True)
        .exclude(
            Q(is_superuser=True) | Q(is_staff=True),
            teams__isnull=True,
            is_auditor=False,
            is_moderator=False,
            is_quality=False,
            is_manager=False,
        )
        .order_by("last_name", "first_name", "username")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
    )


def staff_choice_label(user: User) -> str:
    """A person as a picker sorted by surname shows them: "Khan, Aisha — Advanced Practitioner (Children in Care)".

    Surname first, so the order of the list is visible; job title and teams tell apart two people of
    the same name. Expects the teams prefetched, as `staff_choices` does.
    """
    if user.last_name and user.first_name:
        name = f"{user.last_name}, {user.first_name}"
    else:
        name = user.get_full_name() or user.username
    teams = ", ".join(team.name for team in user.teams.all())
    role = f"{user.job_title} ({teams})" if user.job_title and teams else user.job_title or teams
    return f"{name} — {role}" if role else name


def staff_with_email(email: str) -> QuerySet[User]:
    """Everyone on the staff list with this e-mail address, in any letter case, active or not."""
    return User.objects.filter(email__iexact=email).order_by("pk")
