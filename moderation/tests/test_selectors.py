"""The moderator-effect figures on a hand-built set of months with answers worked out by hand.

Every moderation below is stored with a blank `outcome`, as an imported tracker row may be:
the figures must come from comparing the two grades, not from the stored column.
"""

import datetime
from decimal import Decimal

import pytest

from audits.models import Audit
from audits.tests.factories import AuditFactory
from moderation.models import Moderation
from moderation.selectors import (
    auditor_change_rates,
    awaiting_finalisation,
    disagreements,
    moderation_summary,
    moderator_effect,
    primary_vs_moderated,
)
from moderation.tests.factories import ModerationFactory
from people.tests.factories import AuditorFactory, ModeratorFactory, TeamFactory

pytestmark = pytest.mark.django_db

# One team and one moderator for every row keeps the set-up quick; neither matters to these figures.
_shared: dict = {}

SEP, OCT, NOV = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)


def moderated(month, auditor, auditor_grade, moderator_grade, *, moderated_on=None, finalised_on=None, **audit):
    audit = AuditFactory(
        returned=True,
        month=month,
        auditor=auditor,
        auditor_grade=auditor_grade,
        finalised_on=finalised_on,
        child__team=_shared["team"],
        **audit,
    )
    return ModerationFactory(
        audit=audit,
        moderator=_shared["moderator"],
        status=Moderation.Status.COMPLETED,
        grade=moderator_grade,
        outcome="",
        moderated_on=moderated_on or month.replace(day=28),
    )


@pytest.fixture
def months():
    """October: 7 moderated of 10 returned; September: 16 moderated, 1 upgraded; August: 1 moderated."""
    _shared.update(team=TeamFactory(), moderator=ModeratorFactory())
    ann, bob, cat = (
        AuditorFactory(first_name="Ann", last_name="A"),
        AuditorFactory(first_name="Bob", last_name="B"),
        (AuditorFactory(first_name="Cat", last_name="C")),
    )
    # October, auditor Ann: agreed, downgraded (finalised late, after 31 Oct), downgraded (moderated in November).
    moderated(OCT, ann, "good", "good", finalised_on=datetime.date(2026, 10, 20))
    moderated(OCT, ann, "good", "requires_improvement", finalised_on=datetime.date(2026, 11, 5))
    moderated(OCT, ann, "outstanding", "good", moderated_on=datetime.date(2026, 11, 2))
    # October, auditor Bob: upgraded, downgraded to Inadequate, agreed Inadequate, Good downgraded to Inadequate.
    moderated(OCT, bob, "requires_improvement", "good")
    moderated(OCT, bob, "requires_improvement", "inadequate")
    moderated(OCT, bob, "inadequate", "inadequate")
    moderated(OCT, bob, "good", "inadequate")
    # October, returned but not moderated: one waiting, one removed from the sample, one never sampled.
    ModerationFactory(audit__month=OCT, audit__auditor=ann, moderator=_shared["moderator"])
    ModerationFactory(
        audit__month=OCT, audit__auditor=ann, moderator=_shared["moderator"], status=Moderation.Status.REMOVED
    )
    AuditFactory(returned=True, month=OCT, auditor=ann)
    # Not returned, so never counted: a sent-back audit with a recorded moderation, and a draft.
    moderated(OCT, ann, "good", "inadequate", status=Audit.Status.SENT_BACK)
    AuditFactory(month=OCT, auditor=ann)
    # September, auditor Cat: 16 moderated, one upgraded (1/16 = 6.25 %, rounds half away from zero to 6.3);
    # 3 not finalised (the upgraded one and two more).
    moderated(SEP, cat, "requires_improvement", "good")
    for index in range(15):
        moderated(SEP, cat, "good", "good", finalised_on=None if index < 2 else datetime.date(2026, 10, 1))
    # August: one moderated audit never finalised. November: after the report month, never listed.
    moderated(datetime.date(2026, 8, 1), cat, "good", "good")
    moderated(NOV, cat, "good", "good", moderated_on=datetime.date(2026, 10, 30))
    return {"ann": ann, "bob": bob, "cat": cat}


def test_moderation_summary_for_a_hand_built_month(months, django_assert_num_queries):
    with django_assert_num_queries(1):
        summary = moderation_summary(OCT)
    assert summary == {
        "returned": 10,
        "moderated": 7,
        "moderated_percent": Decimal("70.0"),
        "agreed": 2,
        "upgraded": 1,
        "downgraded": 4,
        "downgraded_percent": Decimal("57.1"),
    }


def test_moderator_effect_over_five_months(months, django_assert_num_queries):
    with django_assert_num_queries(1):
        effect = moderator_effect(OCT)
    assert effect == [
        {
            "month": "2026-06",
            "moderated": 0,
            "upgraded_percent": None,
            "downgraded_percent": None,
            "inadequate_downgraded_percent": None,
        },
        {
            "month": "2026-07",
            "moderated": 0,
            "upgraded_percent": None,
            "downgraded_percent": None,
            "inadequate_downgraded_percent": None,
        },
        {
            "month": "2026-08",
            "moderated": 1,
            "upgraded_percent": Decimal("0.0"),
            "downgraded_percent": Decimal("0.0"),
            "inadequate_downgraded_percent": None,
        },
        {
            "month": "2026-09",
            "moderated": 16,
            "upgraded_percent": Decimal("6.3"),
            "downgraded_percent": Decimal("0.0"),
            "inadequate_downgraded_percent": None,
        },
        {
            # 1 of 7 upgraded, 4 of 7 downgraded; of the 3 the moderator graded Inadequate, 2 the auditor graded higher.
            "month": "2026-10",
            "moderated": 7,
            "upgraded_percent": Decimal("14.3"),
            "downgraded_percent": Decimal("57.1"),
            "inadequate_downgraded_percent": Decimal("66.7"),
        },
    ]


def test_primary_against_moderated_grades(months, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = primary_vs_moderated(OCT)
    assert figures == {
        "moderated": 7,
        "primary": {
            "counts": {"outstanding": 1, "good": 3, "requires_improvement": 2, "inadequate": 1},
            "percent": {
                "outstanding": Decimal("14.3"),
                "good": Decimal("42.9"),
                "requires_improvement": Decimal("28.6"),
                "inadequate": Decimal("14.3"),
            },
        },
        "final": {
            "counts": {"outstanding": 0, "good": 3, "requires_improvement": 1, "inadequate": 3},
            "percent": {
                "outstanding": Decimal("0.0"),
                "good": Decimal("42.9"),
                "requires_improvement": Decimal("14.3"),
                "inadequate": Decimal("42.9"),
            },
        },
    }


def test_a_month_with_nothing_moderated_has_null_percentages():
    assert primary_vs_moderated(OCT)["primary"]["percent"] == {
        "outstanding": None,
        "good": None,
        "requires_improvement": None,
        "inadequate": None,
    }
    assert moderation_summary(OCT)["moderated_percent"] is None


def test_awaiting_finalisation_by_month(months, django_assert_num_queries):
    # October: 7 moderated, less 1 finalised by 31 Oct and 1 moderated only in November.
    with django_assert_num_queries(1):
        rows = awaiting_finalisation(datetime.date(2026, 10, 31), OCT)
    assert rows == [
        {"month": "2026-08", "count": 1},
        {"month": "2026-09", "count": 3},
        {"month": "2026-10", "count": 5},
    ]


def test_awaiting_finalisation_later_counts_what_was_finalised_since(months):
    rows = awaiting_finalisation(datetime.date(2026, 11, 21), NOV)
    # By 21 Nov the late finalisation (5 Nov) is done and the November moderation is in.
    assert rows == [
        {"month": "2026-08", "count": 1},
        {"month": "2026-09", "count": 3},
        {"month": "2026-10", "count": 5},
        {"month": "2026-11", "count": 1},
    ]


def test_auditor_change_rates_most_changed_first(months):
    rates = auditor_change_rates(OCT)
    assert [(r["auditor"], r["moderated"], r["upgraded"], r["downgraded"], r["changed_percent"]) for r in rates] == [
        ("Bob B", 4, 1, 2, Decimal("75.0")),
        ("Ann A", 3, 0, 2, Decimal("66.7")),
        ("Cat C", 17, 1, 0, Decimal("5.9")),
    ]


def test_disagreements_are_the_changed_grades_of_the_month(months):
    rows = list(disagreements(OCT))
    assert len(rows) == 5
    assert sorted(r.derived_outcome for r in rows) == ["downgraded"] * 4 + ["upgraded"]
