"""The caseload and the staff list (contracts.md section 4): commands, rules, warnings, --full, idempotence."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allocation.selectors import available_auditor_rows, own_team_ids_by_user
from audits.selectors import audits_visible_to
from audits.tests.factories import AuditFactory
from caseload.models import Child, Flag
from caseload.tests.factories import ChildFactory
from imports.services import import_list_file
from people.models import ServiceArea, Team, User
from people.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

CASELOAD_HEADER = "case_ref,team,service_area,legal_status,social_worker,opened_on,closed_on,flags"
STAFF_HEADER = "username,first_name,last_name,email,team,manages,roles,fte,audits_per_month,active"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC), tick=False):
        yield


def caseload(*rows, header=CASELOAD_HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


def child_row(ref="CH-1", **overrides):
    values = {
        "case_ref": ref,
        "team": "Cheltenham Safeguarding Team 2",
        "service_area": "Children's Social Care",
        "legal_status": "CP",
        "social_worker": "",
        "opened_on": "25/03/2024",
        "closed_on": "",
        "flags": "no_plan; repeat_cp",
    }
    values.update(overrides)
    return ",".join(values[name] for name in CASELOAD_HEADER.split(","))


def staff_row(username="jsmith", **overrides):
    values = {
        "username": username,
        "first_name": "Jane",
        "last_name": "Smith",
        "email": f"{username}@gloucestershire.gov.uk",
        "team": "",
        "manages": "",
        "roles": "auditor",
        "fte": "1",
        "audits_per_month": "1",
        "active": "",
    }
    values.update(overrides)
    return ",".join(values[name] for name in STAFF_HEADER.split(","))


def staff(*rows, header=STAFF_HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


def run_caseload(data, **options):
    return import_list_file("caseload", data, name="CASELOAD.csv", **options)


def run_staff(data, **options):
    return import_list_file("staff", data, name="STAFF.csv", **options)


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


# Caseload ------------------------------------------------------------------------------------------


def test_a_caseload_creates_children_teams_service_areas_and_flags():
    result = run_caseload(
        caseload(
            child_row("CH-1"), child_row("CH-2", team="Stroud Children in Care Team", flags="plo", legal_status="cla")
        )
    )

    assert result.ok, [str(p) for p in result.problems]
    assert result.counts["children"]["created"] == 2
    child = Child.objects.get(case_ref="CH-1")
    assert child.team.name == "Cheltenham Safeguarding Team 2"
    assert child.team.service_area.name == "Children's Social Care"
    assert child.opened_on == datetime.date(2024, 3, 25)
    assert child.is_open
    assert sorted(child.flags.values_list("name", flat=True)) == ["no_plan", "repeat_cp"]
    assert Child.objects.get(case_ref="CH-2").legal_status == "CLA"
    assert Flag.objects.count() == 3


def test_an_unchanged_re_import_writes_nothing_and_a_changed_one_updates_only_what_differs():
    data = caseload(*(child_row(f"CH-{n}", social_worker="jsmith") for n in range(30)))
    run_caseload(data)

    with CaptureQueriesContext(connection) as queries:
        result = run_caseload(data, full=True)

    assert result.ok
    assert writes(queries.captured_queries) == []
    assert result.counts["children"] == {"created": 0, "updated": 0, "closed": 0}
    assert Child.objects.count() == 30

    changed = caseload(
        *(child_row(f"CH-{n}", social_worker="jsmith") for n in range(29)),
        child_row("CH-29", social_worker="jsmith", flags="plo"),
    )
    result = run_caseload(changed)
    assert result.counts["children"] == {"created": 0, "updated": 1, "closed": 0}
    assert list(Child.objects.get(case_ref="CH-29").flags.values_list("name", flat=True)) == ["plo"]
    assert Child.objects.get(case_ref="CH-28").flags.count() == 2


def test_full_closes_open_children_missing_from_the_file_and_keeps_their_audits():
    audit = AuditFactory(child=ChildFactory(case_ref="OLD-1"))
    ChildFactory(case_ref="OLD-2", is_open=False, closed_on=datetime.date(2025, 1, 1))

    result = run_caseload(caseload(child_row("CH-1")), full=True)

    assert result.counts["children"]["closed"] == 1
    old = Child.objects.get(case_ref="OLD-1")
    assert (old.is_open, old.closed_on) == (False, datetime.date(2026, 11, 21))
    assert Child.objects.get(case_ref="OLD-2").closed_on == datetime.date(2025, 1, 1)
    assert audit.__class__.objects.filter(pk=audit.pk).exists()
    assert old.history.count() == 2  # the close is in the child's history


def test_without_full_children_missing_from_the_file_stay_open():
    ChildFactory(case_ref="OLD-1")

    run_caseload(caseload(child_row("CH-1")))

    assert Child.objects.get(case_ref="OLD-1").is_open


def test_closed_on_closes_a_child_and_a_child_listed_again_without_it_is_reopened():
    run_caseload(caseload(child_row("CH-1", closed_on="2026-10-01")))
    assert not Child.objects.get().is_open

    run_caseload(caseload(child_row("CH-1")))
    child = Child.objects.get()
    assert (child.is_open, child.closed_on) == (True, None)


def test_dry_run_counts_and_writes_nothing():
    result = run_caseload(caseload(child_row("CH-1"), child_row("CH-2")), dry_run=True)

    assert result.counts["children"]["created"] == 2
    assert result.counts["teams"]["created"] == 1
    assert not Child.objects.exists() and not Team.objects.exists() and not Flag.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"case_ref": ""}, "ROW 2, COLUMN case_ref: is required but blank"),
        ({"case_ref": "C" * 41}, "ROW 2, COLUMN case_ref: is 41 characters long; at most 40 fit"),
        ({"team": ""}, "ROW 2, COLUMN team: is required but blank"),
        ({"service_area": ""}, "ROW 2, COLUMN service_area: is required but blank"),
        ({"legal_status": ""}, "ROW 2, COLUMN legal_status: is required but blank"),
        ({"legal_status": "LAC"}, 'ROW 2, COLUMN legal_status: "LAC" is not a legal status'),
        ({"social_worker": "j smith"}, 'ROW 2, COLUMN social_worker: "j smith" is not a username'),
        (
            {"opened_on": "March 2024"},
            'ROW 2, COLUMN opened_on: "March 2024" is not a date (use YYYY-MM-DD or DD/MM/YYYY)',
        ),
        ({"closed_on": "31/02/2026"}, 'ROW 2, COLUMN closed_on: "31/02/2026" is not a real date'),
        ({"flags": "no plan!"}, 'ROW 2, COLUMN flags: the flag "no plan!" holds characters a flag may not'),
    ],
)
def test_each_caseload_column_rule_names_row_and_column_and_nothing_is_written(overrides, message):
    result = run_caseload(caseload(child_row("CH-0"), child_row("CH-1", **overrides)))

    assert [str(p) for p in result.problems][0].startswith(message.replace("ROW 2,", "ROW 3,"))
    assert len(result.problems) == 1
    assert not Child.objects.exists() and not Team.objects.exists() and not User.objects.exists()


def test_a_duplicate_case_ref_and_a_missing_column_are_problems():
    assert [str(p) for p in run_caseload(caseload(child_row("CH-1"), child_row("CH-1"))).problems] == [
        'ROW 3, COLUMN case_ref: "CH-1" is already used by row 2; each case_ref must be unique'
    ]
    assert [str(p) for p in run_caseload(b"case_ref,team,legal_status\nCH-1,T,CP\n").problems] == [
        "ROW 1, COLUMN service_area: this required column is missing"
    ]
    assert not Child.objects.exists()


def test_caseload_warnings_are_listed_and_the_rows_imported():
    TeamFactory(name="Cheltenham Safeguarding Team 2", service_area__name="Early Help")

    result = run_caseload(
        caseload(
            child_row("CH-1", social_worker="newsw"),
            child_row("CH-2", opened_on="2026-05-01", closed_on="2026-04-01"),
            child_row("CH-3", opened_on="2027-01-01"),
        )
    )

    assert result.ok
    assert [str(w) for w in result.warnings] == [
        'ROW 2, COLUMN service_area: team "Cheltenham Safeguarding Team 2" is in the service area "Early Help" in '
        "the product; it stays there",
        'ROW 2, COLUMN social_worker: "newsw" is not on the staff list; an inactive account that cannot sign in '
        "is made",
        'ROW 3, COLUMN service_area: team "Cheltenham Safeguarding Team 2" is in the service area "Early Help" in '
        "the product; it stays there",
        "ROW 3, COLUMN closed_on: is before opened_on (2026-05-01)",
        'ROW 4, COLUMN service_area: team "Cheltenham Safeguarding Team 2" is in the service area "Early Help" in '
        "the product; it stays there",
        "ROW 4, COLUMN opened_on: 2027-01-01 is in the future",
    ]
    assert Child.objects.count() == 3
    worker = User.objects.get(username="newsw")
    assert not worker.is_active and not worker.has_usable_password()


def test_an_xlsx_caseload_with_date_cells_imports(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(CASELOAD_HEADER.split(","))
    sheet.append(["CH-1", "Tewkesbury Family Support Team", "Early Help", "CIN", None, datetime.datetime(2025, 6, 2)])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_list_file("caseload", buffer.getvalue(), name="caseload.xlsx")

    assert result.ok, [str(p) for p in result.problems]
    assert Child.objects.get().opened_on == datetime.date(2025, 6, 2)


def test_the_caseload_command_prints_warnings_and_counts_and_fails_with_status_1(tmp_path):
    good = tmp_path / "CASELOAD.csv"
    good.write_bytes(caseload(child_row("CH-1", social_worker="newsw")))
    out = io.StringIO()
    call_command("import_caseload", str(good), "--full", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("Warning: ROW 2, COLUMN social_worker:")
    assert "Created: 1 child, 1 team, 1 service area, 1 social worker account, 2 flags." in out.getvalue()

    bad = tmp_path / "BAD.csv"
    bad.write_bytes(caseload(child_row("CH-2", legal_status="XX")))
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_caseload", str(bad), stderr=err)
    assert excinfo.value.returncode == 1
    assert err.getvalue().startswith('ROW 2, COLUMN legal_status: "XX" is not a legal status')
    assert not Child.objects.filter(case_ref="CH-2").exists()


# Staff ---------------------------------------------------------------------------------------------


@pytest.fixture
def teams():
    area = ServiceArea.objects.create(name="Children's Social Care")
    return {
        name: Team.objects.create(name=name, service_area=area)
        for name in ("Cheltenham Safeguarding Team 2", "Gloucester Children in Care Team", "Stroud Assessment Team")
    }


def test_staff_fields_drive_roles_scope_and_allocation_as_the_admin_fields_do(teams):
    result = run_staff(
        staff(
            staff_row("jsmith", team="Cheltenham Safeguarding Team 2", fte="0.5", audits_per_month="2"),
            staff_row(
                "pkhan",
                first_name="Priya",
                last_name="Khan",
                manages="Cheltenham Safeguarding Team 2",
                roles="manager; auditor",
            ),
            staff_row(
                "hbrown",
                first_name="Helen",
                last_name="Brown",
                manages="Cheltenham Safeguarding Team 2;Gloucester Children in Care Team",
                roles="manager",
            ),
        )
    )

    assert result.ok, [str(p) for p in result.problems]
    jsmith, pkhan, hbrown = (User.objects.get(username=name) for name in ("jsmith", "pkhan", "hbrown"))
    assert (jsmith.is_auditor, jsmith.is_quality, jsmith.is_active) == (True, False, True)
    assert not jsmith.has_usable_password()
    assert (jsmith.fte, jsmith.audit_frequency, jsmith.audits_per_month) == (Decimal("0.50"), "bimonthly", 2)
    assert list(jsmith.teams.values_list("name", flat=True)) == ["Cheltenham Safeguarding Team 2"]
    cheltenham = Team.objects.get(name="Cheltenham Safeguarding Team 2")
    assert (cheltenham.manager, cheltenham.head_of_service) == (pkhan, hbrown)
    assert Team.objects.get(name="Gloucester Children in Care Team").manager == hbrown
    # Scope and allocation read the same fields the admin sets.
    audit = AuditFactory(team=cheltenham)
    assert audits_visible_to(pkhan).filter(pk=audit.pk).exists()
    assert audits_visible_to(hbrown).filter(pk=audit.pk).exists()
    assert own_team_ids_by_user([jsmith.pk])[jsmith.pk] == {cheltenham.pk}
    assert jsmith not in available_auditor_rows(datetime.date(2026, 11, 1))  # bi-monthly: not in odd months
    assert pkhan in available_auditor_rows(datetime.date(2026, 11, 1))


def test_an_unchanged_staff_re_import_writes_nothing(teams):
    data = staff(
        *(staff_row(f"user{n}", team="Stroud Assessment Team") for n in range(20)),
        staff_row("pkhan", manages="Stroud Assessment Team", roles="manager"),
    )
    run_staff(data)

    with CaptureQueriesContext(connection) as queries:
        result = run_staff(data, full=True)

    assert writes(queries.captured_queries) == []
    assert result.counts["users"] == {"created": 0, "updated": 0, "closed": 0}
    assert result.counts["teams"]["updated"] == 0


def test_staff_usernames_match_in_any_case_and_roles_are_replaced():
    UserFactory(username="JSmith", is_moderator=True, is_auditor=False)

    result = run_staff(staff(staff_row("jsmith", roles="auditor")))

    assert result.counts["users"] == {"created": 0, "updated": 1, "closed": 0}
    user = User.objects.get()
    assert (user.username, user.is_auditor, user.is_moderator) == ("JSmith", True, False)


def test_full_stops_people_missing_from_the_file_signing_in_but_never_a_superuser_or_administrator():
    UserFactory(username="leaver")
    UserFactory(username="admin", is_superuser=True)
    UserFactory(username="ops", is_staff=True)

    result = run_staff(staff(staff_row("jsmith")), full=True)

    assert result.counts["users"]["closed"] == 1
    assert not User.objects.get(username="leaver").is_active
    assert User.objects.get(username="admin").is_active and User.objects.get(username="ops").is_active


def test_an_import_never_changes_a_superuser_nor_grants_quality_unless_the_file_says_so():
    UserFactory(username="admin", is_superuser=True, first_name="Ada", is_quality=False)
    UserFactory(username="qlead", is_quality=True, is_auditor=False)

    result = run_staff(
        staff(
            staff_row("admin", first_name="Mallory", roles="quality", active="no"),
            staff_row("newbie"),
            staff_row("qlead", roles="auditor"),
        )
    )

    assert result.ok
    admin = User.objects.get(username="admin")
    assert (admin.first_name, admin.is_quality, admin.is_active) == ("Ada", False, True)
    assert [str(w) for w in result.warnings] == [
        'ROW 2, COLUMN username: "admin" is an administrator account; an import never changes one, so this row '
        "is left out"
    ]
    assert not User.objects.get(username="newbie").is_quality
    assert not User.objects.get(username="qlead").is_quality  # the file said auditor only: roles are replaced


def test_a_file_without_a_roles_column_leaves_roles_alone():
    UserFactory(username="qlead", is_quality=True)

    run_staff(b"username,first_name,last_name,email\nqlead,Quinn,Lead,q@glos.gov.uk\n")

    assert User.objects.get().is_quality


def test_active_no_stops_a_person_signing_in():
    UserFactory(username="jsmith")

    run_staff(staff(staff_row("jsmith", active="no")))

    assert not User.objects.get().is_active


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "", "email": "js@glos.gov.uk"}, "ROW 2, COLUMN username: is required but blank"),
        ({"username": "j smith", "email": "js@glos.gov.uk"}, 'ROW 2, COLUMN username: "j smith" is not a username'),
        ({"first_name": ""}, "ROW 2, COLUMN first_name: is required but blank"),
        ({"last_name": ""}, "ROW 2, COLUMN last_name: is required but blank"),
        ({"last_name": "S" * 151}, "ROW 2, COLUMN last_name: is 151 characters long; at most 150 fit"),
        ({"email": ""}, "ROW 2, COLUMN email: is required but blank"),
        ({"email": "jane at glos"}, 'ROW 2, COLUMN email: "jane at glos" is not an e-mail address'),
        ({"team": "T" * 121}, "ROW 2, COLUMN team: is 121 characters long; at most 120 fit"),
        ({"roles": "auditor;boss"}, 'ROW 2, COLUMN roles: "boss" is not a role'),
        ({"fte": "full"}, 'ROW 2, COLUMN fte: "full" is not a number'),
        ({"fte": "0"}, 'ROW 2, COLUMN fte: "0" is not a full-time equivalent'),
        ({"fte": "0.333"}, 'ROW 2, COLUMN fte: "0.333" has more than two decimal places'),
        ({"audits_per_month": "3"}, 'ROW 2, COLUMN audits_per_month: "3" is not 1 or 2'),
        ({"active": "maybe"}, 'ROW 2, COLUMN active: "maybe" is not yes or no'),
    ],
)
def test_each_staff_column_rule_names_row_and_column_and_nothing_is_written(overrides, message):
    result = run_staff(staff(staff_row("other"), staff_row(**{"username": "jsmith", **overrides})))

    assert [str(p) for p in result.problems][0].startswith(message.replace("ROW 2,", "ROW 3,"))
    assert len(result.problems) == 1
    assert not User.objects.exists()


def test_a_username_twice_in_any_case_is_a_problem():
    result = run_staff(staff(staff_row("jsmith"), staff_row("JSMITH")))

    assert [str(p) for p in result.problems] == [
        'ROW 3, COLUMN username: "JSMITH" is already used by row 2; each username must be unique'
    ]


def test_staff_warnings_shared_email_unknown_team_more_than_full_time(teams):
    UserFactory(username="someone", email="shared@glos.gov.uk")

    result = run_staff(
        staff(
            staff_row("jsmith", email="shared@glos.gov.uk", team="Nowhere Team", fte="1.2"),
            staff_row("pkhan", email="SHARED@glos.gov.uk", manages="Atlantis"),
        )
    )

    assert result.ok
    assert [str(w) for w in result.warnings] == [
        'ROW 2, COLUMN email: is also the address of the account "someone", which the file does not list; single '
        "sign-on refuses an address two people share",
        'ROW 2, COLUMN team: "Nowhere Team" is not a team in the product (import the caseload first); the '
        "person's team is left as it is",
        "ROW 2, COLUMN fte: 1.20 is more than full time; imported as it stands",
        "ROW 3, COLUMN email: is also on row 2; single sign-on refuses an address two people share",
        'ROW 3, COLUMN manages: "Atlantis" is not a team in the product (import the caseload first); left out',
    ]
    assert User.objects.count() == 3


def test_a_manager_no_longer_listed_for_a_team_loses_it(teams):
    run_staff(staff(staff_row("pkhan", manages="Stroud Assessment Team", roles="manager")))
    assert Team.objects.get(name="Stroud Assessment Team").manager.username == "pkhan"

    result = run_staff(staff(staff_row("pkhan", manages="", roles="manager")))

    assert Team.objects.get(name="Stroud Assessment Team").manager is None
    assert result.counts["teams"]["updated"] == 1
