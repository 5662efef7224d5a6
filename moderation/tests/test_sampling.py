"""The sampling rules applied to each submitted audit, and the assignment of a moderator."""

import datetime

import pytest

from audits.models import Audit, Policy
from audits.tests.factories import AuditFactory
from moderation.models import Moderation
from moderation.services import moderation_consider, random_sample_picks, sample_score
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _policy(**fields) -> Policy:
    policy = Policy.current()
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def _experienced_auditor(n: int = 3):
    """An auditor who already has `n` returned audits, so the new-auditor rule does not apply."""
    auditor = AuditorFactory()
    AuditFactory.create_batch(n, auditor=auditor, returned=True, month=datetime.date(2026, 1, 1))
    return auditor


def test_every_inadequate_audit_is_sampled():
    _policy(sample_percent=0)
    ModeratorFactory()
    audit = AuditFactory(returned=True, auditor=_experienced_auditor(), auditor_grade="inadequate")

    moderation = moderation_consider(audit=audit)

    assert moderation.sample_reason == Moderation.SampleReason.INADEQUATE


def test_inadequate_rule_can_be_switched_off():
    _policy(sample_percent=0, sample_all_inadequate=False)
    audit = AuditFactory(returned=True, auditor=_experienced_auditor(), auditor_grade="inadequate")

    assert moderation_consider(audit=audit) is None
    assert not Moderation.objects.exists()


def test_every_at_risk_audit_is_sampled():
    _policy(sample_percent=0)
    audit = AuditFactory(
        returned=True, auditor=_experienced_auditor(), auditor_grade="requires_improvement", at_risk=True
    )

    assert moderation_consider(audit=audit).sample_reason == Moderation.SampleReason.AT_RISK


def test_at_risk_rule_can_be_switched_off():
    _policy(sample_percent=0, sample_all_at_risk=False)
    audit = AuditFactory(
        returned=True, auditor=_experienced_auditor(), auditor_grade="requires_improvement", at_risk=True
    )

    assert moderation_consider(audit=audit) is None


def test_audits_of_an_auditor_with_fewer_submitted_audits_than_the_threshold_are_sampled():
    _policy(sample_percent=0, new_auditor_threshold=3)
    auditor = _experienced_auditor(n=2)
    third = AuditFactory(returned=True, auditor=auditor)

    assert moderation_consider(audit=third).sample_reason == Moderation.SampleReason.NEW_AUDITOR


def test_auditor_at_the_threshold_is_no_longer_new():
    _policy(sample_percent=0, new_auditor_threshold=3)
    fourth = AuditFactory(returned=True, auditor=_experienced_auditor(n=3))

    assert moderation_consider(audit=fourth) is None


def test_random_share_stays_within_one_audit_of_the_percentage_as_audits_arrive():
    _policy(sample_percent=25)
    auditor = _experienced_auditor()
    month = datetime.date(2026, 11, 1)

    for arrived in range(1, 41):
        moderation_consider(audit=AuditFactory(returned=True, auditor=auditor, month=month))
        drawn = Moderation.objects.filter(audit__month=month, sample_reason=Moderation.SampleReason.RANDOM).count()
        assert arrived * 25 // 100 <= drawn <= -(-arrived * 25 // 100), (arrived, drawn)

    assert drawn == 10


def test_within_the_slack_the_stable_score_decides():
    # The first audit of a month at 25 %: none is owed yet and one may be taken, so the score decides.
    _policy(sample_percent=25)
    auditor = _experienced_auditor()
    for month in range(1, 13):
        audit = AuditFactory(returned=True, auditor=auditor, month=datetime.date(2027, month, 1))
        sampled = moderation_consider(audit=audit) is not None
        assert sampled == (sample_score(audit=audit) < 2500)


def test_a_draw_removed_by_the_qa_team_still_counts_so_the_next_audit_is_not_pulled_in():
    month = datetime.date(2026, 11, 1)
    removed = AuditFactory(returned=True, month=month)
    Moderation.objects.create(
        audit=removed, sample_reason=Moderation.SampleReason.RANDOM, status=Moderation.Status.REMOVED
    )
    second = AuditFactory(returned=True, month=month)

    # 50 % of 2 returned audits is exactly 1, already drawn.
    assert random_sample_picks(audit=second, percent=50) is False
    Moderation.objects.filter(audit=removed).delete()
    assert random_sample_picks(audit=second, percent=50) is True


def test_random_sample_is_about_the_policy_percentage_over_many_audits():
    # The score is a hash, so over 2,000 ids the share sits close to the percentage set.
    class Stub:
        month = datetime.date(2026, 11, 1)

    hits = 0
    for pk in range(1, 2001):
        stub = Stub()
        stub.pk = pk
        hits += sample_score(audit=stub) < 2500
    assert 450 <= hits <= 550


def test_sample_score_is_reproducible_and_depends_on_the_month():
    audit = AuditFactory(returned=True)
    first = sample_score(audit=audit)
    assert sample_score(audit=Audit.objects.get(pk=audit.pk)) == first
    scores = set()
    for month in range(1, 13):
        audit.month = datetime.date(2026, month, 1)
        scores.add(sample_score(audit=audit))
    assert len(scores) > 1


def test_hundred_percent_samples_everything_and_zero_samples_nothing():
    auditor = _experienced_auditor()
    _policy(sample_percent=100)
    assert moderation_consider(audit=AuditFactory(returned=True, auditor=auditor)) is not None
    _policy(sample_percent=0)
    assert moderation_consider(audit=AuditFactory(returned=True, auditor=auditor)) is None


def test_resubmission_after_send_back_is_not_sampled_twice():
    _policy(sample_percent=100)
    audit = AuditFactory(returned=True, auditor=_experienced_auditor())
    first = moderation_consider(audit=audit)

    again = moderation_consider(audit=audit)

    assert again.pk == first.pk
    assert Moderation.objects.filter(audit=audit).count() == 1


def test_audit_removed_from_sample_is_not_sampled_again():
    _policy(sample_percent=100)
    audit = AuditFactory(returned=True, auditor=_experienced_auditor())
    moderation = moderation_consider(audit=audit)
    Moderation.objects.filter(pk=moderation.pk).update(status=Moderation.Status.REMOVED)

    assert moderation_consider(audit=audit) is None
    assert Moderation.objects.filter(audit=audit).count() == 1


def test_sampled_audit_gets_a_moderator_and_a_due_date(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=datetime.UTC))
    _policy(sample_percent=100, moderation_days=10)
    moderator = ModeratorFactory()

    moderation = moderation_consider(audit=AuditFactory(returned=True, auditor=_experienced_auditor()))

    assert moderation.moderator == moderator
    assert moderation.due_on == datetime.date(2026, 12, 1)
    assert moderation.assigned_at is not None


def test_moderator_never_gets_their_own_audit_or_one_of_a_team_they_manage_or_head():
    _policy(sample_percent=100)
    own = ModeratorFactory(username="m-own", is_auditor=True)
    AuditFactory.create_batch(3, auditor=own, returned=True, month=datetime.date(2026, 1, 1))
    manages = ModeratorFactory(username="m-manages", is_manager=True)
    heads = ManagerFactory(username="m-heads", is_moderator=True)
    team = TeamFactory(manager=manages, head_of_service=heads)
    audit = AuditFactory(returned=True, auditor=own, child__team=team)

    assert moderation_consider(audit=audit).moderator is None

    allowed = ModeratorFactory(username="m-allowed")
    other = AuditFactory(returned=True, auditor=own, child__team=team)
    assert moderation_consider(audit=other).moderator == allowed


def test_inactive_or_non_moderators_are_never_assigned():
    _policy(sample_percent=100)
    ModeratorFactory(is_active=False)
    AuditorFactory()
    assert moderation_consider(audit=AuditFactory(returned=True, auditor=_experienced_auditor())).moderator is None


def test_assignment_spreads_auditors_across_moderators_and_keeps_an_auditor_with_one_moderator():
    _policy(sample_percent=100, auditors_per_moderator=3)
    moderators = [ModeratorFactory(username=f"mod{i}") for i in range(3)]
    auditors = [_experienced_auditor() for _ in range(9)]
    month = datetime.date(2026, 11, 1)

    for auditor in auditors:
        for _ in range(2):
            moderation_consider(audit=AuditFactory(returned=True, auditor=auditor, month=month))

    per_moderator = {
        m.username: set(Moderation.objects.filter(moderator=m).values_list("audit__auditor", flat=True))
        for m in moderators
    }
    assert sorted(len(a) for a in per_moderator.values()) == [3, 3, 3]
    for auditor in auditors:
        assert Moderation.objects.filter(audit__auditor=auditor).values("moderator").distinct().count() == 1


def test_assignment_ties_are_broken_the_same_way_every_time():
    _policy(sample_percent=100)
    ModeratorFactory(username="zed")
    first = ModeratorFactory(username="amy")
    moderation = moderation_consider(audit=AuditFactory(returned=True, auditor=_experienced_auditor()))
    assert moderation.moderator == first


def test_when_every_moderator_is_full_the_least_loaded_still_gets_the_audit():
    _policy(sample_percent=100, auditors_per_moderator=1)
    busy = ModeratorFactory(username="busy")
    quiet = ModeratorFactory(username="quiet")
    month = datetime.date(2026, 11, 1)
    for _ in range(2):
        moderation_consider(audit=AuditFactory(returned=True, auditor=_experienced_auditor(), month=month))
    extra = moderation_consider(audit=AuditFactory(returned=True, auditor=_experienced_auditor(), month=month))

    # Both are full (one auditor each) and equally loaded, so the username breaks the tie.
    assert extra.moderator == busy
    assert Moderation.objects.filter(moderator=quiet).count() == 1
