"""The cohort, sample and practice-week pages: who may open them, what they show, and their query budgets."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from allocation.cohort_services import cohort_confirm, cohort_draw_sample, cohort_save_rules
from allocation.models import Cohort
from audits.models import Audit, Programme
from audits.tests.factories import PracticeAreaFactory, ProgrammeFactory, TemplateVersionFactory
from caseload.models import Child, Flag, LegalStatus
from people.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    TeamFactory,
    UserFactory,
)

LONDON = ZoneInfo("Europe/London")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), tick=False):
        yield


def caseload(n_flagged: int, n_other: int = 0, teams: int = 4) -> Flag:
    """`n_flagged` open children with `no_plan` and `n_other` without, spread over `teams` teams (bulk)."""
    team_rows = [TeamFactory() for _ in range(teams)]
    flag, _ = Flag.objects.get_or_create(name="no_plan")
    Child.objects.bulk_create(
        Child(case_ref=f"K{i:05d}", team=team_rows[i % teams], legal_status=LegalStatus.CIN)
        for i in range(n_flagged + n_other)
    )
    flagged = Child.objects.filter(case_ref__lt=f"K{n_flagged:05d}").values_list("id", flat=True)
    Child.flags.through.objects.bulk_create(Child.flags.through(child_id=i, flag_id=flag.pk) for i in flagged)
    return flag


def themed(kind=Programme.Kind.THEMED, slug="no-plan") -> Programme:
    programme = ProgrammeFactory(
        name=f"Programme {slug}",
        slug=slug,
        kind=kind,
        starts_on=datetime.date(2026, 11, 23),
        ends_on=datetime.date(2026, 11, 27),
    )
    template = TemplateVersionFactory(programme=programme, number=1, is_current=True)
    PracticeAreaFactory(template=template)
    return programme


ROLE_FACTORIES = {"auditor": AuditorFactory, "moderator": ModeratorFactory, "manager": ManagerFactory}


def page_urls(programme: Programme, line_pk: int = 1) -> list[tuple[str, str]]:
    slug = programme.slug
    return [
        ("get", reverse("allocation:cohort", args=[slug])),
        ("post", reverse("allocation:cohort_rules", args=[slug])),
        ("post", reverse("allocation:cohort_sample", args=[slug])),
        ("post", reverse("allocation:cohort_add", args=[slug])),
        ("post", reverse("allocation:cohort_confirm", args=[slug])),
        ("get", reverse("allocation:cohort_line", args=[slug, line_pk])),
        ("post", reverse("allocation:cohort_line_remove", args=[slug, line_pk])),
        ("get", reverse("allocation:practice_week", args=[slug])),
    ]


@pytest.mark.parametrize("role", sorted(ROLE_FACTORIES))
def test_only_the_qa_team_manages_cohorts_and_practice_weeks(client, role):
    programme = themed(kind=Programme.Kind.PRACTICE_WEEK)
    client.force_login(ROLE_FACTORIES[role]())
    for method, url in page_urls(programme):
        assert getattr(client, method)(url).status_code == 403, url
    assert not Cohort.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client):
    programme = themed()
    for method, url in page_urls(programme):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_monthly_audit_and_unknown_programmes_are_not_found(client):
    client.force_login(QualityFactory())
    from audits.models import monthly_programme

    assert client.get(reverse("allocation:cohort", args=[monthly_programme().slug])).status_code == 404
    assert client.get(reverse("allocation:cohort", args=["nothing-here"])).status_code == 404
    # A themed audit has no practice-week page.
    assert client.get(reverse("allocation:practice_week", args=[themed().slug])).status_code == 404


def test_seed_002_the_page_shows_100_of_361_children(client):
    flag = caseload(361, 40)
    programme = themed()
    quality = QualityFactory()
    for i in range(10):
        AuditorFactory(username=f"auditor{i}")
    client.force_login(quality)
    url = reverse("allocation:cohort", args=[programme.slug])

    # The size as the rules are chosen (htmx asks for the number alone), then saved.
    preview = client.get(url, {"preview": "1", "flags": [flag.pk]}, headers={"HX-Request": "true"})
    assert "361 children" in preview.content.decode() and "<form" not in preview.content.decode()
    response = client.post(reverse("allocation:cohort_rules", args=[programme.slug]), {"flags": [flag.pk]})
    assert response.status_code == 302
    assert "401 children" in client.get(url, {"preview": "1"}).content.decode()

    response = client.post(
        reverse("allocation:cohort_sample", args=[programme.slug]), {"sample-count": "100", "sample-seed": "4821"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "100 of 361 children (27.7 %)" in page
    assert "sample number 4821" in page

    response = client.post(reverse("allocation:cohort_confirm", args=[programme.slug]))
    assert response.status_code == 302
    assert Audit.objects.filter(programme=programme).count() == 100
    page = client.get(url).content.decode()
    assert "100 of 361 children (27.7 %)" in page and "in the sample, confirmed" in page
    # A second confirmation (a double click) creates nothing more.
    client.post(reverse("allocation:cohort_confirm", args=[programme.slug]))
    assert Audit.objects.filter(programme=programme).count() == 100


def test_bad_input_is_shown_at_the_field_and_nothing_is_written(client):
    caseload(10)
    programme = themed()
    client.force_login(QualityFactory())
    response = client.post(
        reverse("allocation:cohort_rules", args=[programme.slug]),
        {"opened_after": "2026-05-01", "opened_before": "2026-01-01"},
    )
    assert response.status_code == 400 and "must be later" in response.content.decode()
    assert not Cohort.objects.exists()
    client.post(reverse("allocation:cohort_rules", args=[programme.slug]), {})
    response = client.post(
        reverse("allocation:cohort_sample", args=[programme.slug]), {"sample-count": "5", "sample-percent": "10"}
    )
    assert response.status_code == 400 and "either a number of children or a percentage" in response.content.decode()
    response = client.post(
        reverse("allocation:cohort_add", args=[programme.slug]), {"add-auditor": "", "add-child": "NOPE"}
    )
    assert response.status_code == 400 and "no child with case reference NOPE" in response.content.decode()
    assert not Cohort.objects.get().lines.exists()


@pytest.mark.parametrize("drawn", [10, 120])
def test_the_cohort_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, drawn):
    flag = caseload(200)
    programme = themed()
    quality = QualityFactory()
    for i in range(6):
        AuditorFactory(username=f"a{i}")
    cohort = cohort_save_rules(programme=programme, by=quality, flags=[flag])
    cohort_draw_sample(cohort=cohort, by=quality, count=drawn, seed=1)
    client.force_login(quality)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("allocation:cohort", args=[programme.slug]))
    assert response.content.decode().count("Remove<span") == min(drawn, 100)
    assert f"Confirm and create {drawn} audits" in response.content.decode()
    cohort_confirm(cohort=cohort, by=quality)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("allocation:cohort", args=[programme.slug]))
    assert response.context["status_counts"]["allocated"] == drawn


def test_a_line_is_changed_on_its_own_page(client):
    flag = caseload(20, teams=2)
    programme = themed()
    quality = QualityFactory()
    first, second = AuditorFactory(username="first"), AuditorFactory(username="second")
    cohort = cohort_save_rules(programme=programme, by=quality, flags=[flag])
    cohort_draw_sample(cohort=cohort, by=quality, count=2, seed=1)
    line = cohort.lines.first()
    other = second if line.auditor == first else first
    client.force_login(quality)
    url = reverse("allocation:cohort_line", args=[programme.slug, line.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"op": "reassign", "reassign-auditor": other.pk})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.auditor == other
    # A line of another programme is not found under this one.
    assert client.get(reverse("allocation:cohort_line", args=[themed(slug="other").slug, line.pk])).status_code == 404


def test_the_practice_week_page_shows_returns_and_grades_by_person_and_team(client, django_assert_max_num_queries):
    flag = caseload(12, teams=3)
    week = themed(kind=Programme.Kind.PRACTICE_WEEK, slug="prw")
    quality = QualityFactory()
    director = UserFactory(username="director", first_name="Dana", last_name="Director")
    cohort = cohort_save_rules(programme=week, by=quality, flags=[flag])
    from allocation.cohort_services import sample_line_add

    children = list(Child.objects.order_by("case_ref")[:3])
    for child in children:
        sample_line_add(programme=week, auditor=director, child=child, by=quality)
    cohort_confirm(cohort=cohort, by=quality)
    returned = Audit.objects.filter(programme=week).order_by("child__case_ref").first()
    Audit.objects.filter(pk=returned.pk).update(
        status=Audit.Status.SUBMITTED,
        submitted_on=datetime.date(2026, 11, 24),
        auditor_grade="good",
        final_grade="good",
    )
    client.force_login(quality)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("allocation:practice_week", args=[week.slug]))
    page = response.content.decode()
    assert "Dana Director" in page
    assert reverse("audits:audit_detail", args=[returned.pk]) in page
    assert response.context["figures"]["total"]["allocated"] == 3
    assert response.context["figures"]["total"]["returned"] == 1
    assert response.context["figures"]["total"]["grade_good"] == 1
    assert [row["allocated"] for row in response.context["figures"]["by_team"]] == [1, 1, 1]

    # The director sees their own audits in My audits, as every auditor does.
    client.force_login(director)
    mine = client.get(reverse("audits:my_audits"))
    assert mine.status_code == 200 and children[1].case_ref in mine.content.decode()
    assert client.get(reverse("audits:audit_edit", args=[returned.pk + 1])).status_code == 200


def test_the_monthly_allocation_page_counts_only_the_monthly_audit(client):
    from allocation.models import MonthPlan
    from audits.tests.factories import AuditFactory

    november = datetime.date(2026, 11, 1)
    MonthPlan.objects.create(month=november, status=MonthPlan.Status.CONFIRMED)
    monthly = AuditFactory(month=november)
    programme = themed()
    AuditFactory(month=november, programme=programme, template=programme.templates.get())
    client.force_login(QualityFactory())
    response = client.get(reverse("allocation:month", args=[november]))
    assert response.context["counts"]["planned"] == 1
    assert [audit.pk for audit in response.context["allocations"]] == [monthly.pk]
