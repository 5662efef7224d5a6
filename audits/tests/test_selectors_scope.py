import pytest
from django.db.models import Q

from audits.models import Audit
from audits.selectors import audit_scope_q, audits_visible_to
from audits.tests.factories import AuditFactory
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_qa_team_sees_every_audit_even_when_the_scope_is_widened_with_or():
    audits = AuditFactory.create_batch(3)
    quality = QualityFactory()
    assert set(audits_visible_to(quality)) == set(audits)
    # A caller widening the scope with another condition must not narrow "everything" to that condition.
    widened = Audit.objects.filter(audit_scope_q(quality) | Q(auditor=audits[0].auditor))
    assert widened.count() == 3


def test_an_auditor_sees_only_their_own_audits():
    mine = AuditFactory()
    AuditFactory()
    assert list(audits_visible_to(mine.auditor)) == [mine]


def test_a_manager_sees_the_audits_of_the_teams_they_manage_or_head():
    managed = AuditFactory()
    headed = AuditFactory()
    AuditFactory()
    manager = ManagerFactory()
    managed.team.manager = manager
    managed.team.save()
    headed.team.head_of_service = manager
    headed.team.save()
    assert set(audits_visible_to(manager)) == {managed, headed}


def test_a_moderator_sees_only_the_audits_assigned_to_them():
    from moderation.models import Moderation

    assigned = AuditFactory(returned=True)
    AuditFactory(returned=True)
    moderator = ModeratorFactory()
    Moderation.objects.create(audit=assigned, moderator=moderator, sample_reason=Moderation.SampleReason.RANDOM)
    assert list(audits_visible_to(moderator)) == [assigned]


def test_people_without_a_role_or_inactive_see_nothing():
    audit = AuditFactory()
    assert not audits_visible_to(UserFactory()).exists()
    audit.auditor.is_active = False
    audit.auditor.save()
    assert not audits_visible_to(audit.auditor).exists()
    assert not audits_visible_to(AuditorFactory(is_active=False)).exists()
