"""Bad input to the caseload and staff imports: each gets one clear message, never a 500 or a hang, nothing written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from caseload.models import Child
from imports.models import ImportRun
from people.models import User
from people.tests.factories import QualityFactory

pytestmark = pytest.mark.django_db

NOT_A_WORKBOOK = "the file is not a readable XLSX workbook; save it as .xlsx or CSV UTF-8"
# What Excel writes for a workbook with a password: an OLE2 compound file holding the encrypted package.
ENCRYPTED_XLSX = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096


def big_caseload(rows):
    lines = ["case_ref,team,service_area,legal_status"]
    lines += [f"MOS{n:07d},Cheltenham Safeguarding Team 2,Children's Social Care,CIN" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory(username="hoq"))
    return client


def command_problems(tmp_path, command, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(command, str(path), stderr=err)
    assert excinfo.value.returncode == 1
    return err.getvalue().splitlines()


@pytest.mark.parametrize("command", ["import_caseload", "import_staff"])
def test_an_xlsx_that_is_not_a_workbook_is_one_clear_message(tmp_path, command):
    lines = command_problems(tmp_path, command, "extract.xlsx", b"%PDF-1.7 this is a PDF renamed\n")

    assert lines == [f"{tmp_path / 'extract.xlsx'}: {NOT_A_WORKBOOK}"]


@pytest.mark.parametrize("command", ["import_caseload", "import_staff"])
def test_a_password_protected_workbook_is_one_clear_message(tmp_path, command):
    lines = command_problems(tmp_path, command, "extract.xlsx", ENCRYPTED_XLSX)

    assert lines[0].endswith(
        "this looks like an old Excel .xls file or a password-protected workbook; "
        "save it as .xlsx (without a password) or as CSV UTF-8"
    )


@pytest.mark.parametrize(("kind", "name"), [("caseload", "CASELOAD.xlsx"), ("staff", "STAFF.xlsx")])
@pytest.mark.parametrize(
    ("data", "message"),
    [(b"not a workbook at all", NOT_A_WORKBOOK), (ENCRYPTED_XLSX, "password-protected workbook")],
    ids=["not-a-workbook", "encrypted"],
)
def test_the_browser_shows_the_message_for_a_bad_workbook(quality_client, kind, name, data, message):
    response = quality_client.post(reverse(f"imports:{kind}"), {"file": SimpleUploadedFile(name, data)}, follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "1 problem: nothing was imported" in response.content.decode()


def test_a_file_over_50_mb_is_refused_at_upload_and_nothing_is_stored(quality_client):
    data = big_caseload(10) + b"#" * (51 * 1024 * 1024)

    response = quality_client.post(reverse("imports:caseload"), {"file": SimpleUploadedFile("CASELOAD.csv", data)})

    assert response.status_code == 200
    assert "the limit is 50 MB. Split the tracker" not in response.content.decode()
    assert "The file is 53 MB; the limit is 50 MB." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_200000_row_caseload_is_refused_with_one_message_before_anything_is_checked(tmp_path):
    lines = command_problems(tmp_path, "import_caseload", "CASELOAD.csv", big_caseload(200_000))

    assert lines == [
        f"{tmp_path / 'CASELOAD.csv'}: the file has more than 100,000 rows below the header; a caseload lists the "
        "open children (and recently closed ones); check what the export selects"
    ]
    assert not Child.objects.exists()


def test_a_200000_row_staff_list_uploaded_in_the_browser_is_checked_by_the_worker_and_refused(
    quality_client, django_capture_on_commit_callbacks
):
    rows = ["username,first_name,last_name,email"] + [f"u{n},A,B,u{n}@glos.gov.uk" for n in range(200_000)]
    data = ("\n".join(rows) + "\n").encode()

    with django_capture_on_commit_callbacks(execute=True):
        response = quality_client.post(reverse("imports:staff"), {"file": SimpleUploadedFile("STAFF.csv", data)})

    run = ImportRun.objects.get()
    assert response.url == reverse("imports:detail", args=[run.pk])
    page = quality_client.get(response.url).content.decode()
    assert "the file has more than 20,000 rows below the header" in page
    assert not run.audits_file  # a refused file is not kept
    assert User.objects.count() == 1
