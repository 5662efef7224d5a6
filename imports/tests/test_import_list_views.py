"""The caseload and staff imports in the browser for the QA team: who may, upload → preview → confirm, examples."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caseload.models import Child
from caseload.tests.factories import ChildFactory
from imports.models import ImportRun
from people.models import User
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db

CASELOAD = (
    "case_ref,team,service_area,legal_status,social_worker,opened_on,flags\n"
    "MOS0000101,Cheltenham Safeguarding Team 2,Children's Social Care,CP,jsmith,25/03/2024,no_plan;plo\n"
    "MOS0000102,Stroud Children in Care Team 1,Children's Social Care,CLA,,2023-01-10,\n"
)


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory(username="hoq"))
    return client


def upload(client, kind, text, name="CASELOAD.csv", **extra):
    return client.post(
        reverse(f"imports:{kind}"), {"file": SimpleUploadedFile(name, text.encode("utf-8")), **extra}, follow=True
    )


@pytest.mark.parametrize(
    "make_user",
    [AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory],
    ids=["auditor", "moderator", "manager", "none"],
)
@pytest.mark.parametrize(
    ("url_name", "args"),
    [
        ("imports:caseload", []),
        ("imports:staff", []),
        ("imports:example", ["caseload"]),
        ("imports:example", ["staff"]),
    ],
)
def test_only_the_qa_team_may_open_the_caseload_and_staff_imports(client, make_user, url_name, args):
    client.force_login(make_user())

    assert client.get(reverse(url_name, args=args)).status_code == 403
    assert client.post(reverse(url_name, args=args)).status_code in (403, 405)


@pytest.mark.parametrize("url_name", ["imports:caseload", "imports:staff"])
def test_signed_out_visitors_are_sent_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_inactive_quality_member_may_not_import(client):
    client.force_login(QualityFactory(is_active=False))

    assert client.get(reverse("imports:caseload")).status_code in (302, 403)


@pytest.mark.parametrize("kind", ["caseload", "staff"])
def test_the_qa_team_sees_the_upload_page_with_its_example(quality_client, kind):
    page = quality_client.get(reverse(f"imports:{kind}")).content.decode()

    assert reverse("imports:example", args=[kind]) in page
    assert 'aria-current="page"' in page


def test_caseload_upload_previews_counts_and_warnings_then_confirm_imports(
    quality_client, django_capture_on_commit_callbacks
):
    ChildFactory(case_ref="OLD-1")

    response = upload(quality_client, "caseload", CASELOAD, full="on")

    run = ImportRun.objects.get()
    assert (run.kind, run.full, run.status) == ("caseload", True, ImportRun.Status.PREVIEWED)
    page = response.content.decode()
    assert "Every row is correct. Nothing has been imported yet." in page
    assert "1 warning: these rows will be imported as they stand" in page
    assert "&quot;jsmith&quot; is not on the staff list" in page
    assert run.counts["children"] == {"created": 2, "updated": 0, "closed": 1}
    assert not Child.objects.filter(case_ref="MOS0000101").exists()

    with django_capture_on_commit_callbacks(execute=True):
        quality_client.post(reverse("imports:confirm", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert Child.objects.get(case_ref="MOS0000101").flags.count() == 2
    assert not Child.objects.get(case_ref="OLD-1").is_open
    assert run.warnings[0]["column"] == "social_worker"
    history = quality_client.get(reverse("imports:history")).content.decode()
    assert "Caseload (whole list)" in history


def test_a_staff_file_with_problems_lists_them_and_cannot_be_confirmed(quality_client):
    text = "username,first_name,last_name,email,roles\njsmith,Jane,Smith,not-an-address,boss\n"

    page = upload(quality_client, "staff", text, name="STAFF.csv").content.decode()

    assert "2 problems: nothing was imported" in page
    assert "&quot;not-an-address&quot; is not an e-mail address" in page
    assert "&quot;boss&quot; is not a role" in page
    assert not User.objects.filter(username="jsmith").exists()
    run = ImportRun.objects.get()
    response = quality_client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
    assert "These files have problems" in response.content.decode()


def test_the_upload_form_refuses_other_file_types(quality_client):
    response = upload(quality_client, "staff", "x", name="STAFF.txt")

    assert "Choose a CSV file (.csv) or an Excel workbook (.xlsx)." in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("kind", ["caseload", "staff"])
def test_the_example_files_import_cleanly_and_hold_realistic_names(quality_client, kind):
    from imports.services import import_list_file

    response = quality_client.get(reverse("imports:example", args=[kind]))
    content = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(content)))

    assert response["Content-Disposition"] == f'attachment; filename="example-{kind}.csv"'
    assert "Team 01" not in content
    if kind == "caseload":
        assert any(row["team"].startswith("Cheltenham Safeguarding Team") for row in rows)
        import_list_file("staff", quality_client.get(reverse("imports:example", args=["staff"])).content, name="s")
    else:
        assert all(row["username"].isalnum() and row["username"].islower() for row in rows)
        from imports.examples import example_caseload, list_header, tracker_csv

        import_list_file("caseload", tracker_csv(example_caseload(40), list_header("caseload")).encode(), name="c")
    result = import_list_file(kind, response.content, name=f"example-{kind}.csv")
    assert result.ok, [str(p) for p in result.problems]


def test_a_large_caseload_is_checked_by_the_worker_with_progress_then_imported(
    quality_client, django_capture_on_commit_callbacks
):
    from imports.examples import example_caseload, list_header, tracker_csv

    text = tracker_csv(example_caseload(8_000, seed=2, staff=50), list_header("caseload"))
    assert len(text.encode()) > 500_000  # beyond what the upload's own request checks

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = quality_client.post(
            reverse("imports:caseload"), {"file": SimpleUploadedFile("CASELOAD.csv", text.encode())}
        )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.CHECKING
    progress = quality_client.get(reverse("imports:progress", args=[run.pk]), headers={"HX-Request": "true"})
    assert "Reading the files" in progress.content.decode()

    for callback in callbacks:
        callback()  # the worker's check
    run.refresh_from_db()
    assert (run.status, run.rows_total, run.counts["children"]["created"]) == ("previewed", 8_000, 8_000)
    with django_capture_on_commit_callbacks(execute=True):
        quality_client.post(reverse("imports:confirm", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.rows_done) == ("done", 8_000)
    assert Child.objects.count() == 8_000
    assert response.status_code == 302
