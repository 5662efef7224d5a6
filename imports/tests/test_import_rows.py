"""The tracker importer on rows in memory: mapping to the product's records, every column's checks, all or nothing."""

import datetime

import pytest
import time_machine
from django.contrib.auth import authenticate

from actions.models import Action, ChildOfConcern
from audits.models import AreaGrade, Audit, Policy
from audits.tests.factories import AuditFactory, TemplateVersionFactory
from caseload.models import Child
from caseload.tests.factories import ChildFactory
from common.workdays import add_working_days
from imports.services import import_tracker_rows
from moderation.models import Moderation
from people.models import ServiceArea, Team, User
from people.tests.factories import AuditorFactory, ServiceAreaFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    """The rows' dates are fixed, so "in the future" is judged from a fixed day: 21 Nov 2026."""
    with time_machine.travel(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


def tracker_row(**overrides):
    """A valid returned row; override any column (None removes it from the row)."""
    row = {
        "audit_ref": "A-1",
        "month": "2026-09",
        "team": "North Assessment",
        "service_area": "Children's Social Care",
        "child_ref": "CH-001",
        "legal_status": "CIN",
        "auditor": "asmith",
        "outcome": "returned",
        "due_on": "2026-09-25",
        "submitted_on": "2026-09-22",
        "auditor_grade": "GOOD",
    }
    row.update(overrides)
    return {key: value for key, value in row.items() if value is not None}


def problems_of(result):
    return [str(p) for p in result.problems]


def assert_nothing_written():
    assert Audit.objects.count() == 0
    assert Child.objects.count() == 0
    assert Team.objects.count() == 0
    assert ServiceArea.objects.count() == 0
    assert User.objects.count() == 0
    assert Moderation.objects.count() == 0
    assert Action.objects.count() == 0
    assert ChildOfConcern.objects.count() == 0
    assert AreaGrade.objects.count() == 0


def test_returned_row_becomes_a_submitted_audit_with_its_snapshot():
    result = import_tracker_rows(
        [
            tracker_row(
                at_risk="no",
                sw_participated="Y",
                manager_participated="false",
                iro_views="NA",
                child_feedback="Positive",
                parent_feedback="",
                **{"area:assessment": "ri", "area:planning": "na", "area:review": ""},
            )
        ]
    )

    assert result.ok, problems_of(result)
    audit = Audit.objects.select_related("team__service_area", "child", "auditor", "template").get()
    assert audit.external_ref == "A-1"
    assert audit.month == datetime.date(2026, 9, 1)
    assert audit.team.name == "North Assessment"
    assert audit.team.service_area.name == "Children's Social Care"
    assert audit.service_area == audit.team.service_area
    assert audit.child.case_ref == "CH-001"
    assert audit.child.team == audit.team
    assert audit.legal_status == audit.child.legal_status == "CIN"
    assert audit.auditor.username == "asmith"
    assert audit.status == Audit.Status.SUBMITTED
    assert audit.submitted_on == datetime.date(2026, 9, 22)
    assert audit.due_on == datetime.date(2026, 9, 25)
    assert audit.auditor_grade == audit.final_grade == "good"
    assert audit.at_risk is False
    assert audit.sw_participated is True
    assert audit.manager_participated is False
    assert audit.child_spoken_to is None  # column absent: not recorded
    assert audit.iro_views == "na"
    assert audit.child_feedback == "positive"
    assert audit.parent_feedback == ""
    assert audit.template == TemplateVersionFactory()
    grades = dict(audit.area_grades.values_list("area__slug", "grade"))
    assert grades == {"assessment": "requires_improvement", "planning": "na"}
    assert result.counts["audits"]["created"] == 1
    assert result.counts["area_grades"]["created"] == 2


@pytest.mark.parametrize(
    ("outcome", "extra", "status"),
    [
        ("exempted", {"exemption_reason": "Long-term sick"}, Audit.Status.EXEMPTED),
        ("nil_return", {}, Audit.Status.NIL_RETURN),
        ("not_ready", {"submitted_on": "2026-09-20", "auditor_grade": "RI"}, Audit.Status.SENT_BACK),
        ("Returned", {}, Audit.Status.SUBMITTED),
    ],
)
def test_each_outcome_maps_to_the_audit_status(outcome, extra, status):
    blank = {"submitted_on": None, "auditor_grade": None} if outcome in ("exempted", "nil_return") else {}
    result = import_tracker_rows([tracker_row(outcome=outcome, **{**blank, **extra})])

    assert result.ok, problems_of(result)
    audit = Audit.objects.get()
    assert audit.status == status
    assert audit.exemption_reason == extra.get("exemption_reason", "")
    # Only a returned audit has a final grade: the product's own rule.
    assert audit.final_grade == ("good" if status == Audit.Status.SUBMITTED else "")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("audit_ref", "R" * 81, "is 81 characters long; at most 80 fit"),
        ("month", "2026/09", '"2026/09" is not a month (use YYYY-MM)'),
        ("month", "2026-13", '"2026-13" is not a month (use YYYY-MM)'),
        ("month", "0000-05", '"0000-05" is not a month (use YYYY-MM)'),
        ("team", "T" * 121, "is 121 characters long; at most 120 fit"),
        ("service_area", "S" * 101, "is 101 characters long; at most 100 fit"),
        ("child_ref", "C" * 41, "is 41 characters long; at most 40 fit"),
        ("legal_status", "Looked after", '"Looked after" is not a legal status'),
        ("auditor", "a smith", '"a smith" is not a username'),
        ("auditor", "a" * 151, "is 151 characters long; a username has at most 150"),
        ("outcome", "done", '"done" is not an outcome (use returned, exempted, nil_return or not_ready)'),
        ("due_on", "25-09-2026", '"25-09-2026" is not a date (use YYYY-MM-DD or DD/MM/YYYY)'),
        ("due_on", "31/02/2026", '"31/02/2026" is not a real date'),
        ("due_on", "2026-02-30", '"2026-02-30" is not a real date'),
        ("submitted_on", "2026-9-22", '"2026-9-22" is not a date (use YYYY-MM-DD or DD/MM/YYYY)'),
        ("auditor_grade", "Excellent", '"Excellent" is not a grade (use OUTSTANDING, GOOD, RI or INADEQUATE)'),
        ("at_risk", "maybe", '"maybe" is not yes or no'),
        ("moderator", "mod erator", '"mod erator" is not a username'),
        ("finalised_on", "soon", '"soon" is not a date'),
        ("sw_participated", "2", '"2" is not yes or no'),
        ("manager_participated", "ja", '"ja" is not yes or no'),
        ("child_spoken_to", "sometimes", '"sometimes" is not yes or no'),
        ("parent_spoken_to", "x", '"x" is not yes or no'),
        ("iro_views", "partly", '"partly" is not yes, no or na'),
        ("child_feedback", "happy", '"happy" is not positive, mixed or negative'),
        ("parent_feedback", "good", '"good" is not positive, mixed or negative'),
        ("coc_resolved_on", "2026-99-01", '"2026-99-01" is not a real date'),
        ("exemption_reason", "bad\x00byte", "contains a NUL character, which cannot be stored"),
        ("area:assessment", "Fine", '"Fine" is not a grade (use OUTSTANDING, GOOD, RI, INADEQUATE or NA)'),
    ],
)
def test_each_column_rejects_a_bad_value_with_row_and_column(column, value, message):
    good = tracker_row(audit_ref="A-0")
    result = import_tracker_rows([good, tracker_row(**{column: value})])

    # The message starts with what is wrong; some go on to list the accepted values.
    [problem] = problems_of(result)
    assert problem.startswith(f"ROW 3, COLUMN {column}: {message}")
    assert_nothing_written()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("moderator_grade", "Top", '"Top" is not a grade (use OUTSTANDING, GOOD, RI or INADEQUATE)'),
        ("moderated_on", "yesterday", '"yesterday" is not a date (use YYYY-MM-DD or DD/MM/YYYY)'),
    ],
)
def test_moderation_columns_reject_bad_values(column, value, message):
    moderated = {"moderator": "mod1", "moderator_grade": "GOOD", "moderated_on": "2026-10-01"}
    result = import_tracker_rows([tracker_row(**{**moderated, column: value})])

    [problem] = problems_of(result)
    assert problem.startswith(f"ROW 2, COLUMN {column}: {message}")


@pytest.mark.parametrize(
    "column",
    ["audit_ref", "month", "team", "service_area", "child_ref", "legal_status", "auditor", "outcome", "due_on"],
)
def test_each_required_column_must_not_be_blank(column):
    result = import_tracker_rows([tracker_row(**{column: "  "})])

    assert problems_of(result) == [f"ROW 2, COLUMN {column}: is required but blank"]


@pytest.mark.parametrize("column", ["audit_ref", "month", "auditor", "due_on"])
def test_a_missing_required_column_is_reported_on_the_header_row(column):
    result = import_tracker_rows([tracker_row(**{column: None})])

    assert problems_of(result) == [f"ROW 1, COLUMN {column}: this required column is missing"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("OUTSTANDING", "outstanding"), ("good", "good"), ("Ri", "requires_improvement")]
    + [("REQUIRES IMPROVEMENT", "requires_improvement"), ("requires  improvement", "requires_improvement")]
    + [("Inadequate", "inadequate")],
)
def test_grades_are_read_in_any_case(text, expected):
    result = import_tracker_rows([tracker_row(auditor_grade=text)])

    assert result.ok, problems_of(result)
    assert Audit.objects.get().auditor_grade == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("no", False), ("n", False)]
    + [("False", False), ("0", False), ("", None)],
)
def test_yes_no_columns_accept_every_spelling_and_blank_is_not_recorded(text, expected):
    result = import_tracker_rows([tracker_row(child_spoken_to=text)])

    assert result.ok, problems_of(result)
    assert Audit.objects.get().child_spoken_to is expected


@pytest.mark.parametrize("text", ["ASSESSMENT", "cin", "Cp", "CLA", "care_leaver", "Care Leaver", "cwd"])
def test_legal_status_is_read_in_any_case(text):
    result = import_tracker_rows([tracker_row(legal_status=text)])

    assert result.ok, problems_of(result)
    assert Audit.objects.get().legal_status == text.upper().replace(" ", "_")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"submitted_on": ""}, ["ROW 2, COLUMN submitted_on: is required when the outcome is returned"]),
        ({"auditor_grade": ""}, ["ROW 2, COLUMN auditor_grade: is required when the outcome is returned"]),
        (
            {"moderator": "mod1"},
            [
                "ROW 2, COLUMN moderator_grade: is required when a moderator is named",
                "ROW 2, COLUMN moderated_on: is required when a moderator is named",
            ],
        ),
    ],
)
def test_rules_between_the_cells_of_a_row(overrides, expected):
    result = import_tracker_rows([tracker_row(**overrides)])

    assert problems_of(result) == expected
    assert_nothing_written()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"outcome": "nil_return"},
            [
                "ROW 2, COLUMN submitted_on: is given but an audit with outcome nil_return was not submitted; "
                "imported as it stands",
                "ROW 2, COLUMN auditor_grade: is given but an audit with outcome nil_return was not submitted; "
                "imported as it stands",
            ],
        ),
        (
            {"moderator_grade": "GOOD"},
            ["ROW 2, COLUMN moderator_grade: is given but no moderator is named, so it is not imported"],
        ),
        (
            {"outcome": "not_ready", "moderator": "m1", "moderator_grade": "GOOD", "moderated_on": "2026-10-01"},
            ["ROW 2, COLUMN moderator: is given but only returned audits are moderated; imported as it stands"],
        ),
        (
            {"moderator": "m1", "moderator_grade": "GOOD", "moderated_on": "2026-09-01"},
            ["ROW 2, COLUMN moderated_on: is before submitted_on (2026-09-22); imported as it stands"],
        ),
        (
            {"moderator": "m1", "moderator_grade": "GOOD", "moderated_on": "2026-10-01", "finalised_on": "2026-09-30"},
            ["ROW 2, COLUMN finalised_on: is before moderated_on (2026-10-01); imported as it stands"],
        ),
        (
            {"coc_resolved_on": "2026-10-01"},
            [
                "ROW 2, COLUMN coc_resolved_on: is given but the final grade is not Inadequate, "
                "so there is no Child of Concern; not imported"
            ],
        ),
        (
            {"auditor_grade": "INADEQUATE", "coc_resolved_on": "2026-09-21"},
            [
                "ROW 2, COLUMN coc_resolved_on: is before the day the product would have raised the Child of "
                "Concern (2026-09-22); imported as it stands"
            ],
        ),
        ({"submitted_on": "2026-12-01"}, ["ROW 2, COLUMN submitted_on: 2026-12-01 is in the future"]),
    ],
)
def test_implausible_but_allowed_values_import_with_a_warning(overrides, expected):
    """Contracts section 1: only the contract's rules refuse a file; the rest is imported as it stands and listed."""
    result = import_tracker_rows([tracker_row(**overrides)])

    assert result.ok, problems_of(result)
    assert [str(w) for w in result.warnings] == expected
    assert result.warnings_total == len(expected)
    assert Audit.objects.count() == 1


def test_a_row_with_a_bad_cell_still_reports_the_rules_its_other_cells_break():
    result = import_tracker_rows([tracker_row(month="2026-13", submitted_on="", moderator="mjones")])

    assert problems_of(result) == [
        'ROW 2, COLUMN month: "2026-13" is not a month (use YYYY-MM)',
        "ROW 2, COLUMN submitted_on: is required when the outcome is returned",
        "ROW 2, COLUMN moderator_grade: is required when a moderator is named",
        "ROW 2, COLUMN moderated_on: is required when a moderator is named",
    ]
    assert_nothing_written()


def test_a_bad_cell_is_reported_once_not_again_by_the_rules_that_need_it():
    result = import_tracker_rows([tracker_row(submitted_on="22.09.2026", auditor_grade="great")])

    assert problems_of(result) == [
        'ROW 2, COLUMN submitted_on: "22.09.2026" is not a date (use YYYY-MM-DD or DD/MM/YYYY)',
        'ROW 2, COLUMN auditor_grade: "great" is not a grade (use OUTSTANDING, GOOD, RI or INADEQUATE)',
    ]


def test_a_duplicate_audit_ref_names_the_first_row_even_when_the_row_has_other_mistakes():
    result = import_tracker_rows(
        [tracker_row(), tracker_row(audit_ref="A-2"), tracker_row(month="Sept", child_ref="CH-9")]
    )

    assert problems_of(result) == [
        'ROW 4, COLUMN audit_ref: "A-1" is already used by row 2; each audit_ref must be unique',
        'ROW 4, COLUMN month: "Sept" is not a month (use YYYY-MM)',
    ]


def test_a_nul_in_a_cell_quoted_by_a_message_is_shown_not_stored_raw():
    result = import_tracker_rows([tracker_row(audit_ref="A\x00"), tracker_row(audit_ref="A\x00")])

    assert "\x00" not in "".join(problems_of(result))
    assert 'ROW 3, COLUMN audit_ref: "A\\x00" is already used by row 2; each audit_ref must be unique' in problems_of(
        result
    )


def test_an_area_column_must_name_an_area_of_the_current_template():
    result = import_tracker_rows([tracker_row(**{"area:made-up": "GOOD"})])

    assert len(result.problems) == 1
    assert str(result.problems[0]).startswith(
        'ROW 1, COLUMN area:made-up: the current practice-area template has no area "made-up"'
    )


def test_columns_outside_the_format_are_ignored_and_reported():
    result = import_tracker_rows([tracker_row(notes="=HYPERLINK(1)")])

    assert result.ok
    assert result.ignored_columns == ["AUDITS: notes"]
    assert "Ignored columns (not in the tracker format): AUDITS: notes." in result.summary_lines()


def test_one_bad_row_among_good_ones_writes_nothing_and_lists_every_problem():
    rows = [tracker_row(audit_ref=f"A-{i}", child_ref=f"CH-{i}") for i in range(5)]
    rows[1]["month"] = "last month"
    rows[3]["auditor_grade"] = "meh"
    actions = [{"action_ref": "X-1", "audit_ref": "A-0", "description": "Do it", "owner": "o1", "due_on": "oops"}]

    result = import_tracker_rows(rows, actions)

    assert problems_of(result) == [
        'ROW 3, COLUMN month: "last month" is not a month (use YYYY-MM)',
        'ROW 5, COLUMN auditor_grade: "meh" is not a grade (use OUTSTANDING, GOOD, RI or INADEQUATE)',
        'ROW 2, COLUMN due_on: "oops" is not a date (use YYYY-MM-DD or DD/MM/YYYY)',
    ]
    assert [p.file for p in result.problems] == ["AUDITS", "AUDITS", "ACTIONS"]
    assert_nothing_written()


def test_a_failure_while_writing_rolls_everything_back(monkeypatch):
    from imports import writer

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer.TrackerImport, "apply_concerns", broken)
    with pytest.raises(RuntimeError):
        import_tracker_rows([tracker_row()])

    assert_nothing_written()


def test_dry_run_counts_what_would_be_created_and_writes_nothing():
    rows = [
        tracker_row(),
        tracker_row(audit_ref="A-2", child_ref="CH-2", team="South", service_area="Early Help", auditor="b"),
        tracker_row(
            audit_ref="A-3",
            auditor_grade="INADEQUATE",
            moderator="mod",
            moderator_grade="INADEQUATE",
            moderated_on="2026-10-01",
        ),
    ]
    actions = [{"action_ref": "X-1", "audit_ref": "A-3", "description": "Plan", "owner": "mgr", "due_on": "2026-12-01"}]

    result = import_tracker_rows(rows, actions, dry_run=True)

    assert result.ok and not result.written
    created = {key: value["created"] for key, value in result.counts.items()}
    assert created == {
        "audits": 3,
        "actions": 1,
        "teams": 2,
        "service_areas": 2,
        "users": 4,
        "children": 2,
        "moderations": 1,
        "children_of_concern": 1,
        "area_grades": 0,
    }
    assert result.summary_lines()[:2] == [
        "Dry run: checked 3 audit rows and 1 action rows; nothing was written.",
        "Would create: 3 audits, 1 action, 2 teams, 2 service areas, 4 users, 2 children, 1 moderation, "
        "1 child of concern, 0 practice-area grades.",
    ]
    assert_nothing_written()


def test_dry_run_of_a_re_import_counts_updates():
    import_tracker_rows([tracker_row(), tracker_row(audit_ref="A-2")])

    result = import_tracker_rows([tracker_row(auditor_grade="RI"), tracker_row(audit_ref="A-2")], dry_run=True)

    assert result.counts["audits"] == {"created": 0, "updated": 1, "removed": 0}
    assert Audit.objects.get(external_ref="A-1").auditor_grade == "good"


def snapshot():
    """Every record an import makes, as comparable values."""
    return {
        "audits": list(Audit.objects.order_by("pk").values()),
        "grades": list(AreaGrade.objects.order_by("pk").values()),
        "moderations": list(Moderation.objects.order_by("pk").values()),
        "concerns": list(ChildOfConcern.objects.order_by("pk").values()),
        "actions": list(Action.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values("username", "is_active", "password")),
        "children": list(Child.objects.order_by("pk").values()),
        "teams": list(Team.objects.order_by("pk").values("name", "service_area_id")),
    }


def test_importing_the_same_rows_twice_changes_nothing():
    rows = [
        tracker_row(**{"area:assessment": "GOOD"}),
        tracker_row(
            audit_ref="A-2",
            child_ref="CH-2",
            auditor_grade="RI",
            moderator="mod",
            moderator_grade="INADEQUATE",
            moderated_on="2026-10-02",
            coc_resolved_on="2026-10-20",
        ),
        tracker_row(audit_ref="A-3", outcome="nil_return", submitted_on="", auditor_grade=""),
    ]
    actions = [{"action_ref": "X-1", "audit_ref": "A-2", "description": "Plan", "owner": "mgr", "due_on": "2026-11-01"}]
    first = import_tracker_rows(rows, actions)
    before = snapshot()

    second = import_tracker_rows(rows, actions)

    assert first.ok and second.ok
    assert snapshot() == before
    assert all(v["created"] == v["updated"] == v["removed"] == 0 for v in second.counts.values())


def test_re_importing_a_changed_row_updates_the_same_audit():
    import_tracker_rows([tracker_row(**{"area:assessment": "GOOD", "area:planning": "RI"})])
    audit_id = Audit.objects.get().pk

    result = import_tracker_rows(
        [tracker_row(auditor_grade="OUTSTANDING", **{"area:assessment": "OUTSTANDING", "area:planning": ""})]
    )

    assert result.ok, problems_of(result)
    audit = Audit.objects.get()
    assert audit.pk == audit_id
    assert audit.auditor_grade == audit.final_grade == "outstanding"
    assert dict(audit.area_grades.values_list("area__slug", "grade")) == {"assessment": "outstanding"}
    assert result.counts["audits"]["updated"] == 1
    assert result.counts["area_grades"] == {"created": 0, "updated": 1, "removed": 1}


def test_a_column_left_out_of_a_re_import_leaves_its_field_alone():
    import_tracker_rows([tracker_row(child_feedback="negative", at_risk="yes", auditor_grade="RI")])

    result = import_tracker_rows([tracker_row(auditor_grade="RI")])

    assert result.ok
    audit = Audit.objects.get()
    assert audit.child_feedback == "negative"
    assert audit.at_risk is True


def test_unknown_users_are_created_inactive_and_cannot_sign_in():
    existing = AuditorFactory(username="known", is_moderator=False)
    actions = [{"action_ref": "X", "audit_ref": "A-1", "description": "d", "owner": "owner1", "due_on": "2026-12-01"}]

    import_tracker_rows(
        [tracker_row(auditor="newbie", moderator="known", moderator_grade="GOOD", moderated_on="2026-10-01")],
        actions,
    )

    newbie = User.objects.get(username="newbie")
    owner = User.objects.get(username="owner1")
    for user in (newbie, owner):
        assert user.is_active is False
        assert user.has_usable_password() is False
        assert authenticate(username=user.username, password="") is None
        assert authenticate(username=user.username, password="demo") is None
    assert newbie.is_auditor is True
    assert owner.is_auditor is False
    existing.refresh_from_db()
    assert existing.is_active is True and existing.is_moderator is False  # an existing account is left as it is
    assert Moderation.objects.get().moderator == existing


def test_an_existing_child_keeps_its_team_and_the_audit_keeps_the_rows_snapshot():
    team = TeamFactory(name="Old Team")
    child = ChildFactory(case_ref="CH-001", team=team, legal_status="CIN")

    import_tracker_rows([tracker_row(team="New Team", legal_status="CLA")])

    child.refresh_from_db()
    audit = Audit.objects.get()
    assert audit.child == child
    assert child.team == team and child.legal_status == "CIN"
    assert audit.team.name == "New Team" and audit.legal_status == "CLA"


def test_teams_and_service_areas_match_ignoring_case():
    area = ServiceAreaFactory(name="Early Help")
    team = TeamFactory(name="Family Hub", service_area=area)

    result = import_tracker_rows([tracker_row(team="FAMILY HUB", service_area="early help")])

    assert result.counts["teams"]["created"] == 0 and result.counts["service_areas"]["created"] == 0
    assert Audit.objects.get().team == team


def test_a_new_child_takes_the_team_and_status_of_its_latest_row():
    import_tracker_rows(
        [
            tracker_row(audit_ref="A-1", month="2026-08", team="Later Team", legal_status="CLA"),
            tracker_row(audit_ref="A-2", month="2026-06", team="Earlier Team", legal_status="CIN"),
        ]
    )

    child = Child.objects.get()
    assert child.team.name == "Later Team" and child.legal_status == "CLA"


@pytest.mark.parametrize(
    ("auditor_grade", "moderator_grade", "outcome", "final"),
    [
        ("GOOD", "GOOD", "agreed", "good"),
        ("RI", "GOOD", "upgraded", "good"),
        ("OUTSTANDING", "RI", "downgraded", "requires_improvement"),
    ],
)
def test_a_moderated_row_makes_a_completed_moderation_and_the_moderators_grade_is_final(
    auditor_grade, moderator_grade, outcome, final
):
    import_tracker_rows(
        [
            tracker_row(
                auditor_grade=auditor_grade,
                moderator="mod1",
                moderator_grade=moderator_grade,
                moderated_on="2026-10-03",
                finalised_on="2026-10-09",
            )
        ]
    )

    moderation = Moderation.objects.select_related("audit", "moderator").get()
    assert moderation.status == Moderation.Status.COMPLETED
    assert moderation.sample_reason == Moderation.SampleReason.IMPORTED
    assert moderation.moderator.username == "mod1"
    assert moderation.grade == moderator_grade.lower().replace("ri", "requires_improvement")
    assert moderation.outcome == outcome
    assert moderation.moderated_on == datetime.date(2026, 10, 3)
    assert moderation.audit.final_grade == final
    assert moderation.audit.finalised_on == datetime.date(2026, 10, 9)


def test_removing_the_moderator_on_re_import_removes_the_imported_moderation_only():
    moderated = {"moderator": "mod1", "moderator_grade": "RI", "moderated_on": "2026-10-03"}
    import_tracker_rows([tracker_row(**moderated)])
    assert Audit.objects.get().final_grade == "requires_improvement"

    result = import_tracker_rows([tracker_row(moderator="")])

    assert result.counts["moderations"]["removed"] == 1
    assert not Moderation.objects.exists()
    assert Audit.objects.get().final_grade == "good"


def test_a_moderation_made_in_the_product_survives_a_re_import_and_still_decides_the_final_grade():
    import_tracker_rows([tracker_row()])
    audit = Audit.objects.get()
    Moderation.objects.create(
        audit=audit,
        sample_reason=Moderation.SampleReason.RANDOM,
        status=Moderation.Status.COMPLETED,
        grade="inadequate",
    )

    result = import_tracker_rows([tracker_row(moderator="", child_feedback="mixed")])

    assert result.ok
    audit.refresh_from_db()
    assert Moderation.objects.get().grade == "inadequate"
    assert audit.final_grade == "inadequate"


def test_an_inadequate_auditor_grade_raises_a_child_of_concern_on_the_submission_day_without_email(mailoutbox):
    import_tracker_rows([tracker_row(auditor_grade="INADEQUATE")])

    concern = ChildOfConcern.objects.select_related("audit", "child").get()
    assert concern.trigger == ChildOfConcern.Trigger.INADEQUATE
    assert concern.child == concern.audit.child
    assert concern.raised_on == datetime.date(2026, 9, 22)
    assert concern.response_due_on == add_working_days(
        datetime.date(2026, 9, 22), Policy.current().coc_response_working_days
    )
    assert concern.status == ChildOfConcern.Status.AWAITING_RESPONSE
    assert concern.notified_at is not None
    assert mailoutbox == []


def test_a_moderators_inadequate_grade_raises_the_concern_on_the_moderation_day_and_resolves_it():
    import_tracker_rows(
        [
            tracker_row(
                auditor_grade="RI",
                moderator="mod1",
                moderator_grade="INADEQUATE",
                moderated_on="2026-10-05",
                coc_resolved_on="2026-10-30",
            )
        ]
    )

    concern = ChildOfConcern.objects.get()
    assert concern.raised_on == datetime.date(2026, 10, 5)
    assert concern.status == ChildOfConcern.Status.RESOLVED
    assert concern.resolved_on == datetime.date(2026, 10, 30)


def test_a_moderator_lifting_an_inadequate_grade_raises_no_concern():
    import_tracker_rows(
        [tracker_row(auditor_grade="INADEQUATE", moderator="m", moderator_grade="RI", moderated_on="2026-10-01")]
    )

    assert not ChildOfConcern.objects.exists()


def test_re_importing_resolves_an_open_concern_and_a_lifted_grade_is_marked():
    import_tracker_rows(
        [tracker_row(auditor_grade="INADEQUATE"), tracker_row(audit_ref="A-2", auditor_grade="INADEQUATE")]
    )

    result = import_tracker_rows(
        [
            tracker_row(auditor_grade="INADEQUATE", coc_resolved_on="2026-10-10"),
            tracker_row(audit_ref="A-2", auditor_grade="INADEQUATE", moderator="m", moderator_grade="GOOD")
            | {"moderated_on": "2026-10-01"},
        ]
    )

    assert result.ok, problems_of(result)
    resolved = ChildOfConcern.objects.get(audit__external_ref="A-1")
    lifted = ChildOfConcern.objects.get(audit__external_ref="A-2")
    assert resolved.status == ChildOfConcern.Status.RESOLVED and resolved.resolved_on == datetime.date(2026, 10, 10)
    assert lifted.grade_lifted_at is not None and lifted.status == ChildOfConcern.Status.AWAITING_RESPONSE
    assert result.counts["children_of_concern"] == {"created": 0, "updated": 2, "removed": 0}


def test_actions_are_linked_to_audits_in_the_file_or_already_imported():
    import_tracker_rows([tracker_row(audit_ref="OLD-1")])
    product_audit = AuditFactory()  # made in the product: it has no audit_ref, so actions cannot name it
    actions = [
        {
            "action_ref": "X-1",
            "audit_ref": "A-1",
            "description": "Update the plan",
            "owner": "mgr",
            "due_on": "2026-10-15",
        }
        | {"completed_on": "2026-10-14"},
        {
            "action_ref": "X-2",
            "audit_ref": "OLD-1",
            "description": "Chronology",
            "owner": "mgr",
            "due_on": "2026-11-30",
        },
    ]

    result = import_tracker_rows([tracker_row()], actions)

    assert result.ok, problems_of(result)
    first = Action.objects.select_related("audit", "owner").get(external_ref="X-1")
    assert first.audit.external_ref == "A-1"
    assert first.description == "Update the plan"
    assert first.owner.username == "mgr" and not first.owner.is_active
    assert first.due_on == datetime.date(2026, 10, 15) and first.completed_on == datetime.date(2026, 10, 14)
    assert Action.objects.get(external_ref="X-2").audit.external_ref == "OLD-1"
    assert not product_audit.actions.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"audit_ref": "NOPE"}, 'ROW 2, COLUMN audit_ref: "NOPE" is neither in the audits file nor already imported'),
        ({"description": ""}, "ROW 2, COLUMN description: is required but blank"),
        ({"owner": "no body"}, 'ROW 2, COLUMN owner: "no body" is not a username (letters, digits and @ . + - _ only)'),
        ({"due_on": "2026-11-31"}, 'ROW 2, COLUMN due_on: "2026-11-31" is not a real date'),
        ({"action_ref": "X" * 81}, "ROW 2, COLUMN action_ref: is 81 characters long; at most 80 fit"),
    ],
)
def test_each_action_column_is_checked(overrides, message):
    action = {"action_ref": "X-1", "audit_ref": "A-1", "description": "d", "owner": "mgr", "due_on": "2026-12-01"}

    result = import_tracker_rows([tracker_row()], [action | overrides])

    assert problems_of(result) == [message]
    assert_nothing_written()


def test_a_duplicate_action_ref_is_a_problem_and_a_re_import_updates_the_action():
    action = {"action_ref": "X-1", "audit_ref": "A-1", "description": "d", "owner": "mgr", "due_on": "2026-12-01"}
    assert problems_of(import_tracker_rows([tracker_row()], [action, action])) == [
        'ROW 3, COLUMN action_ref: "X-1" is already used by row 2; each action_ref must be unique'
    ]
    import_tracker_rows([tracker_row()], [action])

    result = import_tracker_rows([tracker_row()], [action | {"completed_on": "2026-11-20"}])

    assert result.counts["actions"] == {"created": 0, "updated": 1, "removed": 0}
    assert Action.objects.get().completed_on == datetime.date(2026, 11, 20)


def test_hostile_cells_are_stored_as_plain_text():
    formula = "=cmd|' /C calc'!A0"
    html = "<script>alert('x')</script>"
    long_text = "x" * 100_000
    rows = [
        tracker_row(outcome="exempted", submitted_on="", auditor_grade="", exemption_reason=formula),
        tracker_row(audit_ref=html, child_ref="+SUM(A1)", outcome="exempted", submitted_on="", auditor_grade="")
        | {"exemption_reason": long_text},
    ]
    actions = [{"action_ref": "@X", "audit_ref": html, "description": html, "owner": "mgr", "due_on": "2026-12-01"}]

    result = import_tracker_rows(rows, actions)

    assert result.ok, problems_of(result)
    assert Audit.objects.get(external_ref="A-1").exemption_reason == formula
    assert Audit.objects.get(external_ref=html).exemption_reason == long_text
    assert Child.objects.filter(case_ref="+SUM(A1)").exists()
    assert Action.objects.get().description == html


def test_text_with_separators_and_escapes_is_stored_exactly():
    # PostgreSQL bulk loading uses COPY's text format, where tab, newline and backslash are special.
    tricky = "two\nlines\tand a tab, a back\\slash, \\N, \"quotes\", 'apostrophes', a comma and ✓ café"
    rows = [tracker_row(outcome="exempted", submitted_on="", auditor_grade="", exemption_reason=tricky)]
    actions = [{"action_ref": "X", "audit_ref": "A-1", "description": tricky, "owner": "mgr", "due_on": "2026-12-01"}]

    result = import_tracker_rows(rows, actions)

    assert result.ok, problems_of(result)
    assert Audit.objects.get().exemption_reason == tricky
    assert Action.objects.get().description == tricky


def test_rows_from_python_values_are_welcome():
    result = import_tracker_rows(
        [
            tracker_row(
                month=datetime.date(2026, 9, 1),
                due_on=datetime.date(2026, 9, 25),
                submitted_on=datetime.date(2026, 9, 20),
                sw_participated=True,
                child_spoken_to=None,
            )
        ]
    )

    assert result.ok, problems_of(result)
    audit = Audit.objects.get()
    assert audit.month == datetime.date(2026, 9, 1) and audit.sw_participated is True


def test_no_rows_is_one_clear_problem():
    result = import_tracker_rows([])

    assert problems_of(result) == ["AUDITS: there are no rows to import"]
