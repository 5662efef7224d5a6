"""The moderator confirms or changes the auditor's learning-theme tags when recording a moderation (issue 14)."""

import pytest
from django.urls import reverse

from audits.models import AuditTheme, Theme
from audits.theme_services import audit_themes_set
from moderation.models import Moderation
from moderation.services import ModerationError, moderation_record
from moderation.tests.factories import ModerationFactory
from people.tests.factories import ModeratorFactory

pytestmark = pytest.mark.django_db


def theme(name: str) -> Theme:
    return Theme.objects.get(name=name)


def tags(audit_id: int) -> set[tuple[str, str, int | None]]:
    return set(AuditTheme.objects.filter(audit_id=audit_id).values_list("theme__name", "kind", "confirmed_by"))


@pytest.fixture
def moderation():
    moderation = ModerationFactory(moderator=ModeratorFactory())
    audit_themes_set(audit=moderation.audit, improvement=[theme("Chronologies").pk], strength=[theme("Direct work").pk])
    return moderation


def post(client, moderation, **extra):
    client.force_login(moderation.moderator)
    data = {"grade": "good", "rationale": "", "feedback": "Well evidenced.", "version": "0", **extra}
    return client.post(reverse("moderation:moderate", args=[moderation.pk]), data)


def test_the_form_shows_the_auditors_tags_ticked(client, moderation):
    client.force_login(moderation.moderator)
    page = client.get(reverse("moderation:moderate", args=[moderation.pk])).content.decode()
    chron = theme("Chronologies").pk
    start = page.index(f'name="themes_improvement" value="{chron}"')
    assert " checked" in page[page.rindex("<input", 0, start) : page.index(">", start)]
    assert 'name="themes_shown"' in page


def test_the_moderator_changes_the_tags_and_confirms_every_one_kept(client, moderation):
    smart = theme("SMART plans")
    response = post(
        client,
        moderation,
        themes_shown="True",
        themes_improvement=[theme("Chronologies").pk, smart.pk],
        themes_strength=[],
    )
    assert response.status_code == 302
    moderator = moderation.moderator.pk
    assert tags(moderation.audit_id) == {
        ("Chronologies", "improvement", moderator),
        ("SMART plans", "improvement", moderator),
    }
    client.force_login(moderation.audit.auditor)
    page = client.get(reverse("audits:audit_detail", args=[moderation.audit_id])).content.decode()
    assert f"SMART plans (confirmed by {moderation.moderator})" in page


def test_a_refused_moderation_leaves_the_tags_as_the_auditor_left_them(client, moderation):
    response = post(
        client, moderation, grade="inadequate", themes_shown="True", themes_improvement=[theme("Permanence").pk]
    )
    assert response.status_code == 400  # a different grade needs a rationale
    assert tags(moderation.audit_id) == {("Chronologies", "improvement", None), ("Direct work", "strength", None)}


def test_a_retired_theme_slipped_in_rolls_back_the_whole_moderation(moderation):
    retired = theme("Permanence")
    retired.is_active = False
    retired.save()
    with pytest.raises(ModerationError, match="no longer offered|retired"):
        moderation_record(
            moderation=moderation,
            moderator=moderation.moderator,
            grade="good",
            rationale="",
            feedback="Fine.",
            themes={"improvement": [retired.pk], "strength": []},
            expected_version=0,
        )
    moderation.refresh_from_db()
    assert moderation.status == Moderation.Status.ASSIGNED
    assert tags(moderation.audit_id) == {("Chronologies", "improvement", None), ("Direct work", "strength", None)}


def test_recording_without_themes_leaves_the_tags_alone(moderation):
    moderation_record(
        moderation=moderation,
        moderator=moderation.moderator,
        grade="good",
        rationale="",
        feedback="Fine.",
        expected_version=0,
    )
    assert tags(moderation.audit_id) == {("Chronologies", "improvement", None), ("Direct work", "strength", None)}
