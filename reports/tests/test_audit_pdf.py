"""The single-audit PDF for the child's record (issue 14): who may download it, what it holds, and the
audit's history recording each download."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory
from audits.models import AuditExport
from audits.tests.factories import AreaGradeFactory, AuditFactory, PracticeAreaFactory
from moderation.models import ModeratedAreaGrade, Moderation
from moderation.tests.factories import ModerationFactory
from people.tests.factories import TeamFactory
from reports.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "audit.pdf"
    path.write_bytes(pdf)
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def moderated_audit():
    """A returned audit of a managed team, moderated (downgraded), with two graded areas and an action."""
    manager = ManagerFactory()
    team = TeamFactory(manager=manager)
    audit = AuditFactory(
        returned=True,
        child__team=team,
        child__case_ref="LCS-40417",
        month=datetime.date(2026, 9, 1),
        auditor_grade="good",
        final_grade="requires_improvement",
        strengths="Warm, consistent relationship with the foster carer.",
        improvements="The chronology stops in June.",
        child_spoken_to=True,
        child_feedback="positive",
    )
    chronology = PracticeAreaFactory(template=audit.template, name="Chronology", slug="chronology")
    plan = PracticeAreaFactory(template=audit.template, name="Care plan", slug="care-plan")
    AreaGradeFactory(audit=audit, area=chronology, grade="inadequate", evidence="Last entry 3 June.", impact="Drift.")
    AreaGradeFactory(audit=audit, area=plan, grade="good", evidence="SMART and reviewed.", impact="Settled at school.")
    moderation = ModerationFactory(
        audit=audit,
        completed=True,
        grade="requires_improvement",
        outcome=Moderation.Outcome.DOWNGRADED,
        rationale="Drift in the chronology outweighs the good plan.",
    )
    ModeratedAreaGrade.objects.create(moderation=moderation, area=plan, grade="requires_improvement")
    ActionFactory(audit=audit, description="Bring the chronology up to date", due_on=datetime.date(2026, 10, 31))
    return audit, manager, moderation.moderator


def download(client, user, audit):
    client.force_login(user)
    return client.get(reverse("reports:audit_pdf", args=[audit.pk]))


@pytest.mark.django_db
def test_the_pdf_holds_the_whole_audit_under_the_protective_marking(client, moderated_audit, settings, tmp_path):
    settings.COUNCIL_NAME = "Gloucestershire County Council"
    settings.PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
    audit, _, _ = moderated_audit
    response = download(client, QualityFactory(), audit)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="audit-lcs-40417-2026-09.pdf"'
    # A protectively marked document: no cache keeps a copy (the project's middleware says so for every page).
    assert "no-store" in response["Cache-Control"]
    # Text in reading order (not -layout): a wrapped table cell otherwise interleaves with its neighbours, and
    # where the lines break depends on the width of the printed time.
    pdf = tmp_path / "audit.pdf"
    pdf.write_bytes(response.content)
    raw = subprocess.run([PDFTOTEXT, "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = " ".join(raw.split())
    for expected in (
        "OFFICIAL-SENSITIVE",
        "Gloucestershire County Council",
        "Audit of LCS-40417, September 2026",
        "Chronology Grade: Inadequate",
        "Last entry 3 June.",
        "Care plan Grade: Good. Moderator's grade: Requires Improvement",
        "SMART and reviewed.",
        "Settled at school.",
        "Warm, consistent relationship with the foster carer.",
        "Child's view of the service Positive",
        "Outcome Downgraded",
        "Drift in the chronology outweighs the good plan.",
        "Bring the chronology up to date",
        "Final grade Requires Improvement",
    ):
        assert expected in text, expected
    # The marking heads and foots every page.
    assert text.count("OFFICIAL-SENSITIVE") >= 3


@pytest.mark.django_db
def test_a_re_audits_pdf_sets_its_grades_beside_the_earlier_audits(client, moderated_audit, tmp_path):
    earlier, manager, _ = moderated_audit
    reaudit = AuditFactory(
        returned=True,
        child=earlier.child,
        month=datetime.date(2026, 12, 1),
        template=earlier.template,
        auditor_grade="good",
        final_grade="good",
        reaudit_of=earlier,
    )
    chronology = earlier.template.areas.get(slug="chronology")
    AreaGradeFactory(audit=reaudit, area=chronology, grade="good")
    text = " ".join(pdf_text(download(client, manager, reaudit).content, tmp_path).split())
    assert "Re-audit: compared with the audit of September 2026" in text
    assert "Chronology Inadequate Good Better" in text
    assert "Care plan Good Not in this audit Not compared" in text
    assert "Actions from the earlier audit: 0 of 1 completed by" in text


@pytest.mark.django_db
def test_each_download_is_its_own_entry_in_the_audits_history(client, moderated_audit):
    audit, manager, _ = moderated_audit
    download(client, manager, audit)
    download(client, manager, audit)

    assert AuditExport.objects.filter(audit=audit, by=manager).count() == 2
    page = client.get(reverse("audits:audit_history", args=[audit.pk])).content.decode()
    assert page.count(f"Downloaded as PDF: {manager}") == 2
    assert "to attach to the child&#x27;s record" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["quality", "auditor", "manager", "moderator"])
def test_everyone_who_may_read_the_audit_may_download_it(client, moderated_audit, role):
    audit, manager, moderator = moderated_audit
    user = {"quality": QualityFactory(), "auditor": audit.auditor, "manager": manager, "moderator": moderator}[role]
    response = download(client, user, audit)
    assert response.status_code == 200
    assert AuditExport.objects.filter(audit=audit, by=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "manager", "moderator", "none"])
def test_a_guessed_id_outside_the_scope_is_not_found_and_not_recorded(client, moderated_audit, role):
    audit, _, _ = moderated_audit
    other_team_manager = ManagerFactory()
    TeamFactory(manager=other_team_manager)
    user = {
        "auditor": AuditorFactory(),
        "manager": other_team_manager,
        "moderator": ModeratorFactory(),
        "none": UserFactory(),
    }[role]
    assert download(client, user, audit).status_code == 404
    assert not AuditExport.objects.exists()


@pytest.mark.django_db
def test_signed_out_is_sent_to_sign_in(client, moderated_audit):
    audit, _, _ = moderated_audit
    response = client.get(reverse("reports:audit_pdf", args=[audit.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_a_draft_is_not_a_record_to_attach(client):
    audit = AuditFactory()
    response = download(client, audit.auditor, audit)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:audit_detail", args=[audit.pk])
    assert not AuditExport.objects.exists()
    # And the audit page offers the download only once returned.
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert reverse("reports:audit_pdf", args=[audit.pk]) not in page


@pytest.mark.django_db
def test_the_audit_page_offers_the_download(client, moderated_audit):
    audit, manager, _ = moderated_audit
    client.force_login(manager)
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert reverse("reports:audit_pdf", args=[audit.pk]) in page


@pytest.mark.django_db
def test_the_pdf_takes_the_same_queries_with_many_areas_and_actions(
    client, moderated_audit, django_assert_max_num_queries
):
    audit, manager, _ = moderated_audit
    client.force_login(manager)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("reports:audit_pdf", args=[audit.pk]))
    for n in range(8):
        area = PracticeAreaFactory(template=audit.template)
        AreaGradeFactory(audit=audit, area=area, grade="good", evidence=f"Evidence {n}")
        ActionFactory(audit=audit, description=f"Action {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reports:audit_pdf", args=[audit.pk]))
