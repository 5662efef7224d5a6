"""The QA team's programme pages: who may open them, creating and editing, and what a programme's page shows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.models import NOT_GRADED, Programme, monthly_programme
from audits.tests.factories import AuditFactory, ProgrammeFactory, TemplateVersionFactory
from people.tests.factories import AuditorFactory, ManagerFactory, ModeratorFactory, QualityFactory, UserFactory

pytestmark = pytest.mark.django_db
OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture
def themed():
    programme = ProgrammeFactory(name="Repeat CP plans", slug="repeat-cp", allows_not_graded=True)
    template = TemplateVersionFactory(programme=programme, number=1, is_current=True)
    for grade in ("good", "inadequate", NOT_GRADED):
        AuditFactory(template=template, returned=True, month=OCTOBER, auditor_grade=grade)
    AuditFactory(template=template, month=OCTOBER)
    return programme


def pages(programme):
    return [
        reverse("audits:programme_list"),
        reverse("audits:programme_create"),
        reverse("audits:programme_detail", args=[programme.slug]),
        reverse("audits:programme_edit", args=[programme.slug]),
        # The programme's own questions (these pages once failed for any programme but the monthly audit).
        reverse("audits:template_list", kwargs={"programme": programme.slug}),
        reverse("audits:template_detail", kwargs={"programme": programme.slug, "number": 1}),
    ]


@pytest.mark.parametrize(
    ("factory", "status"),
    [(AuditorFactory, 403), (ModeratorFactory, 403), (ManagerFactory, 403), (UserFactory, 403), (QualityFactory, 200)],
)
def test_only_the_qa_team_opens_the_programme_pages(client, themed, factory, status):
    client.force_login(factory())
    for url in pages(themed):
        assert client.get(url).status_code == status, url
    response = client.post(reverse("audits:programme_create"), {"name": "Sneaky", "kind": "themed"})
    assert response.status_code == (400 if status == 200 else 403)


def test_signed_out_visitors_are_sent_to_sign_in(client, themed):
    for url in pages(themed):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_the_qa_team_creates_a_themed_audit_owned_by_a_qa_officer(client):
    quality, other = QualityFactory(), QualityFactory()
    client.force_login(quality)
    response = client.post(
        reverse("audits:programme_create"),
        {
            "name": "Children coming into care",
            "kind": "themed",
            "starts_on": "2026-09-01",
            "ends_on": "2026-11-30",
            "owner": other.pk,
            "moderation_rule": "all",
            "sample_percent": "",
            "allows_not_graded": "on",
            "findings_summary": "Plans were **timely**.",
        },
    )
    programme = Programme.objects.get(name="Children coming into care")
    assert response["Location"] == reverse("audits:programme_detail", args=["children-coming-into-care"])
    assert (programme.kind, programme.owner, programme.moderation_rule) == ("themed", other, "all")
    assert programme.allows_not_graded and programme.ends_on == datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"ends_on": "2026-08-01"}, "ends_on", "cannot end before it starts"),
        ({"owner": "auditor"}, "owner", "Select a valid choice"),
        ({"kind": "monthly"}, "kind", "Select a valid choice"),
        ({"sample_percent": "101"}, "sample_percent", "less than or equal to 100"),
        ({"findings_summary": "x" * 10_001}, "findings_summary", "Keep this to 10,000 characters"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(client, change, field, words):
    client.force_login(QualityFactory())
    auditor = AuditorFactory()
    data = {"name": "Dip sample", "kind": "dip_sample", "starts_on": "2026-09-01", "moderation_rule": "sample"}
    data.update(change)
    if data.get("owner") == "auditor":
        data["owner"] = auditor.pk
    response = client.post(reverse("audits:programme_create"), data)
    assert response.status_code == 400
    assert words in str(response.context["form"].errors[field])
    assert not Programme.objects.filter(name="Dip sample").exists()


def test_the_monthly_audit_keeps_its_name_and_kind_but_takes_a_moderation_rule(client):
    client.force_login(QualityFactory())
    monthly = monthly_programme()
    response = client.post(
        reverse("audits:programme_edit", args=[monthly.slug]),
        {"name": "Renamed", "kind": "themed", "moderation_rule": "sample", "sample_percent": "30"},
    )
    assert response.status_code == 302
    monthly.refresh_from_db()
    assert (monthly.name, monthly.kind, monthly.sample_percent) == ("Monthly audit", "monthly", 30)


def test_a_programmes_page_shows_its_returns_grades_audits_and_sanitised_findings(
    client, themed, django_assert_max_num_queries
):
    Programme.objects.filter(pk=themed.pk).update(findings_summary="- Plans **late**\n<script>alert(1)</script>")
    client.force_login(QualityFactory())
    with django_assert_max_num_queries(12):
        html = client.get(reverse("audits:programme_detail", args=[themed.slug])).content.decode()
    assert "<strong>late</strong>" in html and "<script>alert" not in html
    for audit in themed.audits.all():
        assert reverse("audits:audit_detail", args=[audit.pk]) in html
    figures = client.get(reverse("audits:programme_detail", args=[themed.slug])).context["figures"]
    assert figures["total"]["allocated"] == 4 and figures["total"]["returned"] == 3
    assert (figures["total"]["good"], figures["total"]["inadequate"], figures["total"]["not_graded"]) == (1, 1, 1)


def test_the_list_takes_the_same_queries_for_many_programmes(client, django_assert_max_num_queries):
    client.force_login(QualityFactory())
    for _ in range(8):
        ProgrammeFactory(owner=QualityFactory())
    with django_assert_max_num_queries(8):
        html = client.get(reverse("audits:programme_list")).content.decode()
    assert html.index("Monthly audit") < html.index("Themed audit")
