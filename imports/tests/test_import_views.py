"""The QA team's import pages: who may use them, upload → preview → confirm → result, progress, history."""

import datetime
import os
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit
from imports.models import ImportRun
from imports.services import import_run_execute, import_runs_discard_stale
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db


HEADER = "audit_ref,month,team,service_area,child_ref,legal_status,auditor,outcome,due_on,submitted_on,auditor_grade\n"
ROW = "A-{n},2026-09,North,Children's Social Care,CH-{n},CIN,asmith,returned,2026-09-25,2026-09-20,GOOD\n"


def csv_upload(text, name="AUDITS.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def good_csv(rows=2):
    return HEADER + "".join(ROW.format(n=n) for n in range(rows))


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory(username="hoq"))
    return client


def upload(client, text, **extra):
    return client.post(reverse("imports:upload"), {"audits_file": csv_upload(text), **extra})


@pytest.mark.parametrize(
    "make_user",
    [AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory],
    ids=["auditor", "moderator", "manager", "none"],
)
@pytest.mark.parametrize("url_name", ["imports:upload", "imports:history"])
def test_only_the_qa_team_may_import(client, make_user, url_name):
    client.force_login(make_user())

    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("make_user", [AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory])
def test_other_roles_cannot_open_or_confirm_a_run(client, quality_client, make_user):
    upload(quality_client, good_csv())
    run = ImportRun.objects.get()
    client.force_login(make_user())

    assert client.get(reverse("imports:detail", args=[run.pk])).status_code == 403
    assert client.post(reverse("imports:confirm", args=[run.pk])).status_code == 403
    assert not Audit.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("imports:upload"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_upload_page_lists_the_format_and_the_current_areas(quality_client):
    response = quality_client.get(reverse("imports:upload"))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "<code>area:assessment</code>" in response.content.decode()
    assert reverse("imports:example", args=["audits"]) in response.content.decode()


def test_uploading_previews_the_counts_and_writes_nothing(quality_client):
    response = upload(quality_client, good_csv(3))

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:detail", args=[run.pk])
    assert run.status == ImportRun.Status.PREVIEWED
    assert run.by.username == "hoq"
    assert run.audits_filename == "AUDITS.csv"
    assert run.rows_total == 3
    assert run.counts["audits"]["created"] == 3
    assert run.problems == []
    assert not Audit.objects.exists()
    page = quality_client.get(response.url).content.decode()
    assert "Every row is correct. Nothing has been imported yet." in page
    assert "3 audit rows" in page
    assert "Import these records" in page


def test_the_stored_file_gets_a_random_name(quality_client):
    upload(quality_client, good_csv(), actions_file=csv_upload("action_ref\n", name="Smith family ACTIONS.csv"))

    run = ImportRun.objects.get()
    assert run.actions_filename == "Smith family ACTIONS.csv"
    assert "Smith" not in run.actions_file.name and "AUDITS" not in run.audits_file.name


def test_a_file_with_problems_lists_each_one_escaped_and_cannot_be_confirmed(quality_client):
    bad = good_csv(1) + ROW.format(n=9).replace("CIN", "<b>odd</b>").replace("2026-09,", "=cmd|x,", 1)

    response = upload(quality_client, bad)

    run = ImportRun.objects.get()
    assert len(run.problems) == 2
    assert not run.audits_file  # nothing can come of these files: they are not kept
    page = quality_client.get(response.url).content.decode()
    assert "2 problems: nothing was imported" in page
    assert "&quot;=cmd|x&quot; is not a month (use YYYY-MM)" in page
    assert "&quot;&lt;b&gt;odd&lt;/b&gt;&quot; is not a legal status" in page
    assert "<b>odd</b>" not in page
    assert "Import these records" not in page
    confirm = quality_client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
    assert "These files have problems" in confirm.content.decode()
    assert not Audit.objects.exists()


def test_an_unreadable_file_is_one_problem_for_the_whole_file(quality_client):
    response = quality_client.post(
        reverse("imports:upload"),
        {"audits_file": SimpleUploadedFile("AUDITS.csv", b"\xff\xfe\x00bad", content_type="text/csv")},
    )

    page = quality_client.get(response.url).content.decode()
    assert "Whole file" in page
    assert "the file is not UTF-8 text" in page


@pytest.mark.parametrize(
    ("name", "message"),
    [("tracker.xls", "Choose a CSV file (.csv) or an Excel workbook (.xlsx)."), ("notes.txt", "Choose a CSV file")],
)
def test_other_file_types_are_refused_at_the_field(quality_client, name, message):
    response = quality_client.post(reverse("imports:upload"), {"audits_file": csv_upload(good_csv(), name=name)})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert '<a class="alert-link" href="#id_audits_file">' in page
    assert not ImportRun.objects.exists()


def test_a_missing_file_is_reported_at_the_field(quality_client):
    response = quality_client.post(reverse("imports:upload"), {})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert "<title>Error: Import a spreadsheet tracker" in response.content.decode()


def test_confirming_runs_the_import_and_shows_the_result(quality_client, django_capture_on_commit_callbacks):
    upload(quality_client, good_csv(2))
    run = ImportRun.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = quality_client.post(reverse("imports:confirm", args=[run.pk]))

    assert response.url == reverse("imports:detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.finished_at is not None
    assert run.rows_done == run.rows_total == 2
    assert run.counts["audits"]["created"] == 2
    assert Audit.objects.count() == 2
    assert not run.audits_file  # the uploaded tracker is not kept once imported
    page = quality_client.get(response.url).content.decode()
    assert "Every row of the files was imported." in page


def test_confirming_twice_starts_one_import(quality_client, django_capture_on_commit_callbacks):
    upload(quality_client, good_csv(1))
    run = ImportRun.objects.get()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quality_client.post(reverse("imports:confirm", args=[run.pk]))
        second = quality_client.post(reverse("imports:confirm", args=[run.pk]), follow=True)

    assert len(callbacks) == 1
    assert "This import has already been started." in second.content.decode()


def test_the_task_does_nothing_for_a_run_that_is_not_running(quality_client):
    upload(quality_client, good_csv(1))
    run = ImportRun.objects.get()

    assert import_run_execute(run_id=run.pk) == ImportRun.Status.PREVIEWED
    assert not Audit.objects.exists()


def test_a_run_whose_rows_went_wrong_after_the_preview_is_recorded_as_failed(quality_client):
    upload(quality_client, good_csv(1))
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    # The job checks the rows again rather than trusting the preview: here the stored file no longer passes.
    with run.audits_file.open("wb") as handle:
        handle.write((HEADER + ROW.format(n=1).replace("GOOD", "MEH")).encode())

    assert import_run_execute(run_id=run.pk) == ImportRun.Status.FAILED

    run.refresh_from_db()
    assert run.problems[0]["row"] == 2 and run.problems[0]["column"] == "auditor_grade"
    assert run.counts["problems"] == 1
    assert not Audit.objects.exists()


def test_an_unexpected_error_fails_the_run_without_writing(quality_client, monkeypatch):
    from imports import writer

    upload(quality_client, good_csv(1))
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    monkeypatch.setattr(writer.TrackerImport, "apply_actions", lambda self: 1 / 0)

    assert import_run_execute(run_id=run.pk) == ImportRun.Status.FAILED

    run.refresh_from_db()
    assert "stopped unexpectedly and nothing was imported" in run.problems[0]["message"]
    assert not Audit.objects.exists()


def test_progress_is_polled_while_running_and_the_page_reloads_when_done(quality_client):
    upload(quality_client, good_csv(1))
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, rows_total=2000, rows_done=500)
    url = reverse("imports:progress", args=[run.pk])

    running = quality_client.get(url, headers={"HX-Request": "true"})
    detail = quality_client.get(reverse("imports:detail", args=[run.pk]))
    no_js = quality_client.get(url)
    ImportRun.objects.filter(pk=run.pk).update(rows_done=2000)
    saving = quality_client.get(url, headers={"HX-Request": "true"})
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.DONE)
    done = quality_client.get(url, headers={"HX-Request": "true"})

    assert '<progress id="import-progress-bar"' in running.content.decode()
    assert 'max="2000" value="500"' in running.content.decode()
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "Rows checked: 500 of 2000" in detail.content.decode()
    # Once every row is checked the saving cannot be measured: an indeterminate bar (no value) and words say so.
    assert '<progress id="import-progress-bar" class="d-block w-100 mb-2">Saving the records</progress>' in (
        saving.content.decode()
    )
    assert "All 2000 rows checked: saving the records" in saving.content.decode()
    assert no_js.status_code == 302 and no_js.url == reverse("imports:detail", args=[run.pk])
    assert done.headers["HX-Refresh"] == "true"


def test_history_lists_who_when_files_and_counts_with_a_fixed_number_of_queries(
    quality_client, django_assert_max_num_queries
):
    def make_runs(n):
        quality = QualityFactory()
        for i in range(n):
            ImportRun.objects.create(
                by=quality,
                audits_filename=f"tracker-{i}.csv",
                status=ImportRun.Status.DONE,
                rows_total=10,
                counts={"audits": {"created": 7, "updated": 3}, "actions": {"created": 4}, "problems": 0},
                problems=[],
            )

    make_runs(2)
    with django_assert_max_num_queries(8):
        small = quality_client.get(reverse("imports:history"))
    make_runs(20)
    with django_assert_max_num_queries(8):
        large = quality_client.get(reverse("imports:history"))

    assert small.status_code == large.status_code == 200
    page = large.content.decode()
    assert "tracker-19.csv" in page
    assert datetime.date.today().strftime("%-d %b %Y") in page
    assert '<td class="text-end">7</td>' in page


def test_example_files_download_in_the_tracker_format(quality_client):
    audits = quality_client.get(reverse("imports:example", args=["audits"]))
    actions = quality_client.get(reverse("imports:example", args=["actions"]))
    missing = quality_client.get(reverse("imports:example", args=["other"]))

    assert audits["Content-Type"] == "text/csv; charset=utf-8"
    assert audits.content.decode().startswith("audit_ref,month,team,service_area,child_ref,")
    assert "area:assessment" in audits.content.decode().splitlines()[0]
    assert actions.content.decode().startswith("action_ref,audit_ref,description,owner,due_on,completed_on")
    assert missing.status_code == 404


def test_files_of_previews_never_confirmed_are_discarded_after_a_day(quality_client):
    upload(quality_client, good_csv(1))
    run = ImportRun.objects.get()
    assert import_runs_discard_stale() == 0

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1, minutes=1)):
        assert import_runs_discard_stale() == 1
        assert import_runs_discard_stale() == 0

    run.refresh_from_db()
    assert not run.audits_file
    assert "files were discarded" in run.problems[0]["message"]
    confirm = quality_client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
    assert "These files have problems" in confirm.content.decode()
    assert not Audit.objects.exists()


def test_two_uploads_with_the_same_name_are_told_apart(quality_client):
    actions = "action_ref,audit_ref,description,owner,due_on\nX-1,NOPE,d,mgr,2026-12-01\n"
    quality_client.post(
        reverse("imports:upload"),
        {"audits_file": csv_upload(good_csv(1), "tracker.csv"), "actions_file": csv_upload(actions, "tracker.csv")},
    )

    assert ImportRun.objects.get().problems[0]["file"] == "tracker.csv (actions)"


@pytest.mark.parametrize("problem_count", [3, 3000])
def test_a_run_page_takes_the_same_few_queries_however_many_problems(
    quality_client, django_assert_max_num_queries, problem_count
):
    problems = [{"file": "A.csv", "row": n + 2, "column": "month", "message": "bad"} for n in range(problem_count)]
    run = ImportRun.objects.create(
        by=QualityFactory(), audits_filename="A.csv", problems=problems, counts={"problems": problem_count}
    )

    with django_assert_max_num_queries(6):
        response = quality_client.get(reverse("imports:detail", args=[run.pk]), {"page": 2})

    page = response.content.decode()
    assert f"{problem_count} problems: nothing was imported" in page
    assert ("Page 2 of 30" in page) is (problem_count == 3000)


def _age(path, days):
    """Make a stored file look `days` old."""
    stamp = (datetime.datetime.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(path, (stamp, stamp))


def test_the_daily_job_fails_checks_and_imports_that_died_and_deletes_their_files(quality_client, monkeypatch):
    from imports import services

    monkeypatch.setattr(services, "CHECK_IN_REQUEST_BYTES", 10)  # every upload is checked by the "worker"
    upload(quality_client, good_csv(1))  # the worker never comes: checking for ever
    checking = ImportRun.objects.get()
    upload(quality_client, good_csv(1))
    running = ImportRun.objects.exclude(pk=checking.pk).get()
    ImportRun.objects.filter(pk=running.pk).update(status=ImportRun.Status.RUNNING, started_at=timezone.now())
    files = [Path(checking.audits_file.path), Path(running.audits_file.path)]
    assert all(path.exists() for path in files)

    assert import_runs_discard_stale() == 0  # both are young: they may still be working
    later = datetime.datetime.now(tz=datetime.UTC) + services.STUCK_RUN_AFTER + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        assert import_runs_discard_stale() == 2
        assert import_runs_discard_stale() == 0

    for run in (checking, running):
        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED
        assert not run.audits_file
        assert "did not finish, so nothing was imported" in run.problems[0]["message"]
    assert not any(path.exists() for path in files)
    # A task that arrives late finds the run finished and does nothing.
    assert services.import_run_check(run_id=checking.pk) == ImportRun.Status.FAILED
    assert services.import_run_execute(run_id=running.pk) == ImportRun.Status.FAILED
    assert not Audit.objects.exists()


def test_an_import_confirmed_long_after_its_upload_is_not_taken_for_stuck(quality_client):
    upload(quality_client, good_csv(1))
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING,
        created_at=timezone.now() - datetime.timedelta(days=3),
        started_at=timezone.now(),
    )

    assert import_runs_discard_stale() == 0

    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING
    assert run.audits_file


def test_the_daily_job_deletes_files_left_by_finished_runs_and_by_uploads_whose_request_died(quality_client, settings):
    upload(quality_client, good_csv(1))
    finished = ImportRun.objects.get()
    ImportRun.objects.filter(pk=finished.pk).update(status=ImportRun.Status.FAILED)
    left_over = Path(finished.audits_file.path)
    imports = Path(settings.MEDIA_ROOT) / "imports"
    old_orphan, new_orphan = imports / "0123abcd.csv", imports / "4567cdef.xlsx"
    old_orphan.write_text("audit_ref\nA-1\n")
    new_orphan.write_text("audit_ref\nA-2\n")
    _age(old_orphan, days=2)
    upload(quality_client, good_csv(1))
    awaiting = ImportRun.objects.exclude(pk=finished.pk).get()
    _age(awaiting.audits_file.path, days=2)  # an old file, but its preview is young: still wanted

    assert import_runs_discard_stale() == 2

    finished.refresh_from_db()
    assert not finished.audits_file and not left_over.exists()
    assert not old_orphan.exists()
    assert new_orphan.exists()  # its request may still be checking it
    assert Path(awaiting.audits_file.path).exists()


def test_the_daily_job_copes_with_no_upload_folder(settings):
    settings.MEDIA_ROOT = settings.MEDIA_ROOT / "never-made"

    assert import_runs_discard_stale() == 0
