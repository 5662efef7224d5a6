"""A moderator reads an audit while it is theirs to moderate (or once they have moderated it), never after
the QA team takes it out of the sample or gives it to someone else."""

import pytest
from django.urls import reverse

from actions.selectors import actions_visible_to
from actions.tests.factories import ActionFactory
from audits.selectors import audits_visible_to
from moderation.models import Moderation
from moderation.selectors import moderations_visible_to
from moderation.services import moderation_reassign, moderation_remove
from moderation.tests.factories import ModerationFactory
from people.tests.factories import ModeratorFactory, QualityFactory

pytestmark = pytest.mark.django_db


def _pages(moderation: Moderation) -> list[str]:
    audit = moderation.audit
    action = ActionFactory(audit=audit)
    return [
        reverse("audits:audit_detail", args=[audit.pk]),
        reverse("audits:audit_history", args=[audit.pk]),
        reverse("actions:detail", args=[action.pk]),
        reverse("moderation:moderate", args=[moderation.pk]),
    ]


def test_a_moderator_reads_the_audit_while_it_is_assigned_to_them(client):
    moderation = ModerationFactory()
    pages = _pages(moderation)
    client.force_login(moderation.moderator)
    assert [client.get(url).status_code for url in pages] == [200, 200, 200, 200]


def test_removing_the_audit_from_the_sample_ends_the_moderators_access(client):
    moderation = ModerationFactory()
    pages = _pages(moderation)
    moderation_remove(moderation=moderation, by=QualityFactory(), expected_version=moderation.version)
    client.force_login(moderation.moderator)
    assert [client.get(url).status_code for url in pages] == [404, 404, 404, 404]
    assert not audits_visible_to(moderation.moderator).exists()
    assert not moderations_visible_to(moderation.moderator).exists()
    assert not actions_visible_to(moderation.moderator).exists()


def test_reassigning_the_audit_moves_access_to_the_new_moderator(client):
    moderation = ModerationFactory()
    pages = _pages(moderation)
    first = moderation.moderator
    second = ModeratorFactory()
    moderation_reassign(moderation=moderation, moderator=second, by=QualityFactory(), expected_version=0)
    client.force_login(first)
    assert [client.get(url).status_code for url in pages] == [404, 404, 404, 404]
    client.force_login(second)
    assert [client.get(url).status_code for url in pages] == [200, 200, 200, 200]


def test_a_moderator_keeps_reading_the_audits_they_moderated(client):
    moderation = ModerationFactory(completed=True)
    client.force_login(moderation.moderator)
    assert client.get(reverse("audits:audit_detail", args=[moderation.audit.pk])).status_code == 200
    assert list(audits_visible_to(moderation.moderator)) == [moderation.audit]
