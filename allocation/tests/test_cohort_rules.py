"""A cohort's rules on hand-built caseloads (each rule alone and combined), the sample's size and draw, and the
auditors' conflict rules; known answers from seed 002 (Bradford's themed audit of children with no plan)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from allocation.cohort_selectors import CohortRules, cohort_children, cohort_size
from allocation.rules import AuditorIn, ChildIn, assign_sample, draw_sample, sample_size
from caseload.models import Child, Flag, LegalStatus
from caseload.tests.factories import ChildFactory
from common.figures import percent
from people.tests.factories import ServiceAreaFactory, TeamFactory


def test_seed_002_a_dip_sample_of_100_of_361_children_is_27_7_percent():
    # "The sample was 361 children who had a completed assessment but no plan; of this 100 children were selected
    # for dip sampling (27% of the cohort)." The page prints one decimal: 27.7 %.
    assert sample_size(361, count=100) == 100
    assert percent(100, 361) == Decimal("27.7")


def test_a_sample_by_percentage_rounds_half_up_and_never_exceeds_the_cohort():
    assert sample_size(361, percent=27) == 97  # 97.47
    assert sample_size(361, percent=Decimal("27.7")) == 100  # 99.997
    assert sample_size(3, percent=50) == 2  # 1.5 rounds up
    assert sample_size(10, percent=1) == 1  # 0.1: at least one child
    assert sample_size(10, count=25) == 10
    assert sample_size(0, percent=50) == 0
    assert sample_size(10, percent=100) == 10


def test_the_same_seed_draws_the_same_children_and_another_seed_others():
    ids = list(range(1, 362))
    first = draw_sample(ids, 100, seed=4821)
    assert len(first) == 100 and len(set(first)) == 100 and set(first) <= set(ids)
    assert draw_sample(reversed(ids), 100, seed=4821) == first  # the order the ids come in does not matter
    assert draw_sample(ids, 100, seed=4822) != first


def test_the_sample_spreads_children_evenly_and_never_to_their_own_team_or_social_worker():
    children = [ChildIn(id=i, team_id=1 if i <= 6 else 2, social_worker_id=None) for i in range(1, 13)]
    children[6] = ChildIn(id=7, team_id=2, social_worker_id=30)
    auditors = [
        AuditorIn(id=10, slots=0, own_team_ids=frozenset({1})),
        AuditorIn(id=20, slots=0, own_team_ids=frozenset({2})),
        AuditorIn(id=30, slots=0),
    ]
    result = assign_sample(children=children, auditors=auditors, seed=1)
    assert set(result) == set(range(1, 13))
    for child in children:
        auditor = next(a for a in auditors if a.id == result[child.id])
        assert child.team_id not in auditor.own_team_ids
        assert auditor.id != child.social_worker_id
    loads = sorted(list(result.values()).count(a.id) for a in auditors)
    assert loads == [4, 4, 4]
    assert assign_sample(children=children, auditors=auditors, seed=1) == result


def test_a_child_nobody_may_audit_is_left_without_an_auditor():
    result = assign_sample(
        children=[ChildIn(id=1, team_id=1, social_worker_id=None)],
        auditors=[AuditorIn(id=10, slots=0, own_team_ids=frozenset({1}))],
    )
    assert result == {1: None}


@pytest.mark.django_db
class TestCohortRulesOnAHandBuiltCaseload:
    """Twelve children whose facts are chosen so that each rule, alone and with the others, picks known ones."""

    @pytest.fixture(autouse=True)
    def caseload(self):
        social_care = ServiceAreaFactory(name="Children's Social Care")
        early_help = ServiceAreaFactory(name="Early Help")
        self.north = TeamFactory(name="North", service_area=social_care)
        self.south = TeamFactory(name="South", service_area=social_care)
        self.family = TeamFactory(name="Family Support", service_area=early_help)
        self.social_care, self.early_help = social_care, early_help
        self.no_plan, _ = Flag.objects.get_or_create(name="no_plan")
        self.repeat_cp, _ = Flag.objects.get_or_create(name="repeat_cp")
        rows = [
            # ref, team, legal status, opened on, flags, open
            ("A1", self.north, LegalStatus.CIN, datetime.date(2025, 1, 10), [self.no_plan], True),
            ("A2", self.north, LegalStatus.CP, datetime.date(2025, 6, 1), [self.repeat_cp], True),
            ("A3", self.north, LegalStatus.CP, datetime.date(2026, 2, 1), [self.no_plan, self.repeat_cp], True),
            ("A4", self.south, LegalStatus.CIN, datetime.date(2026, 3, 1), [self.no_plan], True),
            ("A5", self.south, LegalStatus.CLA, None, [], True),
            ("A6", self.south, LegalStatus.ASSESSMENT, datetime.date(2026, 5, 1), [self.no_plan], True),
            ("A7", self.family, LegalStatus.CIN, datetime.date(2024, 12, 31), [self.no_plan], True),
            ("A8", self.family, LegalStatus.CWD, datetime.date(2026, 1, 1), [], True),
            ("A9", self.north, LegalStatus.CIN, datetime.date(2025, 1, 10), [self.no_plan], False),  # closed
        ]
        for ref, team, status, opened_on, flags, is_open in rows:
            child = ChildFactory(case_ref=ref, team=team, legal_status=status, opened_on=opened_on, is_open=is_open)
            child.flags.set(flags)

    def refs(self, **rules) -> list[str]:
        return sorted(cohort_children(CohortRules(**rules)).values_list("case_ref", flat=True))

    def test_no_rules_select_every_open_child(self):
        assert self.refs() == ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"]

    def test_legal_status_alone(self):
        assert self.refs(legal_statuses=(LegalStatus.CP,)) == ["A2", "A3"]
        assert self.refs(legal_statuses=(LegalStatus.CP, LegalStatus.CLA)) == ["A2", "A3", "A5"]

    def test_team_alone(self):
        assert self.refs(team_ids=(self.south.pk,)) == ["A4", "A5", "A6"]
        assert self.refs(team_ids=(self.south.pk, self.family.pk)) == ["A4", "A5", "A6", "A7", "A8"]

    def test_service_area_alone(self):
        assert self.refs(service_area_ids=(self.early_help.pk,)) == ["A7", "A8"]

    def test_opened_after_and_before_alone(self):
        # On or after the date; before it, not on it. A case with no opening date meets neither.
        assert self.refs(opened_after=datetime.date(2026, 1, 1)) == ["A3", "A4", "A6", "A8"]
        assert self.refs(opened_before=datetime.date(2025, 1, 10)) == ["A7"]

    def test_a_flag_alone(self):
        assert self.refs(flag_ids=(self.no_plan.pk,)) == ["A1", "A3", "A4", "A6", "A7"]

    def test_two_flags_select_children_with_both(self):
        assert self.refs(flag_ids=(self.no_plan.pk, self.repeat_cp.pk)) == ["A3"]

    def test_rules_combined_select_children_meeting_every_one(self):
        assert self.refs(
            flag_ids=(self.no_plan.pk,),
            service_area_ids=(self.social_care.pk,),
            legal_statuses=(LegalStatus.CIN, LegalStatus.CP),
        ) == ["A1", "A3", "A4"]
        assert self.refs(
            flag_ids=(self.no_plan.pk,),
            team_ids=(self.north.pk, self.south.pk),
            opened_after=datetime.date(2025, 6, 1),
            opened_before=datetime.date(2026, 4, 1),
        ) == ["A3", "A4"]

    def test_the_size_counts_in_the_database(self, django_assert_num_queries):
        rules = CohortRules(flag_ids=(self.no_plan.pk, self.repeat_cp.pk), legal_statuses=(LegalStatus.CP,))
        with django_assert_num_queries(1):
            assert cohort_size(rules) == 1
        assert Child.objects.count() == 9
