"""The nightly drop folder (IMPORT_DROP_DIR): import as --full, move aside, record, tell the QA team of a failure."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from caseload.models import Child
from caseload.tests.factories import ChildFactory
from imports import tasks
from imports.drop import import_drop_folder, kind_of
from imports.models import ImportRun
from people.models import User
from people.tests.factories import QualityFactory, UserFactory

pytestmark = pytest.mark.django_db

CASELOAD = (
    "case_ref,team,service_area,legal_status\n"
    "MOS1,Cheltenham Safeguarding Team 2,Children's Social Care,CP\n"
    "MOS2,Stroud Children in Care Team 1,Children's Social Care,CLA\n"
)
STAFF = (
    "username,first_name,last_name,email,team\n"
    "jsmith,Jane,Smith,jane.smith@glos.gov.uk,Cheltenham Safeguarding Team 2\n"
)


@pytest.fixture
def drop(settings, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    settings.IMPORT_DROP_DIR = str(folder)
    return folder


@pytest.fixture(autouse=True)
def _night():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_each_file_is_imported_as_full_recorded_and_moved_to_processed(drop):
    ChildFactory(case_ref="GONE-1")
    UserFactory(username="leaver")
    (drop / "staff-20261121.csv").write_text(STAFF)
    (drop / "nightly-export.csv").write_text(CASELOAD)  # a caseload known by its header

    outcome = tasks.import_drop_folder.delay().get()

    assert outcome == {"processed": 2, "skipped": 0, "failed": 0}
    assert sorted(p.name for p in drop.iterdir()) == ["processed", "processing"]
    assert sorted(p.name for p in (drop / "processed").iterdir()) == [
        "20261121T020000-nightly-export.csv",
        "20261121T020000-staff-20261121.csv",
    ]
    # The caseload went first, so the staff list found its team; both were --full.
    assert not Child.objects.get(case_ref="GONE-1").is_open
    assert not User.objects.get(username="leaver").is_active
    assert User.objects.get(username="jsmith").teams.get().name == "Cheltenham Safeguarding Team 2"
    runs = ImportRun.objects.order_by("pk")
    assert [(r.kind, r.source, r.full, r.status) for r in runs] == [
        ("caseload", "drop", True, "done"),
        ("staff", "drop", True, "done"),
    ]
    assert runs[0].counts["children"] == {"created": 2, "updated": 0, "closed": 1}
    assert len(runs[0].content_hash) == 64
    assert mail.outbox == []


def test_a_file_seen_twice_is_imported_once(drop):
    (drop / "caseload.csv").write_text(CASELOAD)
    import_drop_folder()
    (drop / "caseload.csv").write_text(CASELOAD)

    assert import_drop_folder() == {"processed": 0, "skipped": 1, "failed": 0}
    assert ImportRun.objects.count() == 1
    assert len(list((drop / "processed").iterdir())) == 1  # same name and second: the copy replaced the first


def test_a_failing_file_moves_to_failed_is_recorded_and_the_qa_team_is_told(drop):
    QualityFactory(email="qa@glos.gov.uk")
    UserFactory(email="auditor@glos.gov.uk")
    (drop / "caseload.csv").write_text(CASELOAD + "MOS3,Team,Area,XX\n")

    assert import_drop_folder() == {"processed": 0, "skipped": 0, "failed": 1}

    assert [p.name for p in (drop / "failed").iterdir()] == ["20261121T020000-caseload.csv"]
    assert not Child.objects.exists()
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert run.problems[0]["row"] == 4
    [message] = mail.outbox
    assert message.to == ["qa@glos.gov.uk"]
    assert message.subject == "Nightly import failed: caseload.csv"
    assert '- ROW 4, COLUMN legal_status: "XX" is not a legal status' in message.body
    assert f"/audits/import/{run.pk}/" in message.body


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "the drop folder takes CSV (.csv) or Excel (.xlsx) files"),
        ("export.csv", b"audit_ref,month\nA,2026-01\n", "cannot tell whether this is the caseload or the staff list"),
    ],
)
def test_a_file_that_is_neither_list_fails_with_a_clear_message(drop, name, content, message):
    QualityFactory(email="qa@glos.gov.uk")
    (drop / name).write_bytes(content)

    import_drop_folder()

    assert ImportRun.objects.get().problems[0]["message"].startswith(message)
    assert len(mail.outbox) == 1


def test_kind_comes_from_the_name_or_else_the_header():
    assert kind_of("CASELOAD.xlsx", b"") == "caseload"
    assert kind_of("Staff list.csv", b"") == "staff"
    assert kind_of("export.csv", b"username,email\n") == "staff"
    assert kind_of("export.csv", b"\xff\xfe") is None
    assert kind_of("export.csv", b"") is None


def test_no_drop_folder_configured_does_nothing(settings):
    settings.IMPORT_DROP_DIR = ""

    assert import_drop_folder() == {"processed": 0, "skipped": 0, "failed": 0}


def test_a_drop_folder_the_site_would_serve_is_refused(settings, drop):
    settings.IMPORT_DROP_DIR = str(settings.MEDIA_ROOT / "drop")

    with pytest.raises(ImproperlyConfigured):
        import_drop_folder()
    with pytest.raises(SystemCheckError, match="imports.E001"):
        call_command("check")


def test_the_nightly_job_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["imports-drop-folder"]

    assert entry["task"] == tasks.import_drop_folder.name
