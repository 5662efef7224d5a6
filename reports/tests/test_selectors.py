"""Every figure of the report on hand-built data with known answers, including the seeds' own tables."""

import datetime
import json

import pytest

from actions.models import Action
from audits.tests.factories import AuditFactory
from caseload.models import LegalStatus
from common.periods import quarters_ending
from reports.selectors import practice_area_ratings, report_figures
from reports.tests.factories import UserFactory
from reports.tests.tracker import load_rows, tracker_row

pytestmark = pytest.mark.django_db

GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
TOP_LEVEL_KEYS = {
    "month",
    "as_of",
    "ratings_by_month",
    "ratings_by_quarter",
    "ratings_by_legal_status",
    "at_risk",
    "primary_vs_moderated",
    "moderator_effect",
    "moderation",
    "returns",
    "participation",
    "feedback",
    "actions",
    "children_of_concern",
    "awaiting_finalisation",
    "teams",
    "reaudits",
    # contracts.md, added later: the report's scope.
    "programme",
    "service_area",
    # contracts.md section 2, added later (issue 14): required, empty lists when nothing is tagged.
    "themes",
}


def graded_rows(month, counts, **columns):
    """Returned tracker rows for `month` with {"GOOD": 3, ...} auditor grades."""
    return [tracker_row(month, auditor_grade=grade, **columns) for grade, n in counts.items() for _ in range(n)]


# --- Shape of the contract ---------------------------------------------------------------------------------


def test_an_empty_month_has_every_key_with_zeros_and_nulls_never_zero_percent():
    figures = report_figures(datetime.date(2026, 10, 1))

    assert set(figures) == TOP_LEVEL_KEYS
    assert figures["month"] == "2026-10"
    assert figures["as_of"] == "2026-10-31"
    assert [m["month"] for m in figures["ratings_by_month"]] == ["2026-08", "2026-09", "2026-10"]
    for block in figures["ratings_by_month"] + figures["ratings_by_quarter"]:
        assert block["counts"] == dict.fromkeys([*GRADES, "not_graded"], 0)
        assert block["total"] == block["graded"] == 0
        assert block["percent"] == dict.fromkeys(GRADES)
        assert block["percent_of_total"] == dict.fromkeys([*GRADES, "not_graded"])
    assert (figures["programme"], figures["service_area"]) == ("monthly", None)
    assert list(figures["ratings_by_legal_status"]) == ["ASSESSMENT", "CIN", "CP", "CLA", "CARE_LEAVER", "CWD"]
    assert figures["at_risk"] == {"inadequate": 0, "at_risk": 0, "total": 0, "percent": None}
    assert figures["reaudits"] == {"returned": 0, "improved": 0, "same": 0, "worse": 0, "improved_percent": None}
    assert figures["primary_vs_moderated"] == {
        "moderated": 0,
        "primary": {"counts": dict.fromkeys(GRADES, 0), "percent": dict.fromkeys(GRADES)},
        "final": {"counts": dict.fromkeys(GRADES, 0), "percent": dict.fromkeys(GRADES)},
    }
    assert [m["month"] for m in figures["moderator_effect"]] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert figures["moderator_effect"][0] == {
        "month": "2026-06",
        "moderated": 0,
        "upgraded_percent": None,
        "downgraded_percent": None,
        "inadequate_downgraded_percent": None,
    }
    assert figures["moderation"] == {
        "returned": 0,
        "moderated": 0,
        "moderated_percent": None,
        "agreed": 0,
        "upgraded": 0,
        "downgraded": 0,
        "downgraded_percent": None,
    }
    assert len(figures["returns"]) == 12
    assert figures["returns"][0]["month"] == "2025-11"
    assert figures["returns"][-1] == {
        "month": "2026-10",
        "planned": 0,
        "exempted": 0,
        "scheduled": 0,
        "returned": 0,
        "returned_percent": None,
        "late": 0,
        "late_percent": None,
        "nil_returns": 0,
        "not_ready": 0,
    }
    assert figures["participation"] == {
        "audits": 0,
        "social_worker_percent": None,
        "manager_percent": None,
        "iro_percent": None,
        "child_percent": None,
        "parent_percent": None,
    }
    nobody = {"responses": 0, "positive_percent": None, "mixed_percent": None, "negative_percent": None}
    assert figures["feedback"] == {"child": nobody, "parent": nobody}
    assert figures["actions"] == {
        "total": 0,
        "overdue": 0,
        "completed_late": 0,
        "completed_on_time": 0,
        "not_yet_due": 0,
        "overdue_percent": None,
        "completed_late_percent": None,
        "completed_on_time_percent": None,
        "not_yet_due_percent": None,
        "older_open": 0,
    }
    assert figures["children_of_concern"] == {"raised": 0, "resolved": 0, "open": 0}
    assert figures["themes"] == {"improvement": [], "strength": []}
    assert figures["awaiting_finalisation"] == []
    assert figures["teams"] == {
        "not_audited": [],
        "audited_once_in_3_months": [],
        "three_plus_good_6_months": [],
        "three_plus_inadequate_6_months": [],
    }
    json.dumps(figures)  # Plain JSON types only.


def test_as_of_is_taken_as_given_and_month_accepts_any_day_in_it():
    figures = report_figures(datetime.date(2024, 2, 17), as_of=datetime.date(2024, 3, 4))
    assert figures["month"] == "2024-02"
    assert figures["as_of"] == "2024-03-04"
    assert report_figures(datetime.date(2024, 2, 3))["as_of"] == "2024-02-29"


@pytest.mark.parametrize(
    "month, labels",
    [
        (datetime.date(2019, 12, 1), ["Q3 2018/19", "Q4 2018/19", "Q1 2019/20", "Q2 2019/20", "Q3 2019/20"]),
        (datetime.date(2020, 1, 1), ["Q4 2018/19", "Q1 2019/20", "Q2 2019/20", "Q3 2019/20", "Q4 2019/20"]),
        (datetime.date(2020, 4, 1), ["Q1 2019/20", "Q2 2019/20", "Q3 2019/20", "Q4 2019/20", "Q1 2020/21"]),
        (datetime.date(2000, 3, 1), ["Q4 1998/99", "Q1 1999/00", "Q2 1999/00", "Q3 1999/00", "Q4 1999/00"]),
    ],
)
def test_financial_quarters_start_in_april_and_are_labelled_like_the_seed(month, labels):
    assert [q.label for q in quarters_ending(month, 5)] == labels
    assert [q["quarter"] for q in report_figures(month)["ratings_by_quarter"]] == labels


def test_the_last_quarter_counts_only_months_up_to_the_report_month():
    load_rows(
        graded_rows("2019-10", {"GOOD": 1})
        + graded_rows("2019-11", {"RI": 1})
        + graded_rows("2019-12", {"INADEQUATE": 5})
        + graded_rows("2019-07", {"OUTSTANDING": 2})
    )
    quarters = report_figures(datetime.date(2019, 11, 1))["ratings_by_quarter"]
    assert quarters[-1]["quarter"] == "Q3 2019/20"
    assert quarters[-1]["counts"] == {
        "outstanding": 0,
        "good": 1,
        "requires_improvement": 1,
        "inadequate": 0,
        "not_graded": 0,
    }
    assert quarters[-1]["percent"] == {
        "outstanding": 0.0,
        "good": 50.0,
        "requires_improvement": 50.0,
        "inadequate": 0.0,
    }
    assert quarters[-2]["quarter"] == "Q2 2019/20"
    assert quarters[-2]["total"] == 2


# --- Seed 000 (Gloucestershire, Dec 2019): Table 1 and Table 3 ---------------------------------------------

# Table 3: Good (with Outstanding) / RI / Inadequate per legal status per month.
SEED_000_TABLE_3 = {
    "2019-10": {
        "ASSESSMENT": (1, 4, 2),
        "CIN": (3, 2, 3),
        "CP": (2, 3, 1),
        "CLA": (0, 5, 2),
        "CARE_LEAVER": (2, 5, 2),
        "CWD": (1, 1, 1),
    },
    "2019-11": {
        "ASSESSMENT": (1, 3, 2),
        "CIN": (1, 3, 4),
        "CP": (2, 5, 0),
        "CLA": (4, 2, 3),
        "CARE_LEAVER": (1, 2, 0),
        "CWD": (2, 0, 0),
    },
    "2019-12": {
        "ASSESSMENT": (0, 6, 2),
        "CIN": (5, 5, 5),
        "CP": (3, 4, 4),
        "CLA": (2, 5, 1),
        "CARE_LEAVER": (0, 1, 1),
        "CWD": (0, 0, 0),
    },
}


def seed_000_rows():
    rows = []
    for month, statuses in SEED_000_TABLE_3.items():
        for status, (good, ri, inadequate) in statuses.items():
            # Table 1 has one Outstanding in November that Table 3 folds into Good: a CWD audit.
            outstanding = 1 if (month, status) == ("2019-11", "CWD") else 0
            rows += graded_rows(
                month,
                {"OUTSTANDING": outstanding, "GOOD": good - outstanding, "RI": ri, "INADEQUATE": inadequate},
                legal_status=status,
            )
    return rows


def test_seed_000_table_1_ratings_by_month():
    load_rows(seed_000_rows())

    months = report_figures(datetime.date(2019, 12, 1))["ratings_by_month"]

    assert [(m["month"], m["total"]) for m in months] == [("2019-10", 40), ("2019-11", 35), ("2019-12", 44)]
    assert [m["counts"] for m in months] == [
        {"outstanding": 0, "good": 9, "requires_improvement": 20, "inadequate": 11, "not_graded": 0},
        {"outstanding": 1, "good": 10, "requires_improvement": 15, "inadequate": 9, "not_graded": 0},
        {"outstanding": 0, "good": 10, "requires_improvement": 21, "inadequate": 13, "not_graded": 0},
    ]
    # The seed prints whole numbers (22, 50, 28 / 3, 29, 43, 26 / 0, 22, 48, 30); the contract keeps one decimal.
    assert [m["percent"] for m in months] == [
        {"outstanding": 0.0, "good": 22.5, "requires_improvement": 50.0, "inadequate": 27.5},
        {"outstanding": 2.9, "good": 28.6, "requires_improvement": 42.9, "inadequate": 25.7},
        {"outstanding": 0.0, "good": 22.7, "requires_improvement": 47.7, "inadequate": 29.5},
    ]


def test_seed_000_table_3_ratings_by_legal_status_over_three_months():
    load_rows(seed_000_rows())

    by_status = report_figures(datetime.date(2019, 12, 1))["ratings_by_legal_status"]

    seed_totals = {  # Table 3's "Totals" columns: Good, RI, Inadequate.
        "ASSESSMENT": (2, 13, 6),
        "CIN": (9, 10, 12),
        "CP": (7, 12, 5),
        "CLA": (6, 12, 6),
        "CARE_LEAVER": (3, 8, 3),
        "CWD": (3, 1, 1),
    }
    for status, (good, ri, inadequate) in seed_totals.items():
        counts = by_status[status]["counts"]
        assert (counts["outstanding"] + counts["good"], counts["requires_improvement"], counts["inadequate"]) == (
            good,
            ri,
            inadequate,
        ), status
        assert by_status[status]["total"] == good + ri + inadequate
    # The seed's commentary: CP 29% good and 21% inadequate; CLA 25% inadequate; CIN 29% good.
    assert by_status["CP"]["percent"]["good"] == 29.2
    assert by_status["CP"]["percent"]["inadequate"] == 20.8
    assert by_status["CLA"]["percent"]["inadequate"] == 25.0
    assert by_status["CIN"]["percent"]["good"] == 29.0
    assert by_status["CWD"]["counts"]["outstanding"] == 1
    assert by_status["CWD"]["percent"] == {
        "outstanding": 20.0,
        "good": 40.0,
        "requires_improvement": 20.0,
        "inadequate": 20.0,
    }


def test_seed_000_december_inadequate_and_at_risk_together_are_55_percent():
    rows = graded_rows("2019-12", {"GOOD": 10, "RI": 10, "INADEQUATE": 13})
    rows += graded_rows("2019-12", {"RI": 11}, at_risk="yes")
    load_rows(rows)

    assert report_figures(datetime.date(2019, 12, 1))["at_risk"] == {
        "inadequate": 13,
        "at_risk": 11,
        "total": 44,
        "percent": 54.5,
    }


def test_at_risk_counts_only_final_requires_improvement_flagged_at_risk():
    load_rows(
        [
            # The auditor flagged at risk but the moderator made it Inadequate: counted once, as Inadequate.
            tracker_row("2026-10", auditor_grade="RI", at_risk="yes", moderator="mod1", moderator_grade="INADEQUATE"),
            tracker_row("2026-10", auditor_grade="GOOD", at_risk="yes"),
            tracker_row("2026-10", auditor_grade="RI", at_risk="no"),
            tracker_row("2026-10", auditor_grade="RI", at_risk="yes"),
            tracker_row("2026-10", "not_ready", auditor_grade="RI", at_risk="yes"),
        ]
    )
    assert report_figures(datetime.date(2026, 10, 1))["at_risk"] == {
        "inadequate": 1,
        "at_risk": 1,
        "total": 4,
        "percent": 50.0,
    }


def test_at_risk_share_is_over_every_returned_audit_even_one_without_a_final_grade():
    AuditFactory(returned=True, auditor_grade="inadequate")
    AuditFactory(returned=True, auditor_grade="")  # Returned without a grade recorded: still a returned audit.
    AuditFactory()  # Not returned.

    assert report_figures(datetime.date(2026, 10, 1))["at_risk"] == {
        "inadequate": 1,
        "at_risk": 0,
        "total": 2,
        "percent": 50.0,
    }


def test_seed_000_december_participation_and_feedback():
    rows = []
    for n in range(44):
        rows.append(
            tracker_row(
                "2019-12",
                sw_participated="yes" if n < 39 else "",
                manager_participated="Y" if n < 40 else "no",
                child_spoken_to="true" if n < 10 else "false",
                parent_spoken_to="1" if n < 27 else "0",
                # 40 children have an IRO or CP chair; 24 of them gave views (60%).
                iro_views="yes" if n < 24 else ("no" if n < 34 else ("" if n < 40 else "na")),
                child_feedback=(["positive"] * 6 + ["mixed"] * 3 + ["negative"])[n] if n < 10 else "",
                parent_feedback=(["positive"] * 18 + ["mixed"] * 6 + ["negative"] * 3)[n] if n < 27 else "",
            )
        )
    # A sent-back audit is not returned: its answers do not count.
    rows.append(tracker_row("2019-12", "not_ready", sw_participated="no", child_feedback="negative"))
    load_rows(rows)

    figures = report_figures(datetime.date(2019, 12, 1))

    assert figures["participation"] == {
        "audits": 44,
        "social_worker_percent": 88.6,
        "manager_percent": 90.9,
        "iro_percent": 60.0,
        "child_percent": 22.7,
        "parent_percent": 61.4,
    }
    assert figures["feedback"] == {
        "child": {"responses": 10, "positive_percent": 60.0, "mixed_percent": 30.0, "negative_percent": 10.0},
        "parent": {"responses": 27, "positive_percent": 66.7, "mixed_percent": 22.2, "negative_percent": 11.1},
    }


def test_iro_percent_is_null_when_no_returned_child_has_an_iro():
    load_rows([tracker_row("2026-10", iro_views="na"), tracker_row("2026-10", iro_views="NA")])
    participation = report_figures(datetime.date(2026, 10, 1))["participation"]
    assert participation["iro_percent"] is None
    assert participation["social_worker_percent"] == 0.0  # Blank means no, over 2 returned audits.


# --- Seed 002 (Bradford, Apr-Nov 2023): the returns table and grades after moderation ----------------------

SEED_002_RETURNS = [
    # month, planned, exempted, returned, (outstanding, good, RI, inadequate)
    ("2023-05", 91, 8, 44, (0, 21, 21, 2)),
    ("2023-06", 105, 2, 42, (0, 7, 31, 4)),
    ("2023-07", 97, 10, 27, (0, 2, 13, 12)),
    ("2023-08", 79, 4, 33, (0, 10, 4, 19)),
    ("2023-09", 124, 9, 33, (1, 10, 12, 10)),
    ("2023-10", 110, 9, 27, (0, 6, 14, 7)),
    ("2023-11", 124, 7, 23, (0, 5, 14, 4)),
]


def test_seed_002_returns_table_and_grades_rebuilt_from_tracker_rows():
    rows = []
    for month, planned, exempted, returned, grades in SEED_002_RETURNS:
        rows += graded_rows(month, dict(zip(("OUTSTANDING", "GOOD", "RI", "INADEQUATE"), grades, strict=True)))
        rows += [tracker_row(month, "exempted", exemption_reason="Extended absence") for _ in range(exempted)]
        rows += [tracker_row(month, "nil_return") for _ in range(planned - exempted - returned)]
    load_rows(rows)

    figures = report_figures(datetime.date(2023, 11, 1))

    by_month = {r["month"]: r for r in figures["returns"]}
    assert [r["month"] for r in figures["returns"]][:5] == ["2022-12", "2023-01", "2023-02", "2023-03", "2023-04"]
    assert all(r["planned"] == 0 and r["returned_percent"] is None for r in figures["returns"][:5])
    seed_percent = {
        "2023-05": 53.0,
        "2023-06": 40.8,
        "2023-07": 31.0,
        "2023-08": 44.0,
        "2023-09": 28.7,
        "2023-10": 26.7,
        "2023-11": 19.7,
    }
    for month, planned, exempted, returned, _grades in SEED_002_RETURNS:
        row = by_month[month]
        assert (row["planned"], row["exempted"], row["scheduled"], row["returned"]) == (
            planned,
            exempted,
            planned - exempted,
            returned,
        )
        assert row["returned_percent"] == seed_percent[month]
        assert row["nil_returns"] == planned - exempted - returned
        assert (row["late"], row["late_percent"], row["not_ready"]) == (0, 0.0, 0)
    assert [m["total"] for m in figures["ratings_by_month"]] == [33, 27, 23]
    assert figures["ratings_by_month"][0]["counts"] == {
        "outstanding": 1,
        "good": 10,
        "requires_improvement": 12,
        "inadequate": 10,
        "not_graded": 0,
    }


def test_late_returns_and_not_ready_are_counted_per_month():
    load_rows(
        [
            tracker_row("2026-10", due_on="2026-10-25", submitted_on="2026-10-26"),
            tracker_row("2026-10", due_on="2026-10-25", submitted_on="2026-10-25"),
            tracker_row("2026-10", due_on="2026-10-25", submitted_on="2026-11-02"),
            tracker_row("2026-10", "not_ready", due_on="2026-10-25", submitted_on="2026-11-03"),
            tracker_row("2026-10", "exempted"),
        ]
    )
    october = report_figures(datetime.date(2026, 10, 1))["returns"][-1]
    assert october == {
        "month": "2026-10",
        "planned": 5,
        "exempted": 1,
        "scheduled": 4,
        "returned": 3,
        "returned_percent": 75.0,
        "late": 2,
        "late_percent": 66.7,
        "nil_returns": 0,
        "not_ready": 1,
    }


def test_seed_002_moderation_figures():
    # One month shaped like the seed's period: 229 returned, 60 moderated (16 Good, 34 RI, 10 Inadequate
    # after moderation), 29 grades supported and 31 downgraded.
    rows = graded_rows("2023-11", {"GOOD": 169})
    moderated = [("GOOD", "GOOD")] * 16 + [("RI", "RI")] * 13 + [("GOOD", "RI")] * 21 + [("RI", "INADEQUATE")] * 10
    rows += [tracker_row("2023-11", auditor_grade=a, moderator="mod", moderator_grade=m) for a, m in moderated]
    load_rows(rows)

    figures = report_figures(datetime.date(2023, 11, 1))

    assert figures["moderation"] == {
        "returned": 229,
        "moderated": 60,
        "moderated_percent": 26.2,
        "agreed": 29,
        "upgraded": 0,
        "downgraded": 31,
        "downgraded_percent": 51.7,
    }
    assert figures["primary_vs_moderated"]["final"]["counts"] == {
        "outstanding": 0,
        "good": 16,
        "requires_improvement": 34,
        "inadequate": 10,
    }


# --- Seed 003 (Tameside, Sep 2023): primary against moderated grades ---------------------------------------


def test_seed_003_primary_against_moderated_september():
    pairs = [("INADEQUATE", "INADEQUATE")] * 5 + [("RI", "INADEQUATE")] * 2 + [("RI", "RI")] * 7 + [("GOOD", "RI")] * 3
    rows = [tracker_row("2023-09", auditor_grade=a, moderator="mod", moderator_grade=m) for a, m in pairs]
    rows += graded_rows("2023-09", {"GOOD": 4})  # Not moderated: not in this table.
    load_rows(rows)

    figures = report_figures(datetime.date(2023, 9, 1))
    table = figures["primary_vs_moderated"]

    assert table["moderated"] == 17
    assert table["primary"]["counts"] == {"outstanding": 0, "good": 3, "requires_improvement": 9, "inadequate": 5}
    # The seed prints 18 / 53 / 29 and 0 / 59 / 41.
    assert table["primary"]["percent"] == {
        "outstanding": 0.0,
        "good": 17.6,
        "requires_improvement": 52.9,
        "inadequate": 29.4,
    }
    assert table["final"]["percent"] == {
        "outstanding": 0.0,
        "good": 0.0,
        "requires_improvement": 58.8,
        "inadequate": 41.2,
    }
    effect = figures["moderator_effect"][-1]
    assert effect == {
        "month": "2023-09",
        "moderated": 17,
        "upgraded_percent": 0.0,
        "downgraded_percent": 29.4,
        "inadequate_downgraded_percent": 28.6,  # 2 of the 7 the moderator graded Inadequate.
    }


def test_moderator_effect_over_five_months_with_upgrades_and_half_up_rounding():
    rows = []
    # July: 16 moderated, 1 upgraded (6.25% -> 6.3), 3 downgraded (18.75% -> 18.8), none Inadequate.
    rows += [tracker_row("2026-07", auditor_grade="RI", moderator="m", moderator_grade="GOOD")]
    rows += [tracker_row("2026-07", auditor_grade="GOOD", moderator="m", moderator_grade="RI") for _ in range(3)]
    rows += [tracker_row("2026-07", auditor_grade="GOOD", moderator="m", moderator_grade="GOOD") for _ in range(12)]
    # October: the moderator graded 2 Inadequate; the auditor had said Good for one.
    rows += [tracker_row("2026-10", auditor_grade="GOOD", moderator="m", moderator_grade="INADEQUATE")]
    rows += [tracker_row("2026-10", auditor_grade="INADEQUATE", moderator="m", moderator_grade="INADEQUATE")]
    rows += [tracker_row("2026-10", auditor_grade="INADEQUATE", moderator="m", moderator_grade="OUTSTANDING")]
    # A moderation still awaiting the moderator is not "moderated".
    rows += [tracker_row("2026-10", auditor_grade="GOOD")]
    load_rows(rows)

    effect = report_figures(datetime.date(2026, 10, 1))["moderator_effect"]

    assert [e["month"] for e in effect] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert effect[1] == {
        "month": "2026-07",
        "moderated": 16,
        "upgraded_percent": 6.3,
        "downgraded_percent": 18.8,
        "inadequate_downgraded_percent": None,
    }
    assert effect[2]["moderated"] == 0 and effect[2]["downgraded_percent"] is None
    assert effect[4] == {
        "month": "2026-10",
        "moderated": 3,
        "upgraded_percent": 33.3,
        "downgraded_percent": 33.3,
        "inadequate_downgraded_percent": 50.0,
    }


# --- Actions, Children of Concern, finalisation, teams ---------------------------------------------------


def _action(audit, due_on, completed_on=None):
    return Action.objects.create(
        audit=audit, description="Update the plan", owner=audit.auditor, due_on=due_on, completed_on=completed_on
    )


def test_actions_as_of_a_date_over_three_months_and_older_open_ones():
    august, october, may, november = load_rows(
        [tracker_row("2026-08"), tracker_row("2026-10"), tracker_row("2026-05"), tracker_row("2026-11")]
    )
    as_of = datetime.date(2026, 11, 10)
    _action(august, datetime.date(2026, 9, 1))  # overdue
    _action(august, datetime.date(2026, 9, 1), completed_on=datetime.date(2026, 9, 5))  # completed late
    _action(october, datetime.date(2026, 11, 30), completed_on=datetime.date(2026, 11, 1))  # on time
    _action(october, datetime.date(2026, 11, 10), completed_on=datetime.date(2026, 11, 10))  # on time (due day)
    _action(october, datetime.date(2026, 11, 10))  # not yet due (due today)
    _action(october, datetime.date(2026, 11, 30), completed_on=datetime.date(2026, 11, 20))  # completed after as_of
    _action(may, datetime.date(2026, 6, 1))  # older, still open
    _action(may, datetime.date(2026, 6, 1), completed_on=datetime.date(2026, 12, 1))  # older, open as of as_of
    _action(may, datetime.date(2026, 6, 1), completed_on=datetime.date(2026, 6, 2))  # older, closed
    _action(november, datetime.date(2026, 12, 1))  # a later month's audit: outside the report

    actions = report_figures(datetime.date(2026, 10, 1), as_of=as_of)["actions"]

    assert actions == {
        "total": 6,
        "overdue": 1,
        "completed_late": 1,
        "completed_on_time": 2,
        "not_yet_due": 2,
        "overdue_percent": 16.7,
        "completed_late_percent": 16.7,
        "completed_on_time_percent": 33.3,
        "not_yet_due_percent": 33.3,
        "older_open": 2,
    }


def test_children_of_concern_raised_in_the_month_and_resolved_by_as_of():
    load_rows(
        [
            tracker_row("2019-12", auditor_grade="INADEQUATE", coc_resolved_on="2020-01-05"),
            tracker_row("2019-12", auditor_grade="INADEQUATE", coc_resolved_on="2020-01-20"),
            tracker_row("2019-12", auditor_grade="INADEQUATE"),
            tracker_row("2019-11", auditor_grade="INADEQUATE"),
            tracker_row("2019-12", auditor_grade="GOOD"),
        ]
    )
    figures = report_figures(datetime.date(2019, 12, 1), as_of=datetime.date(2020, 1, 10))
    assert figures["children_of_concern"] == {"raised": 3, "resolved": 1, "open": 2}
    later = report_figures(datetime.date(2019, 12, 1), as_of=datetime.date(2020, 1, 31))
    assert later["children_of_concern"] == {"raised": 3, "resolved": 2, "open": 1}


def test_awaiting_finalisation_lists_months_up_to_the_report_month_oldest_first():
    moderated = {"moderator": "mod", "moderator_grade": "GOOD", "moderated_on": "2019-12-01"}
    load_rows(
        [
            tracker_row("2019-05", **moderated),
            tracker_row("2019-10", **moderated),
            tracker_row("2019-10", **moderated),
            tracker_row("2019-10", finalised_on="2019-12-20", **moderated),  # Finalised after as_of: still waiting.
            tracker_row("2019-11", finalised_on="2019-12-02", **moderated),  # Finalised: not listed.
            tracker_row("2019-11", moderator="mod", moderator_grade="GOOD", moderated_on="2020-01-03"),  # Later.
            tracker_row("2019-11"),  # Not moderated.
            tracker_row("2020-01", moderator="mod", moderator_grade="GOOD"),  # After the report month.
        ]
    )
    figures = report_figures(datetime.date(2019, 12, 1), as_of=datetime.date(2019, 12, 10))
    assert figures["awaiting_finalisation"] == [{"month": "2019-05", "count": 1}, {"month": "2019-10", "count": 3}]


def test_team_lists_for_the_month_three_and_six_months_sorted_by_name():
    rows = [
        # Zulu: allocated in October but nothing returned; once in 3 months (August).
        tracker_row("2026-10", "nil_return", team="Zulu"),
        tracker_row("2026-08", team="Zulu", auditor_grade="GOOD"),
        # Alpha: three Good/Outstanding in 6 months (May-Oct), one of them in May; April does not count.
        tracker_row("2026-05", team="Alpha", auditor_grade="OUTSTANDING"),
        tracker_row("2026-06", team="Alpha", auditor_grade="GOOD"),
        tracker_row("2026-10", team="Alpha", auditor_grade="GOOD"),
        tracker_row("2026-04", team="Alpha", auditor_grade="GOOD"),
        # Mike: three Inadequate in 6 months, one moderated down to it; exempted in October.
        tracker_row("2026-09", team="Mike", auditor_grade="INADEQUATE"),
        tracker_row("2026-09", team="Mike", auditor_grade="INADEQUATE"),
        tracker_row("2026-06", team="Mike", auditor_grade="RI", moderator="mod", moderator_grade="INADEQUATE"),
        tracker_row("2026-10", "exempted", team="Mike"),
        # alpha team (lower case) sorts after every capital, on every database.
        tracker_row("2026-10", "nil_return", team="alpha team"),
        # Bravo: returned once in 3 months and sent back once.
        tracker_row("2026-10", team="Bravo", auditor_grade="RI"),
        tracker_row("2026-09", "not_ready", team="Bravo"),
    ]
    load_rows(rows)

    teams = report_figures(datetime.date(2026, 10, 1))["teams"]

    assert teams == {
        "not_audited": ["Mike", "Zulu", "alpha team"],
        "audited_once_in_3_months": ["Alpha", "Bravo", "Zulu"],
        "three_plus_good_6_months": ["Alpha"],
        "three_plus_inadequate_6_months": ["Mike"],
    }


def test_practice_area_ratings_for_the_month_and_three_months_leave_out_not_applicable():
    load_rows(
        [
            tracker_row("2026-10", **{"area:assessment": "GOOD", "area:planning": "INADEQUATE", "area:review": "NA"}),
            tracker_row("2026-10", **{"area:assessment": "RI", "area:planning": "RI"}),
            tracker_row("2026-08", **{"area:assessment": "OUTSTANDING", "area:response-to-risk": "GOOD"}),
            tracker_row("2026-07", **{"area:assessment": "INADEQUATE"}),  # Before the three months.
            tracker_row("2026-10", "not_ready", **{"area:assessment": "INADEQUATE"}),  # Not returned.
        ]
    )
    areas = {row["area"]: row for row in practice_area_ratings(datetime.date(2026, 10, 1))}

    assert list(areas) == ["Response to risk", "Assessment", "Planning"]  # The template's order.
    assert areas["Response to risk"]["month"]["total"] == 0
    assert areas["Assessment"]["month"]["counts"] == {
        "outstanding": 0,
        "good": 1,
        "requires_improvement": 1,
        "inadequate": 0,
    }
    assert areas["Assessment"]["three_months"]["counts"]["outstanding"] == 1
    assert areas["Assessment"]["three_months"]["percent"]["outstanding"] == 33.3
    assert areas["Planning"]["month"]["percent"] == {
        "outstanding": 0.0,
        "good": 0.0,
        "requires_improvement": 50.0,
        "inadequate": 50.0,
    }


# --- Speed: a constant number of queries ------------------------------------------------------------------


def _history(months, per_month):
    rows = []
    for month in months:
        for n in range(per_month):
            rows.append(
                tracker_row(
                    month,
                    team=f"Team {n % 4}",
                    legal_status=LegalStatus.values[n % 6],
                    auditor_grade=("GOOD", "RI", "INADEQUATE")[n % 3],
                    moderator="mod" if n % 2 else "",
                    moderator_grade="RI" if n % 2 else "",
                )
            )
    audits = load_rows(rows)
    owner = UserFactory()
    Action.objects.bulk_create(
        Action(audit=a, description="x", owner=owner, due_on=datetime.date(2026, 11, 1)) for a in audits
    )


def test_figures_take_the_same_number_of_queries_for_one_month_and_for_a_year(django_assert_num_queries):
    _history(["2026-10"], 2)
    # 14: one aggregate query for the re-audits block, two count the learning themes (reports.themes).
    with django_assert_num_queries(14):
        report_figures(datetime.date(2026, 10, 1))
    _history([f"2025-{m:02d}" for m in range(1, 13)] + ["2026-09", "2026-10"], 12)
    with django_assert_num_queries(14):
        figures = report_figures(datetime.date(2026, 10, 1))
    assert figures["returns"][-1]["planned"] == 14
